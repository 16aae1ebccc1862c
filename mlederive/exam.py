"""Exams: randomized questions whose worked solutions the engine derives and verifies.

An exam is built from a seed: each variant draws, from its own ``random.Random``, which
family/link pairs it asks about, what the weights, inputs and targets are called, and the
numbers of its data samples. The same seed gives the same exam, byte for byte. Question
kinds are a registry (:data:`QUESTION_KINDS`, one ``@question_kind`` builder each); a
question *slot* has one kind in every variant (slot 2 is an MLE question on every paper),
so a Moodle category, one slot, holds variants of the same question:

``derive``    derive the loss and its gradient (the full verified derivation);
``mle``       the closed-form MLE from a drawn sample (:mod:`mlederive.mle`);
``identify``  which per-observation loss does an assumption lead to (multiple choice, formulas);
``kl``        the two KL divergences of two distributions, and why they differ;
``vanishing`` MSE or cross-entropy on a sigmoid: the gradient at a saturated output.

Numbers are asked, keyed and graded to 3 significant figures (the Moodle tolerance is half a
unit of the third). This module builds questions as values (blocks of prose, math and
choices); :mod:`mlederive.render.exam` turns them into LaTeX, Markdown and Moodle XML.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Callable

import sympy as sp

from . import symbolic as S
from .errors import MlederiveError
from .losses import NAMED_LOSSES
from .mle import solve_mle
from .prose import TeX, join, prose
from .questions import Checks, Choices, Display, Exam, Grading, Numeric, Para, Question, Variant, Worked
from .render.common import Name, Notation, gradient_lhs_latex, plain_text
from .render.latex import MathPrinter, equation_rows, inline_math

NOTATIONS = (
    Notation(),
    Notation(Name("w", "w", "w"), Name("x", "x", "x"), Name("y", "y", "y")),
    Notation(Name("w", "w", "w"), Name("z", "z", "z"), Name("t", "t", "t")),
    Notation(Name("beta", "β", r"\beta"), Name("u", "u", "u"), Name("y", "y", "y")),
    Notation(Name("theta", "θ", r"\theta"), Name("v", "v", "v"), Name("t", "t", "t")),
)

MAX_VARIANTS, MAX_QUESTIONS = 500, 30
#: significant figures asked for every number, printed in the key and graded in Moodle
DIGITS = 3
TITLE = "Loss functions from maximum likelihood"


class ExamError(MlederiveError):
    pass


# -- numbers to 3 significant figures -----------------------------------------------------------

def significant(value: float, digits: int = DIGITS) -> str:
    """``value`` to ``digits`` significant figures, trailing zeros kept: 1.50, 0.0589, 233."""
    if value == 0:
        return "0"
    exponent = math.floor(math.log10(abs(value)))
    decimals = max(digits - 1 - exponent, 0)
    text = "%.*f" % (decimals, round(value, decimals))
    if abs(float(text)) >= 10 ** (exponent + 1):  # 9.996 → 10.0: one digit more before the point
        text = "%.*f" % (max(decimals - 1, 0), round(value, max(decimals - 1, 0)))
    return text


def numeric(label, value: float) -> Numeric:
    """A number to give, graded within half a unit of its last asked digit."""
    shown = significant(value)
    exponent = math.floor(math.log10(abs(value))) if value else -DIGITS
    return Numeric(prose("$%s$" % label) if isinstance(label, str) else label, float(shown),
                   0.5 * 10 ** (exponent - DIGITS + 1), shown)


def _numbers_answer(numbers) -> str:
    return "; ".join("%s = %s" % (plain_text(n.label), n.shown) for n in numbers)


# -- the kinds of question ----------------------------------------------------------------------

@dataclass(frozen=True)
class QuestionKind:
    name: str
    #: build(number, rng, pool, notation) -> Question
    build: Callable
    #: draws a likelihood recipe (one without a prior) from the pool
    needs_losses: bool = False
    #: one of these built-in recipes must be in the pool (empty: always available)
    needs: tuple = ()
    #: room to answer on the printed exam, cm
    space: float = 6.0

    def available(self, pool: "Pool") -> bool:
        return (not self.needs_losses or bool(pool.losses)) and (not self.needs or any(n in pool.names
                                                                                           for n in self.needs))


#: name → kind, in the order slots take them; adding a kind is one decorated builder
QUESTION_KINDS: dict[str, QuestionKind] = {}


def question_kind(name: str, needs_losses: bool = False, needs: tuple = (), space: float = 6.0):
    def register(build):
        QUESTION_KINDS[name] = QuestionKind(name, build, needs_losses, needs, space)
        return build

    return register


@dataclass
class Pool:
    """What questions draw from: the recipes named, their derivations, the likelihoods, the MLE families."""

    names: list
    derivations: "_Derivations"
    losses: list
    mle_families: list


class _Derivations:
    """Each recipe is derived (and verified) once per exam, whatever the number of variants."""

    def __init__(self, names):
        from .derivation import derive
        from .recipe import load_recipe

        self.recipes = {name: load_recipe(name) for name in names}
        self._derive, self._cache = derive, {}

    def __getitem__(self, name):
        if name not in self._cache:
            d = self._derive(self.recipes[name])
            if not d.verified:
                raise ExamError("recipe %s: its derivation failed verification; run 'mlederive %s' to see where"
                                % (name, name))
            self._cache[name] = d
        return self._cache[name]


def _pair_title(d) -> str:
    """``Gaussian, identity link`` (and which nuisance parameters are learned, if any)."""
    learned = "".join(", $%s$ learned" % S.inline(d.model.params[p]) for p in d.model.learned)
    return "%s, %s link%s" % (d.model.family.title, d.model.link.name, learned)


# -- derive -----------------------------------------------------------------------------------------

@question_kind("derive", needs_losses=True, space=12.0)
def _derive_question(number, rng, pool, notation):
    name = rng.choice(pool.losses)
    d = pool.derivations[name]
    r = d.recipe
    what = "the mean over the sample" if r.reduction == "mean" else "the sum over the sample"
    prompt = [
        Para(prose("Assume %s", d.steps[0].justification)),
        Para(prose("Starting from the likelihood of an i.i.d. sample, derive the loss that maximum likelihood leads to "
                   "(drop the terms that do not depend on $θ$, take %s) and its gradient with respect to $θ$. "
                   "Justify every step.", what)),
    ]
    label = d.loss_name or "%s negative log-likelihood" % d.model.family.title
    answer = "%s: loss = %s; gradient = %s" % (label, plain_text(prose("$%s$", d.loss), notation),
                                              plain_text(prose("$%s$", d.gradients["theta"]), notation))
    blocks = [Para(prose("%s,", label[0].upper() + label[1:])),
              Display(tuple(equation_rows(r"\mathcal{L}(\theta)", d.loss, notation))
                      + tuple(equation_rows(gradient_lhs_latex(d, "theta"), d.gradients["theta"], notation)))]
    return Question(number, "derive", prose("Derive a loss (%s)" % _pair_title(d)), prompt, [Worked(d, notation)],
                    answer, blocks)


# -- mle ----------------------------------------------------------------------------------------------

def _sample(rng, family: str) -> list:
    """A small sample from the seed; redrawn until the MLE lies inside the parameter space."""
    n = rng.randint(5, 8)
    while True:
        if family == "bernoulli":
            p = rng.choice((0.3, 0.4, 0.5, 0.6, 0.7))
            data = [int(rng.random() < p) for _ in range(n)]
            ok = 0 < sum(data) < n
        elif family == "poisson":
            lam = rng.choice((1.5, 2.0, 3.0, 4.5))
            data = [_poisson(rng, lam) for _ in range(n)]
            ok = sum(data) > 0
        else:
            mu, sd = rng.choice((-1.0, 0.5, 2.0, 10.0)), rng.choice((0.5, 1.0, 2.0))
            data = [round(rng.gauss(mu, sd), 1) for _ in range(n)]
            ok = len(set(data)) > 1
        if ok:
            return data


def _poisson(rng, lam: float) -> int:
    # Knuth's method: fine for the small rates used here, and reproducible from ``rng`` alone
    limit, k, prod = math.exp(-lam), 0, rng.random()
    while prod > limit:
        k += 1
        prod *= rng.random()
    return k


def _latex(expr, result=None) -> str:
    names = {st.symbol: st.latex for st in result.statistics} if result is not None else {}
    return MathPrinter({"symbol_names": names}).doprint(expr)


@question_kind("mle", space=9.0)
def _mle_question(number, rng, pool, notation):
    family = rng.choice(pool.mle_families)
    data = _sample(rng, family)
    result = solve_mle(family, data)
    if not result.verified:
        raise ExamError("MLE for %s failed its own checks" % family)
    prob = result.problem
    shown = ", ".join(str(v) for v in data)
    names = prob.estimate_text()
    prompt = [Para(prose("The values $y = (%s)$ are an i.i.d. sample, %s. Find the maximum-likelihood "
                         "estimate%s %s: write the log-likelihood, set the score to zero, check the second-order "
                         "condition, and evaluate on the data to %d significant figures.", shown, prob.statement(),
                         "s" if len(names) > 1 else "", join([prose("$%s$", t) for t in names], ", ", " and "), DIGITS))]
    means = [prose("$%s = (1/n) Σ_i %s$", TeX(s.latex, s.text), TeX(_latex(s.of.subs(sp.Symbol("y", real=True),
                                                                                       sp.Symbol("y_i"))))) for s in
             result.statistics]
    solution = [
        Para(prose("The log-likelihood of $n$ i.i.d. observations is a sum over the sample. Divided by $n$, with the "
                   "terms that do not depend on the parameters dropped, it needs only the sample means %s:",
                   join(means, ", ", " and "))),
        Display((r"\frac{1}{n}\,\ell = %s + \text{const}" % _latex(result.loglik, result),)),
        Para(prose("Set the score to zero:")),
        Display(tuple(r"\frac{1}{n}\frac{\partial \ell}{\partial %s} &= %s = 0" % (lt, _latex(sc, result))
                      for lt, sc in zip(prob.latex, result.score))),
        Para(prose("Solving gives")),
        Display(tuple(r"\hat{%s} &= %s" % (lt, _latex(result.estimate[p], result))
                      for p, lt in zip(prob.params, prob.latex))),
        *_second_order(result),
        Checks(tuple((c.what, c.verified, c.method) for c in result.checks)),
    ]
    at = result.stat_values()
    numbers = tuple(numeric(t, float(v)) for t, (_, v) in zip(names, result.values()))
    solution.append(Para(prose("On the data, $n = %s$ and %s, so", sp.Integer(len(data)), join(
        [prose("$%s = %s$", TeX(s.latex, s.text), TeX(_latex(at[s.symbol]))) for s in result.statistics],
        ", ", " and "))))
    solution.append(Display(tuple(r"%s &= %s \approx %s" % (lt, _latex(v), n.shown)
                                  for (lt, v), n in zip(result.values(), numbers))))
    blocks = [Para(join([prose("$%s = %s$", t, n.shown) for t, n in zip(names, numbers)], ", ", " and "))]
    return Question(number, "mle", prose("Maximum likelihood from data (%s)", prob.family.title()
                                         if prob.family != "gaussian" else "Gaussian"),
                    prompt, solution, _numbers_answer(numbers), blocks, Grading("numerical", numbers))


def _second_order(result) -> list:
    h, prob = result.hessian, result.problem
    if h.shape == (1, 1):
        lt = prob.latex[0]
        return [Para(prose("Second-order condition: at the estimate,")),
                Display((r"\frac{1}{n}\frac{\partial^2 \ell}{\partial %s^2} &= %s" % (lt, _latex(h[0, 0], result)),)),
                Para(prose("which is negative %s, so the estimate is a maximum.",
                           "whatever the sample" if result.checks[-1].method == "symbolic" else "on this sample"))]
    return [Para(prose("Second-order condition: the Hessian of $ℓ/n$ at the estimate is")),
            Display((r"H &= %s" % _latex(h, result),)),
            Para(prose("which is negative definite, so the estimate is a maximum."))]


# -- identify ---------------------------------------------------------------------------------------

def equivalent(model, a, b) -> bool:
    """Two per-observation losses in ŷ lead to the same estimate under ``model``: their ŷ-derivatives are in a
    positive ratio free of ŷ, y and the learned parameters (the Gaussian NLL with σ known is the squared error)."""
    yhat = S.yhat[S.i, S.k] if model.vector else S.yhat[S.i]
    if a.has(sp.Sum) != b.has(sp.Sum):
        return False
    da, db = sp.diff(a, yhat), sp.diff(b, yhat)
    if da == 0 or db == 0:
        return False
    ratio = sp.cancel(sp.together(S.expand_functions(da / db)))  # the named forms are rational in ŷ
    varying = [yhat, model.y_obs(), *model.learned_params()]
    return not ratio.has(*varying) and bool(ratio.is_positive)


@question_kind("identify", needs_losses=True, space=3.0)
def _identify_question(number, rng, pool, notation):
    derivations = pool.derivations
    named = [name for name in pool.losses if derivations[name].loss_name]
    if not named:
        raise ExamError("no recipe in --recipes leads to a named loss; add one for 'which loss' questions")
    name = rng.choice(named)
    d = derivations[name]
    right = next(loss for loss in NAMED_LOSSES if loss.name(d.recipe.reduction) == d.loss_name)
    params = d.model.params
    truth = right.form(d.model.y_obs(), right.yhat(d.model), params)
    # distractors: named losses that a maximum-likelihood argument would *not* give here, shown as formulas
    # (a name would give the answer away: only one option would say "Poisson"), in the model's own symbols
    # (no σ the model does not have; a vector outcome's losses class by class)
    fits = [loss for loss in NAMED_LOSSES if all(p in params for p in loss.needs) and (d.model.vector or not loss.vector)]
    others = [loss for loss in fits if loss is not right and not equivalent(
        d.model, truth, loss.form(d.model.y_obs(), loss.yhat(d.model), params))]
    chosen = rng.sample(others, min(3, len(others))) + [right]
    rng.shuffle(chosen)
    options = tuple(prose("$%s$", loss.textbook(d.model, params)) for loss in chosen)
    correct = chosen.index(right)
    yhat = right.yhat(d.model)
    prompt = [Para(prose("Assume %s", d.steps[0].justification)),
              Para(prose("With $%s = %s$ the model's prediction, which loss of one observation does maximum "
                         "likelihood lead to (up to terms and positive factors that do not depend on $θ$)? "
                         "Say why.", yhat, d.model.mean_display())),
              Choices(options, correct)]
    dropped_step = next(s for s in d.steps if s.relation == "constant-dropped")
    dropped = dropped_step.payload.dropped or []
    why = [Para(prose("The negative log-likelihood of one observation is")),
           Display((notation.latex(r"-\log p(y_i \mid x_i; \theta)") + " &= " + inline_math(-d.loglik_summand,
                                                                                           notation),))]
    if dropped:
        why.append(Para(prose("Over the sample, the terms %s do not depend on $θ$ and are dropped; positive constant "
                              "factors (and the %s reduction) do not move the minimum either, which leaves",
                              join(dropped, ", ", " and "), d.recipe.reduction)))
    else:
        why.append(Para(prose("Every term depends on $θ$; positive constant factors (and the %s reduction) do not "
                              "move the minimum, which leaves", d.recipe.reduction)))
    why.append(Display((r"\mathcal{L} &= " + inline_math(d.loss, notation),)))
    letter = "ABCDEFG"[correct]
    why.append(Para(prose("— the %s: option %s, $%s$ with $%s = %s$. Every step of this derivation is "
                          "machine-checked (run `mlederive %s`).", d.loss_name, letter, right.textbook(d.model), yhat,
                          d.model.mean_display(), name)))
    answer = "%s: %s" % (letter, plain_text(options[correct], notation))
    return Question(number, "identify", prose("Which loss?"), prompt, why, answer,
                    [Para(prose("%s: %s, the %s", letter, options[correct], d.loss_name))], Grading("multichoice"),
                    choices=Choices(options, correct))


# -- kl -----------------------------------------------------------------------------------------------

def _random_distribution(rng, size: int) -> tuple:
    from fractions import Fraction

    weights = [rng.randint(1, 5) for _ in range(size)]
    return tuple(Fraction(w, sum(weights)) for w in weights)


def _checks_of(steps) -> Checks:
    """Verify stand-alone steps with the engine's verifier (a failure is an error of ours, not an answer)."""
    from .render.common import relation_phrase
    from .verification import verify_step

    items = []
    for index, step in enumerate(steps):
        check = verify_step(None, step, steps[index - 1] if index else None)
        if not check.verified:
            raise ExamError("a worked solution failed its own check (%s): %s" % (step.title, check.detail))
        items.append((step.title + prose(": ") + relation_phrase(step.relation), True, check.method))
    return Checks(tuple(items))


@question_kind("kl", needs=("kl-coin", "kl-mle-equivalence"), space=7.0)
def _kl_question(number, rng, pool, notation):
    from .arguments.kl import kl, kl_definition
    from .documents import Step
    from .relations import Difference, Evaluation

    size = rng.choice((2, 2, 3))
    p = _random_distribution(rng, size)
    q = _random_distribution(rng, size)
    while significant(float(kl(p, q))) == significant(float(kl(q, p))):  # equal to the precision asked:
        q = _random_distribution(rng, size)  # nothing for a student to tell apart; draw again
    P, Q = [sp.Rational(v) for v in p], [sp.Rational(v) for v in q]
    pq, qp = kl(P, Q), kl(Q, P)
    vpq, vqp = float(sp.N(pq, 30)), float(sp.N(qp, 30))
    steps = [
        Step("$D_KL(p ‖ q)$", "From the definition $Σ_k p_k log(p_k/q_k)$.", "D_KL(p ‖ q)",
             r"D_{\mathrm{KL}}(p \,\|\, q)", pq, "evaluated",
             payload=Evaluation(decimals={"nats": (vpq, 1)}, standalone=True, of=kl_definition(P, Q)[0],
                                subs=kl_definition(P, Q)[1])),
        Step("$D_KL(q ‖ p)$", "Arguments swapped: another number.", "D_KL(q ‖ p)", r"D_{\mathrm{KL}}(q \,\|\, p)", qp,
             "differs", payload=Difference(other=pq, of=kl_definition(Q, P)[0], subs=kl_definition(Q, P)[1])),
    ]
    a, b = numeric("D_KL(p ‖ q)", vpq), numeric("D_KL(q ‖ p)", vqp)
    show = lambda dist: ", ".join(str(v) for v in dist)  # noqa: E731
    prompt = [Para(prose("Two distributions over %d outcomes: $p = (%s)$ and $q = (%s)$. Compute $D_KL(p ‖ q)$ and "
                         "$D_KL(q ‖ p)$ in nats, to %d significant figures. Is the KL divergence symmetric?",
                         size, show(p), show(q), DIGITS))]
    solution = [
        Para(prose("By the definition $D_KL(p ‖ q) = Σ_k p_k log(p_k/q_k)$:")),
        Display((r"D_{\mathrm{KL}}(p \,\|\, q) &= %s \approx %s" % (_latex(pq), a.shown),
                 r"D_{\mathrm{KL}}(q \,\|\, p) &= %s \approx %s" % (_latex(qp), b.shown))),
        Para(prose("The two differ: the KL divergence is not symmetric (a divergence, not a distance).")),
        _checks_of(steps),
    ]
    blocks = [Para(prose("$D_KL(p ‖ q) ≈ %s$ and $D_KL(q ‖ p) ≈ %s$; not symmetric.", a.shown, b.shown))]
    return Question(number, "kl", prose("A KL divergence (%d outcomes)", size), prompt, solution,
                    _numbers_answer((a, b)), blocks, Grading("numerical", (a, b)))


# -- vanishing ----------------------------------------------------------------------------------------

@question_kind("vanishing", needs=("sigmoid-mse-vs-bce",), space=9.0)
def _vanishing_question(number, rng, pool, notation):
    doc = pool.derivations["sigmoid-mse-vs-bce"]
    z0 = rng.choice((-7, -6, -5, -4, -3))
    s = 1 / (1 + math.exp(-z0))
    mse, bce = numeric("|∂L_MSE/∂z|", (1 - s) ** 2 * s), numeric("|∂L_BCE/∂z|", 1 - s)
    prompt = [Para(prose("A network outputs $ŷ = σ(z)$ with $z = θᵀx$ and is trained on a label $y = 1$. Derive "
                         "$∂L/∂z$ for the squared error $L = ½(y − ŷ)²$ and for the binary cross-entropy. At "
                         "$z = %d$, compute both $|∂L/∂z|$ to %d significant figures and explain why training with "
                         "the squared error stalls.", z0, DIGITS))]
    solution = [
        Worked(doc, NOTATIONS[0]),
        Para(prose("At $z = %d$: $ŷ = σ(%d) ≈ %s$, so $|∂L_MSE/∂z| = (1 − ŷ)²·ŷ ≈ %s$ while "
                   "$|∂L_BCE/∂z| = 1 − ŷ ≈ %s$. The prediction is badly wrong ($ŷ$ near 0 for $y = 1$), yet the "
                   "squared error's gradient is tiny: its factor $σ′(z) = ŷ(1 − ŷ)$ vanishes where the sigmoid "
                   "saturates. Cross-entropy cancels that factor, so its gradient stays near its largest size.",
                   z0, z0, significant(s), mse.shown, bce.shown)),
    ]
    return Question(number, "vanishing", prose("MSE or cross-entropy on a sigmoid ($z = %d$)" % z0), prompt,
                    solution, _numbers_answer((mse, bce)),
                    [Para(prose("$|∂L_MSE/∂z| ≈ %s$ and $|∂L_BCE/∂z| ≈ %s$; the factor $σ′$ makes the MSE "
                                "gradient vanish.", mse.shown, bce.shown))], Grading("numerical", (mse, bce)))


# -- the exam -----------------------------------------------------------------------------------------

def variant_code(seed, number: int) -> str:
    """A short code per variant (e.g. 'K7Q-4MX') from a one-way hash: it names the variant on the papers and in
    the key without printing the seed, which reproduces every solution."""
    import base64
    import hashlib

    digest = hashlib.sha256(("mlederive-variant:%s:%d" % (seed, number)).encode()).digest()
    letters = base64.b32encode(digest).decode().replace("0", "").replace("1", "")[:6]
    return "%s-%s" % (letters[:3], letters[3:])


def standard_recipes() -> list[str]:
    """The built-in recipes an exam draws from by default: not the custom-density examples (ask with --recipes)."""
    from .recipe import builtin_names, load_recipe

    recipes = {n: load_recipe(n) for n in builtin_names()}
    return [n for n, r in recipes.items()
            if getattr(r, "custom_family", None) is None and getattr(r, "custom_link", None) is None]


def slot_kinds(seed, kinds: list, questions: int) -> list:
    """The kind of each question slot, the same in every variant: the kinds in order from a start the seed picks."""
    import hashlib

    start = int(hashlib.sha256(("mlederive-slots:%s" % seed).encode()).hexdigest(), 16) % len(kinds)
    return [kinds[(start + q) % len(kinds)] for q in range(questions)]


def _points(points, questions: int) -> list[int]:
    if points is None:
        return [10] * questions
    if len(points) == 1:
        return list(points) * questions
    if len(points) != questions:
        raise ExamError("--points: give one number, or one per question (%d), e.g. --points 10,10,5" % questions)
    return list(points)


def build_exam(seed, variants: int, questions: int, recipes=None, progress=None, *, title: str = TITLE,
               course: str = "", points=None, space: bool | float = True) -> Exam:
    """Build every variant in memory (nothing is written here).

    ``points``: one number for every question, or one per question (default 10 each); ``space``: room to answer
    on the printed exam (True: as each kind needs, a number: that many cm for every question, False: none).
    """
    from .recipe import Recipe

    if not 1 <= variants <= MAX_VARIANTS:
        raise ExamError("--variants %s: give a number from 1 to %d" % (variants, MAX_VARIANTS))
    if not 1 <= questions <= MAX_QUESTIONS:
        raise ExamError("--questions %s: give a number from 1 to %d" % (questions, MAX_QUESTIONS))
    weights = _points(points, questions)
    if any(not 0 < w <= 1000 for w in weights):
        raise ExamError("--points: give whole numbers from 1 to 1000")
    pool = list(recipes) if recipes else standard_recipes()
    if not pool:
        raise ExamError("--recipes: give at least one recipe name, e.g. --recipes bernoulli-logit,poisson-log")
    derivations = _Derivations(pool)  # loads (and so validates) every recipe before any work
    # MAP recipes are left out: the derive/identify questions state a likelihood, not a prior
    loss_pool = [n for n in pool if isinstance(derivations.recipes[n], Recipe) and not derivations.recipes[n].prior]
    drawable = ("bernoulli", "gaussian", "poisson")  # the families _sample can draw data for
    mle_families = [f for f in dict.fromkeys(derivations.recipes[n].family for n in loss_pool) if f in drawable] \
        or list(drawable)
    sources = Pool(pool, derivations, loss_pool, mle_families)
    kinds = slot_kinds(seed, [k for k in QUESTION_KINDS.values() if k.available(sources)], questions)
    built = []
    for v in range(1, variants + 1):
        rng = random.Random("mlederive-exam:%s:%d" % (seed, v))
        notation = rng.choice(NOTATIONS)
        variant = Variant(v, notation, code=variant_code(seed, v))
        for q, (kind, weight) in enumerate(zip(kinds, weights), start=1):
            question = kind.build(q, rng, sources, notation)
            question.points = weight
            question.space = kind.space if space is True else float(space or 0)
            variant.questions.append(question)
        built.append(variant)
        if progress is not None:
            progress()
    return Exam(str(seed), built, tuple(pool), title or TITLE, course)
