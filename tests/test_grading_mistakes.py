"""The catalogue of mistakes (mlederive.grading.mistakes): each mistake, made on a right step of a recipe's own
derivation, is named as that mistake by the grader — on families beyond the corpus's four too — and each is the
soundness corpus's operator, which the verifier rejects."""
from __future__ import annotations

import pytest
import sympy as sp

from mlederive import symbolic as S
from mlederive.derivation import derive
from mlederive.grading import mistakes as M
from mlederive.grading.relations import relate

RECIPES = ["bernoulli-logit", "poisson-log", "gamma-log", "bernoulli-probit", "categorical-softmax"]


@pytest.fixture(scope="module")
def derivations():
    return {}


def _made(d, kind):
    """(the step before, the student's step): ``kind`` made on the recipe's own right step after it."""
    m = d.model
    if m.one_hot and kind in ("chain rule", "wrong link"):
        return None, None
    slope = None if m.one_hot else sp.diff(m.mean(S.i), S.eta[S.i])
    grad = d.step("grad-eta").expr  # ∂(loss)/∂ηᵢ, one row's
    if kind == "sign":
        return d.step("loss").expr, M.negated(grad)
    if kind == "factor":
        return d.step("loss").expr, M.times(grad, 2)
    if kind == "chain rule":
        return d.step("loss").expr, M.without_chain(grad, slope)
    if kind == "wrong link":
        from mlederive.links import LINKS

        other = next(n for n in ("log", "logit") if n != m.link.name)  # a slope ≠ 1: not the chain rule left out
        return d.step("loss").expr, M.through_link(grad, slope, sp.diff(LINKS[other].inverse(S.eta[S.i]), S.eta[S.i]))
    before = d.step("expanded").expr
    if kind == "θ-term dropped":
        factor, term = next(M.theta_terms(before, lambda t: t.has(S.eta)))
        return before, -M.without_term(before, factor * term)  # dropped and negated on the way to the loss
    if kind == "log of a sum":
        return before, M.logs_swapped(before, True)
    raise AssertionError(kind)


@pytest.mark.parametrize("recipe", RECIPES)
@pytest.mark.parametrize("kind", list(M.MISTAKES))
def test_each_mistake_made_on_a_right_step_is_named(recipe, kind, derivations):
    if recipe not in derivations:
        derivations[recipe] = derive(recipe)
    d = derivations[recipe]
    before, student = _made(d, kind)
    if kind == "log of a sum" and student == before:
        pytest.skip("%s's log-likelihood has no log of a sum to take apart" % recipe)
    if kind in ("chain rule", "wrong link") and d.model.one_hot:
        pytest.skip("the softmax's classes have no one dμ/dη to leave out, and no other link")
    found = relate(before, student, d.model)
    assert not found.valid and found.mistake == kind, (found.relation, found.mistake, found.hint)
    assert found.hint  # the words a student is told


def test_the_right_steps_themselves_are_not_mistakes(derivations):
    """The same pairs unmutated: valid, so the test above cannot pass by calling everything a mistake."""
    d = derivations.get("gamma-log") or derive("gamma-log")
    assert relate(d.step("loss").expr, d.step("grad-eta").expr, d.model).relation == "derivative in η"
    assert relate(d.step("expanded").expr, -d.step("drop-constants").expr, d.model).valid


def test_the_soundness_corpus_makes_the_catalogues_mistakes():
    """One source: tests/mutations.py builds its sign, double, drop-term, log-of-a-sum and chain-rule-missing
    mutations with the catalogue's operators (test_soundness checks the verifier rejects each)."""
    import inspect

    import mutations

    source = inspect.getsource(mutations)
    for operator in ("negated(", "times(", "without_term(", "logs_swapped(", "without_chain("):
        assert operator in source
    d = derive("bernoulli-logit")
    made = {(m.step_id, m.operator) for m in mutations.corpus("bernoulli-logit", d)}
    assert {("expanded", "log-of-a-sum"), ("grad-eta", "chain-rule-missing"), ("loss", "sign")} <= made
