"""Exams: randomized questions whose worked solutions the engine derives and verifies.

An exam is built from a seed: each variant draws, from its own
``random.Random``, which family/link pairs it asks about, what the weights,
inputs and targets are called, and the numbers of its data samples. The same
seed gives the same exam, byte for byte. Question kinds are a registry
(:data:`QUESTION_KINDS`, one ``@question_kind`` builder each), cycled through in order:

``derive``    derive the loss and its gradient (the full verified derivation);
``mle``       the closed-form MLE from a drawn sample (:mod:`mlederive.mle`);
``identify``  which loss does an assumption lead to, and why (multiple choice);
``kl``        the KL divergence of two coins, and why minimising it is maximum likelihood;
``vanishing`` MSE or cross-entropy on a sigmoid: the gradient at a saturated output.

This module builds questions as values (blocks of prose, math and choices);
:mod:`mlederive.render.exam` turns them into LaTeX, Markdown and Moodle XML.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable

from . import symbolic as S
from .errors import MlederiveError
from .losses import NAMED_LOSSES
from .mle import PROBLEMS, fraction_text, solve_mle
from .questions import Checks, Choices, Display, Exam, Para, Question, Tex, Variant, Worked
from .render.common import Name, Notation, gradient_lhs_latex
from .render.latex import equation_rows, inline_math


NOTATIONS = (
    Notation(),
    Notation(Name("w", "w", "w"), Name("x", "x", "x"), Name("y", "y", "y")),
    Notation(Name("w", "w", "w"), Name("z", "z", "z"), Name("t", "t", "t")),
    Notation(Name("beta", "β", r"\beta"), Name("u", "u", "u"), Name("y", "y", "y")),
    Notation(Name("theta", "θ", r"\theta"), Name("v", "v", "v"), Name("t", "t", "t")),
)

MAX_VARIANTS, MAX_QUESTIONS = 500, 30


class ExamError(MlederiveError):
    pass


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

    def available(self, pool: "Pool") -> bool:
        return (not self.needs_losses or bool(pool.losses)) and (not self.needs or any(n in pool.names
                                                                                           for n in self.needs))


#: name → kind, in the order a variant cycles through them; adding a kind is one decorated builder
QUESTION_KINDS: dict[str, QuestionKind] = {}


def question_kind(name: str, needs_losses: bool = False, needs: tuple = ()):
    def register(build):
        QUESTION_KINDS[name] = QuestionKind(name, build, needs_losses, needs)
        return build

    return register


@dataclass
class Pool:
    """What questions draw from: the recipes named, their derivations, the likelihoods, the MLE families."""

    names: list
    derivations: "_Derivations"
    losses: list
    mle_families: list


# -- building ---------------------------------------------------------------------------------

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
    learned = "".join(", %s learned" % S.inline(d.model.params[n]) for n in d.model.learned)
    return "%s, %s link%s" % (d.model.family.title, d.model.link.name, learned)


def _model_sentence(d, notation: Notation) -> str:
    return notation.text(d.steps[0].justification)


@question_kind("derive", needs_losses=True)
def _derive_question(number, rng, pool, notation):
    name = rng.choice(pool.losses)
    d = pool.derivations[name]
    r = d.recipe
    what = "the mean over the sample" if r.reduction == "mean" else "the sum over the sample"
    prompt = [
        Para(("Assume: %s" % _model_sentence(d, notation),)),
        Para(("Starting from the likelihood of an i.i.d. sample, derive the loss that maximum likelihood leads to "
              "(drop the terms that do not depend on %s, take %s) and its gradient with respect to %s. "
              "Justify every step." % (notation.weights.text, what, notation.weights.text),)),
    ]
    label = d.loss_name or "%s negative log-likelihood" % d.model.family.title
    answer = "%s: loss = %s; gradient = %s" % (label, notation.text(S.inline(d.loss)),
                                              notation.text(S.inline(d.gradients["theta"])))
    blocks = [Para((label + ",",)),
              Display(tuple(equation_rows(r"\mathcal{L}(\theta)", d.loss, notation))
                      + tuple(equation_rows(gradient_lhs_latex(d, "theta"), d.gradients["theta"], notation)))]
    return Question(number, "derive", "Derive a loss (%s)" % _pair_title(d),
                    prompt, [Worked(d, notation)], answer, blocks, ("essay",))


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
    import math

    limit, k, prod = math.exp(-lam), 0, rng.random()
    while prod > limit:
        k += 1
        prod *= rng.random()
    return k


@question_kind("mle")
def _mle_question(number, rng, pool, notation):
    families = pool.mle_families
    family = rng.choice(families)
    data = _sample(rng, family)
    result = solve_mle(family, data)
    if not result.verified:
        raise ExamError("MLE for %s failed its own checks" % family)
    prob = result.problem
    shown = ", ".join(str(v) for v in data)
    params_text = " and ".join(
        "%ŝ%s" % (p.name.replace("lambda", "λ").replace("mu", "μ").replace("sigma", "σ"), "²" if rep == "square" else "")
        for p, rep in zip(prob.params, prob.report))
    prompt = [Para(("The values y = (%s) are an i.i.d. sample from %s. " % (shown, prob.notation),
                    "Find the maximum-likelihood estimate %s: write the log-likelihood, set the score to zero, "
                    "check the second-order condition, and evaluate on the data (to 3 decimals)." % params_text,))]
    stats_parts = []
    for s in result.statistics:
        stats_parts += [Tex(r"%s = \frac{1}{n}\sum_{i=1}^{n} %s" % (s.latex, _stat_term(s)))]
    solution = [
        Para(("The log-likelihood of n i.i.d. observations is a sum over the sample. Divided by n, with the terms "
              "that do not depend on the parameters dropped, it needs only the sample means ",
              *_join(stats_parts), ":")),
        Display((r"\frac{1}{n}\,\ell = %s + \text{const}" % result.per_obs_latex,)),
        Para(("Set the score to zero:",)),
        Display(tuple(r"\frac{1}{n}\frac{\partial \ell}{\partial %s} &= %s = 0" % (lt, _latex(sc))
                      for lt, sc in zip(prob.latex, result.score))),
        Para(("Solving gives",)),
        Display(tuple(r"\hat{%s} &= %s" % (lt, _latex(result.estimate[p])) for p, lt in zip(prob.params, prob.latex))),
        *_second_order(result),
        Checks(tuple((c.what, c.verified, c.method) for c in result.checks)),
    ]
    values = result.values()
    at = result.stat_values()
    solution.append(Para(("On the data, n = %d and " % len(data),
                          *_join([Tex(r"%s = %s" % (s.latex, _latex(at[s.symbol]))) for s in result.statistics]),
                          ", so")))
    solution.append(Display(tuple(r"%s &= %s \approx %s" % (lt, _latex(v), fraction_text(v)) for lt, v in values)))
    answer = "; ".join("%s = %s" % (t, fraction_text(v)) for t, (_, v) in zip(prob.estimate_text(), values))
    blocks = [Para(tuple(_join([Tex(r"%s = %s" % (lt, fraction_text(v))) for lt, v in values])))]
    return Question(number, "mle", "Maximum likelihood from data (%s)" % prob.notation, prompt, solution, answer,
                    blocks, ("numerical", tuple((t, float(fraction_text(v))) for t, (_, v) in zip(prob.estimate_text(), values))))


def _second_order(result) -> list:
    h, prob = result.hessian, result.problem
    if h.shape == (1, 1):
        lt = prob.latex[0]
        return [Para(("Second-order condition: at the estimate,",)),
                Display((r"\frac{1}{n}\frac{\partial^2 \ell}{\partial %s^2} &= %s" % (lt, _latex(h[0, 0])),)),
                Para(("which is negative %s, so the estimate is a maximum." % (
                    "whatever the sample" if result.checks[-1].method == "symbolic" else "on this sample"),))]
    return [Para(("Second-order condition: the Hessian of ℓ/n at the estimate is",)),
            Display((r"H &= %s" % _latex(h),)),
            Para(("which is negative definite, so the estimate is a maximum.",))]


def _stat_term(s) -> str:
    from sympy import latex, Symbol

    return latex(s.of.subs(Symbol("y", real=True), Symbol("y_i")))


def _latex(expr) -> str:
    from .render.latex import MathPrinter

    return MathPrinter({"symbol_names": {}}).doprint(expr)


def _join(parts: list) -> list:
    out = []
    for n, p in enumerate(parts):
        if n:
            out.append(" and " if n == len(parts) - 1 else ", ")
        out.append(p)
    return out


@question_kind("identify", needs_losses=True)
def _identify_question(number, rng, pool, notation):
    derivations, pool = pool.derivations, pool.losses
    named = [name for name in pool if derivations[name].loss_name]
    if not named:
        raise ExamError("no recipe in --recipes leads to a named loss; add one for 'which loss' questions")
    name = rng.choice(named)
    d = derivations[name]
    correct = d.loss_name
    others = sorted({loss.name(d.recipe.reduction) for loss in NAMED_LOSSES} - {correct})
    options = rng.sample(others, min(3, len(others))) + [correct]
    rng.shuffle(options)
    prompt = [Para(("Assume: %s" % _model_sentence(d, notation),)),
              Para(("Which loss does maximum likelihood lead to (%s reduction)? Say why." % d.recipe.reduction,)),
              Choices(tuple(options), options.index(correct))]
    dropped_step = next(s for s in d.steps if s.relation == "constant-dropped")
    dropped = dropped_step.payload.dropped or []
    nll = -d.loglik_summand
    why = [Para(("The negative log-likelihood of one observation is",)),
           Display((notation.latex(r"-\log p(y_i \mid x_i; \theta)") + " &= " + inline_math(nll, notation),))]
    if dropped:
        why.append(Para(("Over the sample, the terms ", *_join([Tex(inline_math(t, notation)) for t in dropped]),
                         " do not depend on %s and are dropped; positive constant factors (and the %s reduction) "
                         "do not move the minimum either, which leaves" % (notation.weights.text,
                                                                          d.recipe.reduction),)))
    else:
        why.append(Para(("Every term depends on %s; positive constant factors (and the %s reduction) do not move "
                         "the minimum, which leaves" % (notation.weights.text, d.recipe.reduction),)))
    why.append(Display((r"\mathcal{L} &= " + inline_math(d.loss, notation),)))
    letter = "ABCDEFG"[options.index(correct)]
    why.append(Para(("— the %s. Every step of this derivation is machine-checked (run mlederive %s)." % (correct, name),)))
    answer = "%s: %s" % (letter, correct)
    return Question(number, "identify", "Which loss? (%s)" % _pair_title(d),
                    prompt, why, answer, [Para((answer,))], ("multichoice", tuple(options), options.index(correct)))


def _checks_of(steps) -> Checks:
    """Verify stand-alone steps with the engine's verifier and show the marks."""
    from .render.common import relation_phrase
    from .verification import verify_step

    items = []
    for index, step in enumerate(steps):
        check = verify_step(None, step, steps[index - 1] if index else None)
        if not check.verified:
            raise ExamError("a worked solution failed its own check (%s): %s" % (step.title, check.detail))
        items.append(("%s: %s" % (step.title, relation_phrase(step.relation)), True, check.method))
    return Checks(tuple(items))


def _random_distribution(rng, size: int) -> tuple:
    from fractions import Fraction

    weights = [rng.randint(1, 5) for _ in range(size)]
    return tuple(Fraction(w, sum(weights)) for w in weights)


@question_kind("kl", needs=("kl-coin", "kl-mle-equivalence"))
def _kl_question(number, rng, pool, notation):
    import sympy as sp

    from .arguments.kl import kl, kl_definition
    from .mle import fraction_text
    from .documents import Step
    from .relations import Difference, Evaluation

    size = rng.choice((2, 2, 3))
    p = _random_distribution(rng, size)
    q = _random_distribution(rng, size)
    while kl(p, q) == kl(q, p):  # equal (e.g. p and q mirror images): no asymmetry to show; draw again
        q = _random_distribution(rng, size)
    P, Q = [sp.Rational(v) for v in p], [sp.Rational(v) for v in q]
    pq, qp = kl(P, Q), kl(Q, P)
    vpq, vqp = float(sp.N(pq, 30)), float(sp.N(qp, 30))
    show = lambda dist: "(" + ", ".join(str(v) for v in dist) + ")"  # noqa: E731
    steps = [
        Step("D_KL(p ‖ q)", "From the definition Σ_k p_k log(p_k/q_k).", "D_KL(p ‖ q)",
             r"D_{\mathrm{KL}}(p \,\|\, q)", pq, "evaluated",
             payload=Evaluation(decimals={"nats": (vpq, 1)}, standalone=True, of=kl_definition(P, Q)[0],
                                subs=kl_definition(P, Q)[1])),
        Step("D_KL(q ‖ p)", "Arguments swapped: another number.", "D_KL(q ‖ p)", r"D_{\mathrm{KL}}(q \,\|\, p)", qp,
             "differs", payload=Difference(other=pq, of=kl_definition(Q, P)[0], subs=kl_definition(Q, P)[1])),
    ]
    prompt = [Para(("Two distributions over %d outcomes: p = %s and q = %s. Compute D_KL(p ‖ q) and D_KL(q ‖ p) "
                    "in nats (to 3 decimals). Is the KL divergence symmetric?" % (size, show(p), show(q)),))]
    solution = [
        Para(("By the definition D_KL(p ‖ q) = Σ_k p_k log(p_k / q_k):",)),
        Display((r"D_{\mathrm{KL}}(p \,\|\, q) &= %s \approx %s" % (_latex(pq), fraction_text(sp.Rational(str(vpq)))),
                 r"D_{\mathrm{KL}}(q \,\|\, p) &= %s \approx %s" % (_latex(qp), fraction_text(sp.Rational(str(vqp)))))),
        Para(("The two differ: the KL divergence is not symmetric (a divergence, not a distance).",)),
        _checks_of(steps),
    ]
    a, b = fraction_text(sp.Rational(str(vpq))), fraction_text(sp.Rational(str(vqp)))
    answer = "D_KL(p‖q) = %s; D_KL(q‖p) = %s" % (a, b)
    blocks = [Para((Tex(r"D_{\mathrm{KL}}(p \,\|\, q) = %s" % a), " and ",
                    Tex(r"D_{\mathrm{KL}}(q \,\|\, p) = %s" % b), "; not symmetric."))]
    return Question(number, "kl", "A KL divergence (%d outcomes)" % size, prompt, solution, answer, blocks,
                    ("numerical", (("D_KL(p‖q)", float(a)), ("D_KL(q‖p)", float(b)))))


@question_kind("vanishing", needs=("sigmoid-mse-vs-bce",))
def _vanishing_question(number, rng, pool, notation):
    derivations = pool.derivations
    import math

    doc = derivations["sigmoid-mse-vs-bce"]
    z0 = rng.choice((-7, -6, -5, -4, -3))
    s = 1 / (1 + math.exp(-z0))
    mse, bce = abs(-(1 - s) * s * (1 - s)), abs(s - 1)
    prompt = [Para(("A network outputs ŷ = σ(z) with z = θᵀx and is trained on a label y = 1. Derive ∂L/∂z for the "
                    "squared error L = ½(y − ŷ)² and for the binary cross-entropy. At z = %d, compute both |∂L/∂z| "
                    "(4 significant digits) and explain why training with the squared error stalls." % z0,))]
    mse_t, bce_t = "%.4g" % mse, "%.4g" % bce
    solution = [
        Worked(doc, NOTATIONS[0]),
        Para(("At z = %d: ŷ = σ(%d) ≈ %.4g, so |∂L_MSE/∂z| = (1 − ŷ)²·ŷ ≈ %s while |∂L_BCE/∂z| = 1 − ŷ ≈ %s. "
              "The prediction is badly wrong (ŷ near 0 for y = 1), yet the squared error's gradient is tiny: its "
              "σ′(z) = ŷ(1 − ŷ) factor vanishes where the sigmoid saturates. Cross-entropy cancels that factor, so "
              "its gradient stays near its largest size." % (z0, z0, s, mse_t, bce_t),)),
    ]
    answer = "|∂L_MSE/∂z| = %s; |∂L_BCE/∂z| = %s" % (mse_t, bce_t)
    return Question(number, "vanishing", "MSE or cross-entropy on a sigmoid (z = %d)" % z0, prompt, solution, answer,
                    [Para((answer + "; the σ′ factor makes the MSE gradient vanish.",))],
                    ("numerical", (("|∂L_MSE/∂z|", float(mse_t), max(1e-6, 0.005 * mse)),
                                   ("|∂L_BCE/∂z|", float(bce_t), max(1e-6, 0.005 * bce)))))


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


def build_exam(seed, variants: int, questions: int, recipes=None, progress=None) -> Exam:
    """Build every variant in memory (nothing is written here)."""
    from .recipe import builtin_names

    if not 1 <= variants <= MAX_VARIANTS:
        raise ExamError("--variants %s: give a number from 1 to %d" % (variants, MAX_VARIANTS))
    if not 1 <= questions <= MAX_QUESTIONS:
        raise ExamError("--questions %s: give a number from 1 to %d" % (questions, MAX_QUESTIONS))
    pool = list(recipes) if recipes else standard_recipes()
    if not pool:
        raise ExamError("--recipes: give at least one recipe name, e.g. --recipes bernoulli-logit,poisson-log")
    derivations = _Derivations(pool)  # loads (and so validates) every recipe before any work
    from .recipe import Recipe

    # MAP recipes are left out: the derive/identify questions state a likelihood, not a prior
    loss_pool = [n for n in pool if isinstance(derivations.recipes[n], Recipe) and not derivations.recipes[n].prior]
    drawable = ("bernoulli", "gaussian", "poisson")  # the families _sample can draw data for
    mle_families = [f for f in dict.fromkeys(derivations.recipes[n].family for n in loss_pool) if f in drawable] \
        or list(drawable)
    sources = Pool(pool, derivations, loss_pool, mle_families)
    kinds = [k for k in QUESTION_KINDS.values() if k.available(sources)]
    built = []
    for v in range(1, variants + 1):
        rng = random.Random("mlederive-exam:%s:%d" % (seed, v))
        notation = rng.choice(NOTATIONS)
        start = rng.randrange(len(kinds))
        variant = Variant(v, notation, code=variant_code(seed, v))
        for q in range(1, questions + 1):
            kind = kinds[(start + q - 1) % len(kinds)]
            variant.questions.append(kind.build(q, rng, sources, notation))
        built.append(variant)
        if progress is not None:
            progress()
    return Exam(str(seed), built, tuple(pool))
