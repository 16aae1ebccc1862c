"""Every relation has a claim builder, and every builder rejects a wrong step.

Also: a step derived from a failed step is not checked, an undefined value never
verifies, and a bug inside a claim builder is an internal error, not a failed step.
"""
from dataclasses import replace

import pytest
import sympy as sp
from conftest import derived

from mlederive import derive, verify
from mlederive.documents import Method
from mlederive.errors import InternalError
from mlederive.relations import RELATIONS
from mlederive.verification import check_step
from mlederive.verification.claims import BUILDERS, build_claims

#: documents that, between them, use every relation of a derivation (model) and of an argument (plain)
DOCS = ["gaussian-identity", "ridge-regression", "bernoulli-logit", "sigmoid-mse-vs-bce", "kl-mle-equivalence",
        "kl-coin", "log-underflow", "loss-verdict"]


def _corrupt(step):
    """A wrong step of the same shape: one more unit somewhere, or twice the value."""
    expr = step.expr
    if step.relation == "differs":  # it claims only to differ from another value: make it equal
        return step.payload.other
    if isinstance(expr, (sp.Product, sp.MatrixExpr)) or expr.is_Matrix:
        return 2 * expr
    return expr + 1 if expr.is_number else 2 * expr + sp.Rational(1, 3)


def _generated(name, boosting=True):
    """The document generated code is verified with: a boosting objective's (its unit-dispersion objective, the
    Fisher information of a piecewise-linear loss), a NumPy module's (the Laplace's surrogate Hessian, 1)."""
    from mlederive.derivation.implementation import forms
    from mlederive.recipe import load_recipe

    return forms(load_recipe(name), boosting=boosting).document


def _steps_by_builder():
    found = {}
    for name in DOCS + ["code:laplace-identity", "numpy:laplace-identity"]:
        kind, _, recipe = name.rpartition(":")
        d = _generated(recipe, boosting=kind == "code") if kind else derived(name)
        on = "plain" if getattr(d, "model", None) is None else "model"
        for step in d.steps:
            found.setdefault((step.relation, on), (d, step))
    return found


def test_every_relation_has_a_claim_builder():
    registered = {relation for relation, _ in BUILDERS}
    build_claims(None, derived("log-underflow").steps[0], None)  # importing the builders registers them
    registered = {relation for relation, _ in BUILDERS}
    assert registered == set(RELATIONS)


@pytest.mark.parametrize("key", sorted(k for k in _steps_by_builder() if k[0] != "definition"),
                         ids=lambda k: "%s-%s" % k)
def test_every_builder_rejects_a_wrong_step(key):
    d, step = _steps_by_builder()[key]
    assert check_step(d, step).verified
    bad = replace(step, expr=_corrupt(step))
    assert not check_step(d, bad).verified


def test_the_documents_exercise_every_registered_builder():
    build_claims(None, derived("log-underflow").steps[0], None)
    assert set(BUILDERS) == set(_steps_by_builder())


def test_a_step_derived_from_a_failed_step_is_not_checked():
    d = derive("poisson-log", verify_steps=False)
    grad = d.step("grad-eta")
    doc = verify(d.replace_step(replace(grad, expr=-grad.expr)))
    checks = dict(zip((s.id for s in doc.steps), doc.checks))
    assert not checks["grad-eta"].verified and checks["grad-eta"].method != Method.NOT_CHECKED
    assert not checks["curvature"].verified and checks["curvature"].method == Method.NOT_CHECKED
    assert checks["grad-theta"].verified  # refers to the loss, not to the wrong gradient
    assert not doc.verified


def test_nan_never_verifies():
    d = derive("poisson-log", verify_steps=False)
    grad = d.step("grad-eta")
    assert not check_step(d, replace(grad, expr=sp.nan)).verified
    # the curvature of a nan gradient is 0 by SymPy's rules: it must not verify against it
    doc = verify(d.replace_step(replace(grad, expr=sp.nan)))
    curvature = doc.checks[[s.id for s in doc.steps].index("curvature")]
    assert not curvature.verified


def test_a_bug_in_a_claim_builder_is_an_internal_error(monkeypatch):
    from mlederive.verification.claims import likelihood

    def broken(cx):
        return {}["no such key"]

    monkeypatch.setitem(BUILDERS, ("negated", "model"), broken)
    d = derive("gaussian-identity", verify_steps=False)
    with pytest.raises(InternalError, match="negate"):
        verify(d)
    assert likelihood  # the real builders stay registered for the other tests


def test_the_cli_reports_an_internal_error_with_exit_1(monkeypatch):
    from click.testing import CliRunner

    from mlederive.cli import main

    monkeypatch.setitem(BUILDERS, ("negated", "model"), lambda cx: 1 / 0)
    monkeypatch.setattr("sys.argv", ["mlederive", "gaussian-identity"])
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == 1
    assert CliRunner  # the runner is not used: main() is the entry point that turns bugs into one line


def test_a_wrong_predictor_jacobian_is_caught_even_when_the_gradient_agrees_with_it(monkeypatch):
    """The θ-gradient is proved summand by summand (any n) with ∂η_i/∂θ from the predictor, so the
    predictor's own jacobian is checked against differentiating a concrete instance of it."""
    from mlederive import symbolic as S
    from mlederive.predictors import Linear

    monkeypatch.setattr(Linear, "jacobian", lambda self, index: 2 * S.x[index])
    d = derive("gaussian-identity")
    check = d.checks[[s.id for s in d.steps].index("grad-theta")]
    assert not check.verified
    assert "∂η_i/∂θ of the predictor" in check.detail


@pytest.mark.parametrize("relation, step_id", [("log", "log-likelihood"), ("equal", "expanded"),
                                               ("negated", "negate")])
def test_a_prior_term_slipped_into_a_likelihood_step_is_caught(relation, step_id):
    """summand() leaves a prior's θ_j terms out; those are compared on their own, for any d."""
    from mlederive import symbolic as S

    d = derive("gaussian-identity", verify_steps=False)
    step = d.step(step_id)
    extra = sp.Sum(S.weights[S.j] ** 2, (S.j, 1, S.d))
    bad = d.replace_step(replace(step, expr=step.expr + extra))
    check = check_step(bad, bad.step(step_id))
    assert not check.verified
