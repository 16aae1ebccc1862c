"""mlederive.verification.classes: claims about K classes proved for every K, each rule shown to hold and shown
not to accept what it must not."""
import random

import pytest
import sympy as sp

from mlederive import derive
from mlederive import symbolic as S
from mlederive.verification.classes import (
    BOUND,
    canonical,
    class_normal,
    instances,
    split_off_class,
)
from mlederive.verification.prover import Claim, prove

i, k, j, K, n = S.i, S.k, S.j, S.K, S.n
eta, y = S.eta, S.y
v, w = sp.Idx("v"), sp.Idx("w")


@pytest.fixture(scope="module")
def model():
    return derive("categorical-softmax", verify_steps=False).model


def total(f, var=v):
    return sp.Sum(f, (var, 1, K))


def zero(expr, model, budget=2.0):
    return prove(Claim("zero", model.every_class.concretize(expr), "claim"), model, budget=budget)


def positive(expr, model):
    return prove(Claim("positive", model.every_class.concretize(expr), "claim"), model, budget=3.0)


def test_a_bound_class_index_is_renamed_by_depth():
    a = canonical(total(sp.exp(eta[i, v])) - sp.Sum(sp.exp(eta[i, j]), (j, 1, K)))
    assert a == 0
    nested = canonical(total(total(eta[i, v] * eta[i, w], w)))
    assert nested.function == eta[i, BOUND[0]] * eta[i, BOUND[1]]  # v outer: c_0; w inner: c_1
    assert [limit[0] for limit in nested.limits] == [BOUND[1], BOUND[0]]
    # a stale name cannot capture: the outer sum's c_1 and the inner's c_0 swap without the inner binding the outer
    swapped = sp.Sum(eta[i, BOUND[1]] * sp.Sum(eta[i, BOUND[0]] * eta[i, BOUND[1]], (BOUND[0], 1, K)) + 1,
                     (BOUND[1], 1, K))
    renamed = canonical(swapped)
    c0, c1 = BOUND[:2]
    assert renamed == sp.Sum(eta[i, c0] * sp.Sum(eta[i, c1] * eta[i, c0], (c1, 1, K)) + 1, (c0, 1, K))


def test_the_every_class_model_keeps_k_and_never_captures_a_bound_k(model):
    m = model.every_class
    assert m.classes is None and m.eta_components() == [(eta[i, k], k)]
    loss = sp.Sum(eta[i, k] * y[i, k], (k, 1, K))  # bound k, the same name as the class of ∂/∂η_ik
    # SymPy alone differentiates the bound k as if it were the free one: Σ_k y_ik, which is 1, not y_ik
    assert sp.diff(loss, eta[i, k]) == sp.Sum(y[i, k], (k, 1, K))
    assert class_normal(sp.diff(m.concretize(loss), eta[i, k])) == y[i, k]


def test_kroneckers_delta_picks_the_class_it_names_inside_the_range():
    assert class_normal(total(sp.KroneckerDelta(v, k) * eta[i, v] ** 2)) == eta[i, k] ** 2
    assert class_normal(total(sp.KroneckerDelta(v, 2) * eta[i, v])) == eta[i, 2]  # K ≥ 2
    # class 3 need not exist (K = 2): the sum stays
    assert class_normal(total(sp.KroneckerDelta(v, 3) * eta[i, v])).has(sp.Sum)
    # a sum over part of the classes: k may be outside it
    assert class_normal(sp.Sum(sp.KroneckerDelta(v, k) * eta[i, v], (v, 1, K - 1))).has(sp.Sum)


def test_linearity_and_the_one_hot_target():
    assert class_normal(total(2 * y[i, v] + 3)) == 2 + 3 * K
    assert class_normal(total(y[i, v] * eta[i, v]) - total(eta[i, v] * y[i, v])) == 0
    assert class_normal(total(y[i, v] ** 2)).has(sp.Sum)  # one-hot gives Σ y = 1; y² is left to the sample


def test_a_log_of_a_product_is_split_only_over_positive_factors():
    positive_factors = sp.log(sp.Product(sp.exp(eta[i, v]) ** y[i, v], (v, 1, K)))
    assert class_normal(positive_factors - total(y[i, v] * eta[i, v])) == 0
    signed = sp.log(sp.Product(eta[i, v], (v, 1, K)))  # η can be negative: no split
    assert not class_normal(signed).has(sp.Sum)


def test_softmax_claims_are_proved_for_every_k(model):
    p = model.mean()
    sums = sp.Sum(sp.exp(eta[i, j]), (j, 1, K))
    assert zero(total(p.xreplace({k: v})) - 1, model).method == "symbolic"
    assert zero(sp.log(p) - eta[i, k] + sp.log(sums), model).method == "symbolic"
    ok = zero(sp.diff(model.every_class.concretize(sp.log(sums)), eta[i, k]) - p, model)
    assert ok.ok and ok.method == "symbolic"


def test_a_claim_true_only_for_some_k_is_rejected_with_a_class_count_that_shows_it(model):
    p = model.mean()
    out = zero((K - 3) * (K - 4) * eta[i, 1], model)
    assert not out.ok and "K = 2" in out.detail
    out = zero(sp.KroneckerDelta(k, 3) * eta[i, 1], model)  # only class 3 is wrong
    assert not out.ok and "k = 3" in out.detail
    wrong_sum = p - sp.exp(eta[i, k]) / sp.Sum(sp.exp(eta[i, j]), (j, 1, 3))  # the sum stops at 3
    assert not zero(wrong_sum, model).ok


def test_the_numeric_check_visits_every_class_count_and_the_classes_named():
    cases = instances(sp.KroneckerDelta(k, 5) * eta[i, 1], random.Random(0))
    assert {c for c, _, _ in cases} == set(range(2, 9))
    assert all(not e.has(K, k) for _, _, e in cases)
    assert (5, 5) in {(c, kk) for c, kk, _ in cases} and (8, 5) in {(c, kk) for c, kk, _ in cases}


def test_positivity_over_the_other_classes(model):
    p = model.mean()
    assert positive(p * (1 - p), model).ok  # softmax_k(1 − softmax_k): K ≥ 2
    assert not positive(p * (1 - 2 * p), model).ok
    assert not positive((K - 2) * p * (1 - p), model).ok  # zero at K = 2
    assert not positive(sp.Sum(sp.exp(eta[i, j]), (j, 1, K)) - 2 * sp.exp(eta[i, k]), model).ok
    split = split_off_class(model.every_class.concretize(1 - p))
    assert not split.has(sp.Sum) and split.has(sp.exp(eta[i, k]))
