"""The question kinds, one ``@question_kind`` builder each: derive, mle, identify, kl, vanishing."""
from __future__ import annotations

import math

import sympy as sp

from .. import symbolic as S
from ..losses import NAMED_LOSSES
from ..mle import solve_mle
from ..prose import TeX, join, prose
from ..questions import Checks, Choices, Display, Grading, Para, Question, Worked
from ..render.common import gradient_lhs_latex, plain_text
from ..render.latex import MathPrinter, equation_rows, inline_math
from .registry import (
    DIGITS,
    ExamError,
    _numbers_answer,
    numeric,
    question_kind,
    significant,
)


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
                    answer, blocks, recipe=name)


# -- derive the gradient for each parameter --------------------------------------------------------------

@question_kind("derive-each", needs_several=True, space=14.0)
def _derive_each_question(number, rng, pool, notation):
    """A model with several predicted parameters: the loss, and its gradient in each parameter's η."""
    name = rng.choice(pool.several)
    d = pool.derivations[name]
    m = d.model
    names = join([prose("$η_{%s,i}$" % p.letter) for p in m.predicted], ", ", " and ")
    prompt = [
        Para(prose("Assume %s", d.steps[0].justification)),
        Para(prose("Starting from the likelihood of an i.i.d. sample, derive the loss that maximum likelihood leads to "
                   "(drop the terms that do not depend on the weights, take the mean over the sample), then its "
                   "gradient with respect to each parameter's linear predictor, %s, by the chain rule through "
                   "each link. Justify every step.", names)),
    ]
    label = d.loss_name or "%s negative log-likelihood" % m.family.title
    grads = [d.step("grad-eta-" + p.name) for p in m.predicted]
    answer = "%s: loss = %s; %s" % (label, plain_text(prose("$%s$", d.loss), notation), "; ".join(
        "%s = %s" % (plain_text(prose("$%s$", g.lhs)), plain_text(prose("$%s$", g.expr), notation)) for g in grads))
    rows = tuple(equation_rows(r"\mathcal{L}(\theta)", d.loss, notation))
    for g in grads:
        rows += tuple(equation_rows(g.lhs_latex, g.expr, notation))
    blocks = [Para(prose("%s,", label[0].upper() + label[1:])), Display(rows)]
    return Question(number, "derive-each", prose("Derive the gradient for each parameter (%s)" % d.model.family.title),
                    prompt, [Worked(d, notation)], answer, blocks, recipe=name)


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
        Display((notation.latex(r"\frac{1}{n}\,\ell = %s + \text{const}" % _latex(result.loglik, result)),)),
        Para(prose("Set the score to zero:")),
        Display(tuple(notation.latex(r"\frac{1}{n}\frac{\partial \ell}{\partial %s} &= %s = 0" % (lt, _latex(sc, result)))
                      for lt, sc in zip(prob.latex, result.score))),
        Para(prose("Solving gives")),
        Display(tuple(notation.latex(r"\hat{%s} &= %s" % (lt, _latex(result.estimate[p], result)))
                      for p, lt in zip(prob.params, prob.latex))),
        *_second_order(result, notation),
        Checks(tuple((c.what, c.verified, c.method) for c in result.checks)),
    ]
    at = result.stat_values()
    numbers = tuple(numeric(t, float(v)) for t, (_, v) in zip(names, result.values()))
    solution.append(Para(prose("On the data, $n = %s$ and %s, so", sp.Integer(len(data)), join(
        [prose("$%s = %s$", TeX(s.latex, s.text), TeX(_latex(at[s.symbol]))) for s in result.statistics],
        ", ", " and "))))
    solution.append(Display(tuple(notation.latex(r"%s &= %s \approx %s" % (lt, _latex(v), n.shown))
                                  for (lt, v), n in zip(result.values(), numbers))))
    blocks = [Para(join([prose("$%s = %s$", t, n.shown) for t, n in zip(names, numbers)], ", ", " and "))]
    return Question(number, "mle", prose("Maximum likelihood from data (%s)", prob.family.title()
                                         if prob.family != "gaussian" else "Gaussian"),
                    prompt, solution, _numbers_answer(numbers), blocks, Grading("numerical", numbers))


def _second_order(result, notation) -> list:
    h, prob = result.hessian, result.problem
    if h.shape == (1, 1):
        lt = prob.latex[0]
        return [Para(prose("Second-order condition: at the estimate,")),
                Display((notation.latex(r"\frac{1}{n}\frac{\partial^2 \ell}{\partial %s^2} &= %s"
                                        % (lt, _latex(h[0, 0], result))),)),
                Para(prose("which is negative %s, so the estimate is a maximum.",
                           "whatever the sample" if result.checks[-1].method == "symbolic" else "on this sample"))]
    return [Para(prose("Second-order condition: the Hessian of $ℓ/n$ at the estimate is")),
            Display((notation.latex(r"H &= %s" % _latex(h, result)),)),
            Para(prose("which is negative definite, so the estimate is a maximum."))]


# -- identify ---------------------------------------------------------------------------------------

def equivalent(model, a, b) -> bool:
    """Two per-observation losses in ŷ lead to the same estimate under ``model``: their ŷ-derivatives are in a
    positive ratio free of ŷ, y and the learned parameters (the Gaussian NLL with σ known is the squared error)."""
    yhat = S.yhat[S.i, S.k] if model.one_hot else S.yhat[S.i]
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
    # (no σ the model does not have; a one-hot outcome's losses class by class)
    fits = [loss for loss in NAMED_LOSSES if all(p in params for p in loss.needs) and (d.model.one_hot or not loss.one_hot)]
    others = [loss for loss in fits if loss is not right and loss.distractor and not equivalent(
        d.model, truth, loss.form(d.model.y_obs(), loss.yhat(d.model), params))]
    chosen = rng.sample(others, min(3, len(others))) + [right]
    rng.shuffle(chosen)

    def shown(loss):
        """A loss of one observation as an option: for a one-hot outcome a scalar form is summed over the classes,
        as the cross-entropy is (only the right option had Σ_k once)."""
        form = loss.textbook(d.model, params)
        if not d.model.one_hot or loss.one_hot:
            return form
        if form.is_Mul and form.args[0] == -1:  # −(y log ŷ + …) summed: −Σ_k (…), not Σ_k −(…)
            return sp.Mul(-1, sp.Sum(sp.Mul(*form.args[1:]), (S.k, 1, S.K)), evaluate=False)
        return sp.Sum(form, (S.k, 1, S.K))

    options = tuple(prose("$%s$", shown(loss)) for loss in chosen)
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
    from ..render.common import relation_phrase
    from ..verification import verify_step

    items = []
    for index, step in enumerate(steps):
        check = verify_step(None, step, steps[index - 1] if index else None)
        if not check.verified:
            raise ExamError("a worked solution failed its own check (%s): %s" % (step.title, check.detail))
        items.append((step.title + prose(": ") + relation_phrase(step.relation, step.payload), True, check.method))
    return Checks(tuple(items))


@question_kind("kl", needs=("kl-coin", "kl-mle-equivalence"), space=7.0)
def _kl_question(number, rng, pool, notation):
    from ..arguments.kl import kl, kl_definition
    from ..documents import Step
    from ..relations import Difference, Evaluation

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
             payload=Evaluation(decimals={"nats": (vpq, 1)}, standalone=True, value_of=kl_definition(P, Q)[0],
                                subs=kl_definition(P, Q)[1])),
        Step("$D_KL(q ‖ p)$", "Arguments swapped: another number.", "D_KL(q ‖ p)", r"D_{\mathrm{KL}}(q \,\|\, p)", qp,
             "differs", payload=Difference(other=pq, value_of=kl_definition(Q, P)[0], subs=kl_definition(Q, P)[1])),
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
    z0 = pool.distinct(("vanishing", number), (-10, -9, -8, -7, -6, -5, -4, -3), rng)
    s = 1 / (1 + math.exp(-z0))
    mse, bce = numeric("|∂L_MSE/∂z|", (1 - s) ** 2 * s), numeric("|∂L_BCE/∂z|", 1 - s)
    prompt = [Para(prose("A network outputs $ŷ = σ(z)$ with $z = θᵀx$ and is trained on a label $y = 1$. Derive "
                         "$∂L/∂z$ for the squared error $L = ½(y − ŷ)²$ and for the binary cross-entropy. At "
                         "$z = %s$, compute both $|∂L/∂z|$ to %d significant figures and explain why training with "
                         "the squared error stalls.", sp.Integer(z0), DIGITS))]
    solution = [
        Worked(doc, notation),
        Para(prose("At $z = %s$: $ŷ = σ(%s) ≈ %s$, so $|∂L_MSE/∂z| = (1 − ŷ)²·ŷ ≈ %s$ while "
                   "$|∂L_BCE/∂z| = 1 − ŷ ≈ %s$. The prediction is badly wrong ($ŷ$ near 0 for $y = 1$), yet the "
                   "squared error's gradient is tiny: its factor $σ′(z) = ŷ(1 − ŷ)$ vanishes where the sigmoid "
                   "saturates. Cross-entropy cancels that factor, so its gradient stays near its largest size.",
                   sp.Integer(z0), sp.Integer(z0), significant(s), mse.shown, bce.shown)),
    ]
    return Question(number, "vanishing", prose("MSE or cross-entropy on a sigmoid ($z = %s$)", sp.Integer(z0)), prompt,
                    solution, _numbers_answer((mse, bce)),
                    [Para(prose("$|∂L_MSE/∂z| ≈ %s$ and $|∂L_BCE/∂z| ≈ %s$; the factor $σ′$ makes the MSE "
                                "gradient vanish.", mse.shown, bce.shown))], Grading("numerical", (mse, bce)))


