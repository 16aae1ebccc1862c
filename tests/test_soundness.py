"""Soundness: the verifier accepts no wrong step (issue 11's classes A–K, each with a test named after it),
and does not reject right ones written another way."""
from __future__ import annotations

from dataclasses import replace

import pytest
import sympy as sp
from conftest import derived

from mlederive import symbolic as S
from mlederive.relations import Expectation, Substituted
from mlederive.verification import check_step


def rejected(d, step_id, **changes) -> bool:
    step = replace(d.step(step_id), **changes)
    check = check_step(d, step)
    return not check.verified


def accepted(d, step_id, **changes) -> bool:
    return check_step(d, replace(d.step(step_id), **changes)).verified


# -- A. the Fisher step's stated mean ---------------------------------------------------------

def test_class_a_fisher_with_a_wrong_stated_mean_is_rejected():
    d = derived("gamma-log")
    curvature, mean = d.step("curvature").expr, d.model.mean()
    y = d.model.y_obs()
    wrong = 2 * mean
    assert rejected(d, "fisher", expr=curvature.subs(y, wrong), payload=Expectation(mean=wrong))
    assert accepted(d, "fisher")  # the right one, for the record


def test_class_a_every_fisher_step_states_the_model_mean():
    for name in ("poisson-log", "bernoulli-probit", "inverse-gaussian-inverse-squared", "negative-binomial-log"):
        d = derived(name)
        assert accepted(d, "fisher")
        y, mean = d.model.y_obs(), d.model.mean()
        off = mean + 1
        assert rejected(d, "fisher", expr=d.step("curvature").expr.subs(y, off), payload=Expectation(mean=off))


# -- B. substitution: another branch of g⁻¹ -----------------------------------------------------

def _substitute(d, inverse):
    ref = d.reference_of(d.step("density"))
    return dict(expr=ref.expr.xreplace({d.model.mu_obs(): inverse}), payload=Substituted(inverse=inverse))


def test_class_b_another_branch_of_the_inverse_link_is_rejected():
    eta = S.eta[S.i]
    cases = {
        "bernoulli-cauchit": lambda m: m + 1,                  # tan(π(μ − ½)) has period 1 in μ
        "gamma-inverse-squared": lambda m: -m,                 # −1/√η: squares to the same 1/μ²
        "poisson-smooth-relu": lambda m: eta - sp.sqrt(eta ** 2 + 1),  # the other root of the link
    }
    for name, wrong in cases.items():
        d = derived(name)
        assert accepted(d, "density"), name
        assert rejected(d, "density", **_substitute(d, wrong(d.model.mean()))), name


# -- H. convexity is never shown by a sample ----------------------------------------------------

def test_class_h_convexity_claimed_where_the_curvature_changes_sign_is_rejected():
    d = derived("beta-logit")  # its curvature is negative on part of the domain (μ = 0.8, y = 0.05, φ = 2)
    step = d.step("curvature")
    assert not step.payload.convex and accepted(d, "curvature")
    assert rejected(d, "curvature", payload=replace(step.payload, convex=True))


def test_class_h_convexity_of_canonical_links_is_proved_symbolically():
    for name in ("bernoulli-logit", "poisson-log", "gamma-inverse", "gaussian-identity", "binomial-logit"):
        d = derived(name)
        check = d.checks[[s.id for s in d.steps].index("curvature")]
        assert d.step("curvature").payload.convex and check.verified and check.method.value == "symbolic", name


def test_class_h_positivity_that_fails_on_a_sliver_of_the_domain_is_not_sampled_into_truth():
    from mlederive.verification.prover import Claim, prove

    model = derived("gaussian-identity").model
    sliver = (S.eta[S.i] - sp.Rational(1, 2)) ** 2 - sp.Rational(1, 10 ** 6)  # < 0 only for |η − ½| < 0.001
    out = prove(Claim("positive", sliver, "convex"), model)
    assert not out.ok and "not proved positive" in out.detail
    assert prove(Claim("positive", (S.eta[S.i] - sp.Rational(1, 2)) ** 2 + 1, "convex"), model).ok


# -- G. a θ-dependent rescaling factor ----------------------------------------------------------

def test_class_g_a_rescaling_factor_in_the_predictors_own_weights_is_rejected():
    from mlederive.predictors import concrete_weight
    from mlederive.relations import Rescaling

    for name in ("gaussian-identity", "ridge-regression"):
        d = derived(name)
        step = d.step("loss")
        ref = d.reference_of(step)
        for weight in (concrete_weight(1), sp.Symbol("theta", real=True), S.weights[1], S.x[S.i]):
            factor = (weight ** 2 + 1) * step.payload.factor if step.payload.factor is not None else weight ** 2 + 1
            assert rejected(d, "loss", expr=factor * ref.expr,
                            payload=Rescaling(factor=factor)), (name, weight)
        assert accepted(d, "loss")


# -- F. the numeric tolerance follows the working precision -------------------------------------

def test_class_f_a_step_off_by_one_part_in_ten_billion_is_rejected():
    from mlederive.verification.prover import Claim, prove

    d = derived("gaussian-identity")
    loss = d.step("loss")
    off = loss.expr * (1 + sp.Rational(1, 10 ** 10))
    assert rejected(d, "loss", expr=off)
    # and the prover itself: exact arithmetic would say nonzero, the sample must too
    y, eta = S.y[S.i], S.eta[S.i]
    claim = Claim("zero", sp.exp(eta) * (1 + sp.Rational(1, 10 ** 12)) - sp.exp(eta) + 0 * y, "tiny")
    assert not prove(claim, d.model).ok


def test_class_f_cancellation_of_large_terms_is_not_a_false_reject():
    from mlederive.verification.prover import Claim, _numeric

    model = derived("poisson-log").model
    eta = S.eta[S.i]
    big = sp.exp(40 * eta ** 2 + 40)  # 1e17 and more: the terms cancel to 0 exactly
    assert _numeric(Claim("zero", (big + sp.exp(eta)) - big - sp.exp(eta), "cancel"), model, 20, 0)[0]


# -- J. a complex or undefined value inside the domain is a failure ----------------------------

def test_class_j_a_term_complex_on_half_the_domain_is_rejected():
    d = derived("gaussian-identity")
    y, eta = S.y[S.i], S.eta[S.i]
    loss = d.step("loss")
    bad = loss.expr + sp.Sum(sp.log(sp.sign(y - eta)), (S.i, 1, S.n)) / S.n
    assert rejected(d, "loss", expr=bad)
    check = check_step(d, replace(loss, expr=bad))
    assert "complex" in check.detail or "not proved" in check.detail or "nonzero" in check.detail


def test_class_j_a_claim_that_cannot_be_evaluated_fails_with_its_reason():
    from mlederive.verification.prover import Claim, _numeric

    model = derived("poisson-log").model
    opaque = sp.Function("f")(S.eta[S.i])
    ok, why = _numeric(Claim("zero", opaque - opaque.func(S.eta[S.i] + 1), "opaque"), model, 5, 0)
    assert not ok and "not evaluable" in why


# -- I. DiracDelta terms are compared, not sampled (they vanish at every sampled point) ----------

def test_class_i_a_wrong_dirac_term_in_the_laplace_curvature_is_rejected():
    for name in ("laplace-identity", "laplace-log", "laplace-inverse-squared"):
        d = derived(name)
        curvature = d.step("curvature").expr
        (delta,) = curvature.atoms(sp.DiracDelta)
        assert accepted(d, "curvature"), name
        assert rejected(d, "curvature", expr=-curvature), name                     # sign
        assert rejected(d, "curvature", expr=3 * curvature), name                  # factor
        shifted = delta.func(delta.args[0] + 1, *delta.args[1:])
        assert rejected(d, "curvature", expr=curvature.xreplace({delta: shifted})), name  # argument
        assert rejected(d, "curvature", expr=curvature.xreplace({delta: 0})), name  # dropped
        assert rejected(d, "curvature", expr=curvature + delta), name               # one more


def test_class_i_equal_distributions_written_differently_are_accepted():
    from mlederive.verification.prover import Claim, prove

    model = derived("laplace-identity").model
    y, eta = S.y[S.i], S.eta[S.i]
    same = 2 * sp.DiracDelta(eta - y) - sp.DiracDelta(2 * y - 2 * eta) * 4    # δ is even, δ(2a) = δ(a)/2
    assert prove(Claim("zero", same, "even"), model).ok
    on_support = eta * sp.DiracDelta(eta - y) - y * sp.DiracDelta(y - eta)      # c(η)δ(η − y) = c(y)δ(η − y)
    assert prove(Claim("zero", on_support, "support"), model).ok
    assert not prove(Claim("zero", eta * sp.DiracDelta(eta - y), "nonzero"), model).ok


# -- the categorical crash: a claim that cannot be evaluated is a failed check, never an exception --

def test_a_stray_class_index_is_a_failed_check_not_a_type_error():
    d = derived("categorical-softmax")
    stray = sp.Sum(S.y[S.i, S.k] * S.eta[S.i, 2], (S.i, 1, S.n)) / S.n
    for step_id in ("expanded", "loss", "grad-eta"):
        step = d.step(step_id)
        check = check_step(d, replace(step, expr=step.expr + stray))
        assert not check.verified and check.detail, step_id


# -- C, D, E. a claim stated for general K, d, n is not checked at one size only -----------------

def test_class_c_a_sum_to_the_recipes_class_count_in_place_of_k_is_rejected():
    d = derived("categorical-softmax")
    assert d.model.classes == 3
    for step_id in ("log-likelihood", "expanded", "loss"):
        step = d.step(step_id)
        fixed = step.expr.xreplace({S.K: 3})  # Σ_{k=1}^{3} where the step says Σ_{k=1}^{K}
        assert fixed != step.expr and rejected(d, step_id, expr=fixed), step_id
        assert accepted(d, step_id)


def test_class_d_a_prior_term_true_only_at_two_weights_is_rejected():
    tau = sp.Symbol("tau", positive=True)
    for name in ("ridge-regression", "lasso-regression"):
        d = derived(name)
        for step_id in ("negative-log-prior", "negative-log-posterior"):
            step = d.step(step_id)
            fixed = step.expr.xreplace({S.d: 2})  # d·log τ → 2·log τ, Σ_{j=1}^{d} → Σ_{j=1}^{2}
            assert rejected(d, step_id, expr=fixed), (name, step_id)
            assert accepted(d, step_id)
    d = derived("ridge-regression")
    step = d.step("negative-log-prior")
    assert rejected(d, "negative-log-prior", expr=step.expr - S.d * sp.log(tau) + 2 * sp.log(tau))


def test_class_e_a_penalty_true_only_at_three_observations_is_rejected():
    for name in ("ridge-regression", "lasso-regression"):
        d = derived(name)
        for step_id in ("map-loss", "map-grad-theta"):
            step = d.step(step_id)
            data, prior = [], []
            for term in sp.Add.make_args(step.expr):
                (prior if term.has(S.weights.label) else data).append(term)
            at_three = sp.Add(*data) + sp.Add(*prior).xreplace({S.n: 3})
            if at_three == step.expr:  # this penalty does not mention n (lasso's sum-reduced loss)
                at_three = sp.Add(*data) + 3 * sp.Add(*prior) / S.n
            assert rejected(d, step_id, expr=at_three), (name, step_id)
            assert accepted(d, step_id)


# -- K. the whole domain is sampled, not a comfortable box ----------------------------------------

def test_class_k_a_term_that_shows_only_for_large_counts_is_rejected():
    d = derived("poisson-log")
    y, eta = S.y[S.i], S.eta[S.i]
    step = d.step("loss")
    assert rejected(d, "loss", expr=step.expr + sp.Sum(eta * sp.Max(0, y - 8), (S.i, 1, S.n)) / S.n)


def test_class_k_a_term_that_shows_only_for_large_or_tiny_scales_is_rejected():
    d = derived("gaussian-identity")
    sigma = sp.Symbol("sigma", positive=True)
    eta = S.eta[S.i]
    step = d.step("expanded")
    for hidden in (sp.Max(0, sigma - 3), sp.Max(0, sp.Rational(1, 10) - sigma)):
        assert rejected(d, "expanded", expr=step.expr + sp.Sum(eta * hidden, (S.i, 1, S.n))), hidden


def test_class_k_near_the_edge_of_the_mean_domain():
    d = derived("bernoulli-logit")
    mu = d.model.mean()
    step = d.step("grad-eta")
    assert rejected(d, "grad-eta", expr=step.expr + sp.Max(0, sp.Rational(1, 100) - mu))


# -- correct steps written another way are accepted ---------------------------------------------

def test_false_reject_a_renamed_summation_index_is_the_same_sum():
    l = sp.Idx("l")
    for name in ("gaussian-identity", "poisson-log", "ridge-regression"):
        d = derived(name)
        for step_id in ("log-likelihood", "expanded", "loss"):
            step = d.step(step_id)
            renamed = step.expr.replace(lambda e: isinstance(e, sp.Sum) and e.limits[-1][0] == S.i,
                                        lambda e: sp.Sum(e.function.xreplace({S.i: l}), (l, 1, S.n)))
            assert renamed != step.expr and accepted(d, step_id, expr=renamed), (name, step_id)
    d = derived("ridge-regression")
    k = sp.Idx("k2")
    step = d.step("negative-log-prior")
    renamed = step.expr.replace(lambda e: isinstance(e, sp.Sum) and e.limits[-1][0] == S.j,
                                lambda e: sp.Sum(e.function.xreplace({S.j: k}), (k, 1, S.d)))
    assert accepted(d, "negative-log-prior", expr=renamed)


def test_false_reject_a_product_split_into_products_is_the_same_product():
    d = derived("gaussian-identity")
    step = d.step("likelihood")
    factor = step.expr.function
    parts = sp.Mul.make_args(factor)
    split = sp.Mul(*[sp.Product(p, (S.i, 1, S.n)) for p in parts])
    assert len(parts) > 1 and accepted(d, "likelihood", expr=split)
    assert rejected(d, "likelihood", expr=2 * split)


def test_false_reject_sums_inside_a_factor_are_multiplied_out():
    d = derived("ridge-regression")
    step = d.step("map-loss")
    n = S.n
    pulled = sp.Mul(1 / n, sp.expand(step.expr * n), evaluate=False)  # (Σa + Σb)/n
    assert accepted(d, "map-loss", expr=pulled)
    sigma, tau = sp.Symbol("sigma", positive=True), sp.Symbol("tau", positive=True)
    common = sp.Mul(sigma ** 2 / (n * tau ** 2), sp.expand(step.expr * n * tau ** 2 / sigma ** 2), evaluate=False)
    assert accepted(d, "map-loss", expr=common)  # a common factor pulled out of data and prior terms


def test_false_reject_the_push_through_form_of_ridge():
    from mlederive.derivation.closed_form import X, Y

    d = derived("ridge-regression")
    lam = sp.Symbol("sigma", positive=True) ** 2 / sp.Symbol("tau", positive=True) ** 2
    pushed = X.T * (X * X.T + lam * sp.Identity(S.n)).I * Y
    assert accepted(d, "normal-equations", expr=pushed)
    assert rejected(d, "normal-equations", expr=X.T * (X * X.T + 2 * lam * sp.Identity(S.n)).I * Y)
    plain = derived("gaussian-identity")  # without a ridge term XXᵀ is singular: not the same estimate
    assert rejected(plain, "normal-equations", expr=X.T * (X * X.T).I * Y)


# -- the mutation corpus (a sample; benchmarks/soundness.py runs it all) ---------------------------

CORPUS_SAMPLE = ["gaussian-identity", "bernoulli-logit", "poisson-log", "ridge-regression", "laplace-log",
                 "categorical-softmax", "gamma-inverse", "poisson-sqrt"]


@pytest.mark.parametrize("name", CORPUS_SAMPLE)
def test_mutation_corpus_rejects_every_witnessed_wrong_step_and_accepts_equal_rewrites(name):
    from mutations import corpus

    d = derived(name)
    mutations = corpus(name, d)
    wrong = [m for m in mutations if m.kind == "wrong"]
    assert len(wrong) >= 40 and {m.operator for m in wrong} >= {"sign", "double", "relative-1e-6", "add-eta-term"}
    false_accepts, false_rejects, witnessed = _audit(d, mutations)
    assert witnessed >= 0.8 * len(wrong)  # the ground truth sees nearly all of them
    assert false_accepts == [] and false_rejects == []


def _audit(d, mutations):
    """(false accepts, false rejects, how many wrong ones the ground truth witnessed): each mutation verified and
    judged by the independent ground truth."""
    from mutations import witnessed_wrong

    false_accepts, false_rejects, witnessed = [], [], 0
    for m in mutations:
        truth = witnessed_wrong(d, d.step(m.step_id), m)
        verified = check_step(d, m.step).verified
        if m.kind == "wrong" and truth is True:
            witnessed += 1
            if verified:
                false_accepts.append((m.step_id, m.operator))
        if m.kind == "equivalent" and truth is False and not verified:
            false_rejects.append((m.step_id, m.operator))
    return false_accepts, false_rejects, witnessed


def test_a_value_said_to_differ_is_also_the_value_of_its_definition():
    for name, step_id in (("kl-coin", "step-6"), ("kl-mle-equivalence", "step-9")):
        d = derived(name)
        step = d.step(step_id)
        assert step.relation == "differs" and accepted(d, step_id)
        for wrong in (-step.expr, 2 * step.expr, step.expr + sp.Rational(1, 10 ** 6)):  # all still differ
            assert rejected(d, step_id, expr=wrong), (name, wrong)
        assert rejected(d, step_id, payload=replace(step.payload, value_of=None))  # a value of nothing is not checked


def test_a_standalone_value_is_the_value_of_its_definition():
    d = derived("kl-mle-equivalence")
    step = d.step("step-8")
    assert step.payload.standalone and accepted(d, "step-8")
    assert rejected(d, "step-8", payload=replace(step.payload, value_of=2 * step.payload.value_of,
                                                 decimals={"nats": (2 * step.payload.decimals["nats"][0], 1)}))


def test_an_underflow_count_must_be_a_whole_number():
    d = derived("log-underflow")
    step = d.step("step-3")
    assert accepted(d, "step-3")
    assert rejected(d, "step-3", expr=step.expr * (1 + sp.Rational(1, 10 ** 6)))


def test_mutation_corpus_on_several_predicted_parameters():
    """The new relations' steps (a substitution of two links, a gradient in the second η, the Hessian's mixed partials,
    the Fisher matrix through moments) under the corpus: every witnessed wrong one rejected, every equal one accepted."""
    from mutations import corpus

    d = derived("heteroscedastic-gaussian")
    mutations = [m for m in corpus("heteroscedastic-gaussian", d)
                 if m.step_id in ("density", "grad-eta-sigma", "hessian", "fisher")]
    operators = {m.operator.split("@")[0] for m in mutations if m.kind == "wrong"}
    assert {"other-inverse-several", "wrong-moment-1", "wrong-coefficient", "thin-other-eta-sigma", "double"} <= operators
    false_accepts, false_rejects, witnessed = _audit(d, mutations)
    assert witnessed >= 60
    assert false_accepts == [] and false_rejects == []
