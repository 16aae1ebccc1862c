"""Display forms (Step.display): what the reader sees is proved equal to the working form, and a wrong one
is rejected — the working form being right does not vouch for what is shown."""
from dataclasses import replace

import pytest
import sympy as sp

from mlederive import derive
from mlederive import symbolic as S
from mlederive.families import FAMILIES
from mlederive.render.common import shown
from mlederive.verification import check_step


def test_every_family_declares_a_textbook_density_or_prints_as_it_is():
    declared = {name for name, f in FAMILIES.items()
                if f.textbook_density(S.y[S.i], sp.Symbol("mu"), {p.name: p.symbol for p in f.params}) is not None}
    assert declared == set(FAMILIES) - {"categorical"}  # ∏_k μ_k^{y_k} prints as written


@pytest.mark.parametrize("name", ["gaussian-identity", "gamma-log", "negative-binomial-log", "student-t-identity",
                                  "beta-logit", "weibull-log"])
def test_a_textbook_density_is_proved_equal_in_the_model_and_density_steps(name):
    d = derive(name)
    for step_id in ("model", "density", "likelihood", "log-likelihood"):
        step, check = d.step(step_id), d.checks[[s.id for s in d.steps].index(step_id)]
        assert step.display is not None and check.verified and check.method in ("symbolic", "numeric"), step_id
        assert "textbook form" in check.detail


def test_a_wrong_textbook_density_is_rejected_though_the_working_form_is_right():
    d = derive("gaussian-identity", verify_steps=False)
    sigma = d.model.params["sigma"]
    model = d.step("model")
    # 1/(σ√π) for 1/(σ√(2π)): the constant a student would get wrong
    wrong = S.leading(S.reciprocal(S.held_product(sigma, sp.sqrt(sp.pi))), sp.exp(-(S.y[S.i] - d.model.mu_obs()) ** 2
                                                                                   / (2 * sigma ** 2)))
    for step in (replace(model, display=wrong),
                 replace(d.step("density"), display=S.substitute_held(wrong, {d.model.mu_obs(): S.eta[S.i]}))):
        check = check_step(d, step)
        assert not check.verified and "textbook form" in check.detail, step.id
        assert shown(step, check) is step.expr  # a failed step shows what it is, not its claimed form


def test_a_wrong_softmax_display_is_rejected():
    d = derive("categorical-softmax", verify_steps=False)
    step = d.step("grad-eta")
    wrong = step.display.xreplace({S.y[S.i, S.k]: 2 * S.y[S.i, S.k]})
    assert check_step(d, replace(step, display=wrong)).verified is False
    assert check_step(d, step).verified is True


def test_a_display_of_the_wrong_shape_is_a_failed_check_not_an_error():
    d = derive("gaussian-identity", verify_steps=False)
    step = d.step("likelihood")
    check = check_step(d, replace(step, display=sp.Product(S.y[S.i], (S.i, 1, S.n)), expr=S.y[1]))
    assert not check.verified
