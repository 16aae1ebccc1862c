"""Grading one submission against a recipe: each step read, mapped to the model, its relation to the step before
found, the first wrong step, errors carried forward, the final loss and gradient, and a score."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ..budget import BudgetExceeded, expired_here, time_budget
from .latex import Unreadable, read
from .notation import MEANS, left_side_kind, model_form, renamed
from .relations import Found, concrete, relate
from .relations import _zero as zero
from .submission import Line

#: points for each part of the standard derivation a valid step shows (carried forward too) — the model stated, the
#: log taken, a θ-free constant dropped, the negation — and for the final loss and the final gradient (``--rubric
#: FILE`` overrides any of them). A recipe with no θ-free term in its log-likelihood (the Bernoulli's) has no
#: "constant" part.
RUBRIC = {"likelihood": 1, "log": 1, "constant": 1, "negation": 1, "loss": 2, "gradient": 2}
#: each part in the report's words
PARTS = {"likelihood": "the model stated", "log": "the log taken", "constant": "a θ-free constant dropped",
         "negation": "the negation", "loss": "the final loss", "gradient": "the final gradient"}
#: what the first step may state, by the derivation's step it must equal
FIRST = (("likelihood", "the likelihood"), ("density", "one observation's density"),
         ("log-likelihood", "the log-likelihood"), ("expanded", "the log-likelihood"))


#: a relation in the feedback's words ({src}: "the step before", or "step 1 (the last right one)")
WORDS = {
    "equal": "equal to {src} (rewritten)",
    "link substituted": "the link substituted: equal to {src}",
    "log": "the log of {src} (the argmax is kept)",
    "negated": "{src} negated: maximising it is minimising this",
    "θ-free constant dropped": "{src} with a θ-free constant dropped (the argmax is kept)",
    "rescaled by a positive factor": "{src} rescaled by a positive θ-free factor (the argmax is kept)",
    "derivative in η": "the derivative in ηᵢ of {src}",
    "gradient in θ": "the gradient in θ of {src}",
    "gradient in θ by the chain rule": "the gradient in θ by the chain rule: Σᵢ ({src})·xᵢ",
}


def words(relation: str, src: str = "the step before") -> str:
    """A relation — a composition too (log, negated and rescaled, …) — as the feedback says it."""
    if relation in WORDS:
        return WORDS[relation].format(src=src)
    if relation.startswith("log, "):
        return "the log of %s, %s" % (src, relation[len("log, "):])
    if relation.startswith("the "):  # the likelihood of the sample …
        return relation
    return "%s %s" % (src, relation)


@dataclass
class GradedStep:
    number: int
    latex: str
    line: int
    relation: str | None = None
    valid: bool = False
    carried_forward: bool = False
    feedback: str = ""
    counterexample: dict | None = None
    mistake: str | None = None  # the likely error's kind (sign, factor, chain rule, …), where it is known
    unreadable: bool = False
    kind: str | None = None  # what its left-hand side says it is: likelihood, log-likelihood, loss, gradient
    shown: object = None  # the step as read, in the model's symbols (for the HTML page)


@dataclass
class Report:
    steps: list = field(default_factory=list)
    first_error: int | None = None
    score: float = 0
    max_score: float = 0
    final: dict = field(default_factory=dict)
    #: each part of the rubric this recipe has → (points earned, points it is worth)
    credits: dict = field(default_factory=dict)

    def json(self) -> dict:
        out = asdict(self)
        out["credits"] = [{"part": part, "earned": earned, "of": of} for part, (earned, of) in self.credits.items()]
        for s in out["steps"]:
            for private in ("line", "unreadable", "kind", "shown"):
                s.pop(private)
        out["first_error_kind"] = next((s["mistake"] for s in out["steps"] if s["number"] == self.first_error), None)
        return out


#: seconds of CPU one step may take to grade (a legal but enormous line): past it, the step is "could not grade"
STEP_BUDGET = 20.0


@dataclass
class _Trail:
    """What grading the next step needs of the steps before it."""

    previous: object = None  # the last step read, in the model's symbols
    sense: str | None = None  # "max" or "min": what the last step is to be
    valid: bool = True
    means: bool = False  # it names the mean (ŷᵢ, pᵢ): an equal next step without them substitutes the link
    last_right: tuple | None = None  # (number, expression, sense) of the last step right, not only carried forward


def grade(lines: list[Line], derivation, rubric: dict | None = None, points: float | None = None,
          names: dict | None = None) -> Report:
    """The report on ``lines`` (a submission's steps) against ``derivation`` (the recipe's, verified), scored by
    ``rubric`` (RUBRIC by default); ``points``: what the whole is worth (an exam question's points), each part's
    share of it the rubric's; ``names``: an exam variant's letters → the engine's ({"t": "y", "u": "x"})."""
    model = derivation.model
    report, trail = Report(), _Trail()
    final_loss, final_gradient = None, None
    for number, line in enumerate(lines, start=1):
        step = GradedStep(number, line.latex, line.line)
        report.steps.append(step)
        try:
            sides = [renamed(side, names) for side in read(line.latex)]
        except Unreadable as exc:
            step.unreadable = True
            step.feedback = "could not read this line (column %d): %s" % (exc.column, exc)
            continue
        kind = left_side_kind(sides[0]) if len(sides) > 1 else None
        expr = model_form(sides[-1], model)
        step.kind, step.shown = kind, expr
        try:
            with time_budget(STEP_BUDGET):
                found, sense = _relation(expr, _has_mean_names(sides[-1]), kind, trail, derivation)
        except BudgetExceeded as exc:
            if not expired_here(exc):
                raise
            step.unreadable = True
            step.feedback = "could not grade this line within %g s of CPU time: write it with fewer terms, or " \
                            "as two steps" % STEP_BUDGET
            continue
        _record(step, found, trail.valid)
        trail.previous, trail.valid, trail.means, trail.sense = expr, found.valid, _has_mean_names(sides[-1]), sense
        if found.valid and not step.carried_forward:
            trail.last_right = (number, expr, sense)
        # the final answers are the last the student wrote: the last loss (called one, or to be minimised) and the
        # last gradient (called one, or a valid derivative) — right or not
        derivative = found.valid and found.relation.startswith(("derivative", "gradient"))
        if derivative or kind == "gradient":
            final_gradient = (step, found)
        elif kind == "loss" or (found.valid and sense == "min"):
            final_loss = (step, expr, "min" if kind == "loss" else sense)
    report.first_error = next((s.number for s in report.steps if not s.valid and not s.unreadable), None)
    report.final = _final(final_loss, final_gradient, derivation, model)
    _score(report, rubric_for(derivation, rubric), points)
    return report


def _relation(expr, means: bool, kind: str | None, trail: _Trail, derivation) -> tuple[Found, str]:
    """The relation of a step to the one before (to the last right one, when it is back on track), checked against
    its left-hand side; and what the step is then to be, maximised or minimised."""
    model = derivation.model
    if trail.previous is None:
        found = _first(expr, derivation, model)
        return found, "min" if found.flips else "max"
    sense = trail.sense
    found = _labelled(relate(trail.previous, expr, model, mean_names=trail.means and not means), kind, sense)
    if not found.valid and not trail.valid and trail.last_right is not None:  # back on the right track
        number, right, right_sense = trail.last_right
        again = _labelled(relate(right, expr, model), kind, right_sense)
        if again.valid:
            found, sense = Found(again.relation, True, flips=again.flips, source=number), right_sense
    if found.valid and found.flips:
        sense = "min" if sense == "max" else "max"
    return found, sense


def _first(expr, derivation, model) -> Found:
    """The first step states the likelihood, one observation's density or the log-likelihood — the last up to a
    θ-free constant (C for −log yᵢ!), or negated (the NLL): then it is to be minimised (``flips``)."""
    for step_id, what in FIRST:
        target = derivation.step(step_id).expr
        if zero(concrete(expr, model) - concrete(target, model), model):
            return Found(what, True)
    found = relate(derivation.step("log-likelihood").expr, expr, model)
    if found.valid and found.relation == "θ-free constant dropped":
        return Found("the log-likelihood, up to a θ-free constant", True)
    if found.valid and found.relation in ("negated", "negated, a θ-free constant dropped"):
        return Found("the negative log-likelihood" + (", up to a θ-free constant" if "constant" in found.relation
                                                        else ""), True, flips=True)
    return Found(None, False)


def _labelled(found: Found, kind: str | None, sense: str) -> Found:
    """A relation that contradicts the line's own left-hand side is wrong: the step before negated but called the
    log-likelihood (a sign error), or a log-likelihood called a loss (the negation missing)."""
    if not found.valid or kind is None:
        return found
    after = ("min" if sense == "max" else "max") if found.flips else sense
    if kind in ("likelihood", "log-likelihood") and after == "min":
        return Found(None, False, mistake="sign", hint="the step before negated, yet its left-hand side says it is "
                                                       "the %s: a sign error" % kind)
    if kind == "loss" and after == "max" and not found.relation.startswith(("derivative", "gradient")):
        return Found(None, False, mistake="negation missing", hint="called a loss, but it is the log-likelihood, to "
                                                                   "be maximised: the negation is missing")
    return found


def _has_mean_names(expr) -> bool:
    return any(s.name.partition("_")[0] in MEANS and s.name.partition("_")[2] for s in expr.free_symbols)


def _record(step: GradedStep, found: Found, previous_valid: bool):
    step.relation, step.valid, step.counterexample = found.relation, found.valid, found.counterexample
    step.mistake = found.mistake if not found.valid else None
    if step.number == 1:
        step.feedback = ("states %s" % found.relation) if found.valid else (
            "the first step must state the likelihood, one observation's density or the log-likelihood of the recipe's "
            "model; this is none of them")
        step.mistake = None if found.valid else "not the model"
    elif found.valid and found.source is not None:  # a step that follows from the last right one, not the wrong one
        step.feedback = "back on track: " + words(found.relation, "step %d (the last right one)" % found.source)
    elif found.valid:
        step.carried_forward = not previous_valid
        step.feedback = words(found.relation) + (
            " — from the wrong step before: the error is carried forward" if step.carried_forward else "")
    elif found.hint:  # the likely error, said first; no point is needed where the error is named
        step.feedback, step.counterexample = "likely error: it is %s" % found.hint, None
    else:
        step.feedback = "does not follow from the step before: not equal to it, nor its log, nor a θ-free rescaling " \
                        "or constant away, nor its derivative"


def _final(final_loss, final_gradient, derivation, model) -> dict:
    out = {"loss": False, "gradient": False}
    if final_loss is not None:
        step, expr, sense = final_loss
        ok = relate(derivation.step("loss").expr, expr, model)
        out["loss"] = bool(ok.valid and not ok.flips and not ok.relation.startswith(("log", "derivative", "gradient"))
                           and sense == "min")
    if final_gradient is not None and out["loss"]:  # a valid gradient of a right loss
        out["gradient"] = final_gradient[1].valid
    return out


def rubric_for(derivation, rubric: dict | None = None) -> dict:
    """The rubric's parts this recipe's standard derivation has, with their points: no "constant" part where the
    log-likelihood has no θ-free term to drop."""
    out = {**RUBRIC, **(rubric or {})}
    if derivation.step("drop-constants").expr == derivation.step("expanded").expr:
        out.pop("constant")
    return out


def credited(step: GradedStep) -> set:
    """The parts of the derivation a valid step shows (a first step stating the log-likelihood or the NLL shows the
    steps it starts after)."""
    if not step.valid or step.relation is None:
        return set()
    r = step.relation
    parts = {"likelihood"} if step.number == 1 else set()
    if r.startswith("log") or "log-likelihood" in r:
        parts.add("log")
    if "constant" in r:
        parts.add("constant")
    if "negated" in r or "negative log-likelihood" in r:
        parts.update(("negation", "log"))
    return parts


def _score(report: Report, rubric: dict, points: float | None):
    """Each part's points (scaled to ``points`` where given), and the score: the sum before rounding, so the parts
    of a full mark add up to the whole."""
    from fractions import Fraction

    shown = set().union(*[credited(s) for s in report.steps]) | {k for k in ("loss", "gradient") if report.final[k]}
    total = sum(Fraction(v).limit_denominator(1000) for v in rubric.values())
    scale = Fraction(points).limit_denominator(1000) / total if points is not None and total else Fraction(1)
    worth = {part: Fraction(value).limit_denominator(1000) * scale for part, value in rubric.items()}
    report.credits = {part: (_round(w if part in shown else 0), _round(w)) for part, w in worth.items()}
    report.score = _round(sum((w for part, w in worth.items() if part in shown), Fraction(0)))
    report.max_score = _round(sum(worth.values(), Fraction(0)))


def _round(x: float):
    """Points as a person writes them: 3, not 3.0; 1.25 to two decimals."""
    x = round(float(x), 2)
    return int(x) if x == int(x) else x


def read_rubric(path) -> dict:
    """A rubric file (YAML: step, loss, gradient → points ≥ 0), or a ValueError naming what is wrong."""
    import yaml

    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ValueError("--rubric %s: cannot be read as YAML (%s)" % (path, str(exc).splitlines()[0])) from None
    if not isinstance(data, dict) or set(data) - set(RUBRIC):
        raise ValueError("--rubric %s: must map some of %s to points, e.g. {log: 2, loss: 3}"
                         % (path, ", ".join(RUBRIC)))
    for key, value in data.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
            raise ValueError("--rubric %s: %s must be a number of points from 0 to 100, got %r" % (path, key, value))
    return data

