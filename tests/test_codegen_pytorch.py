"""The PyTorch target's three ways to compute a loss (mlederive.codegen.pytorch, mlederive.codegen.builtin): a built-in
only where the derivation's loss is proved equal to it, else an autograd.Function whose backward is the verified
gradient — each checked against the real PyTorch: the built-ins' values, autograd, gradcheck and gradgradcheck."""
from __future__ import annotations

import inspect
from dataclasses import replace

import numpy as np
import pytest
import sympy as sp
from click.testing import CliRunner
from codegen_helpers import generated, module_for

from mlederive import symbolic as S
from mlederive.cli import cli
from mlederive.libraries import (
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    L1Loss,
    MSELoss,
    PoissonNLLLoss,
)
from mlederive.verification import check_step

torch = pytest.importorskip("torch")
F = torch.nn.functional

BUILTINS = {"bernoulli-logit": "binary_cross_entropy_with_logits", "poisson-log": "poisson_nll_loss",
            "gaussian-identity": "mse_loss", "laplace-identity": "l1_loss", "categorical-softmax": "cross_entropy",
            "huber-regression": "huber_loss"}
ETA, Y = S.eta[S.i], S.y[S.i]


@pytest.mark.parametrize("recipe, functional", BUILTINS.items())
def test_the_builtin_is_called_where_the_loss_is_proved_equal_to_it(recipe, functional):
    g = generated(recipe, "pytorch")
    doc = g.forms.document
    index = next(n for n, s in enumerate(doc.steps) if s.id == "torch-builtin")
    assert doc.checks[index].verified and doc.checks[index].method.value == "symbolic"
    assert "torch.nn.functional.%s(" % functional in g.code
    assert g.verified


@pytest.mark.parametrize("recipe, wrong", [
    ("bernoulli-logit", 2 * BCEWithLogitsLoss(ETA, Y)),
    ("bernoulli-logit", PoissonNLLLoss(ETA, Y)),
    ("bernoulli-logit", BCEWithLogitsLoss(-ETA, Y)),
    ("gaussian-identity", L1Loss(ETA, Y)),
    ("gaussian-identity", MSELoss(ETA, Y) / 2),
    ("poisson-log", MSELoss(ETA, Y)),
    ("laplace-identity", MSELoss(ETA, Y)),
    ("categorical-softmax", 2 * CrossEntropyLoss(S.eta, S.i)),
    ("huber-regression", 2 * HuberLoss(ETA, Y)),
    ("huber-regression", MSELoss(ETA, Y) / 2),  # Huber's centre only: wrong beyond ±δ
    ("laplace-identity", HuberLoss(ETA, Y)),
])
def test_a_wrong_builtin_step_is_rejected(recipe, wrong):
    doc = generated(recipe, "pytorch").forms.document
    bad = replace(doc.step("torch-builtin"), expr=S.sample_sum(wrong))
    assert not check_step(doc, bad).verified


@pytest.mark.parametrize("recipe", ["bernoulli-probit", "gaussian-log", "poisson-identity", "gamma-log"])
def test_no_builtin_where_it_assumes_another_link(recipe):
    g = generated(recipe, "pytorch")
    assert all(s.id != "torch-builtin" for s in g.forms.document.steps)
    assert "torch.nn.functional.binary_cross_entropy" not in g.code and "class _Loss" in g.code


def test_explain_shows_the_builtin_step():
    result = CliRunner().invoke(cli, ["codegen", "bernoulli-logit", "--target", "pytorch", "--explain"],
                                env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    assert "BCEWithLogitsLoss" in result.output and "The loss as PyTorch computes it" in result.output


def _sample(recipe: str, n: int = 64, dtype=torch.float64):
    g = torch.Generator().manual_seed(3)
    eta = torch.randn(n, generator=g, dtype=dtype)
    if recipe.startswith("bernoulli"):
        y = (torch.rand(n, generator=g) < 0.4).to(dtype)
    elif recipe.startswith("poisson"):
        y = torch.poisson(torch.full((n,), 2.5), generator=g).to(dtype)
        if recipe.endswith("identity"):
            eta = torch.rand(n, generator=g, dtype=dtype) + 0.5
    elif recipe.startswith(("gamma", "laplace-log", "inverse-gaussian")):
        y = torch.rand(n, generator=g, dtype=dtype) * 3 + 0.2
    else:
        y = torch.randn(n, generator=g, dtype=dtype)
    return eta, y


@pytest.mark.parametrize("recipe", ["bernoulli-logit", "poisson-log", "gaussian-identity", "laplace-identity",
                                    "huber-regression"])
def test_the_derivations_own_loss_equals_the_builtin_it_calls(recipe):
    """Beside the proof: the NumPy module (the derivation's stable form, no built-in) equals the built-in."""
    eta, y = _sample(recipe)
    numpy_loss = module_for(recipe, "numpy").loss(eta.numpy(), y.numpy())
    builtin = getattr(F, BUILTINS[recipe])
    kwargs = {"log_input": True, "full": False} if recipe == "poisson-log" else {}
    torch_loss = builtin(eta, y, reduction="none", **kwargs).numpy()
    assert np.allclose(numpy_loss, torch_loss, rtol=1e-12, atol=1e-12)
    assert torch.allclose(module_for(recipe, "pytorch").loss(eta, y, reduction="none"), torch.from_numpy(torch_loss))


def _required(m) -> dict:
    return {p: 1.7 for p, v in inspect.signature(m.loss).parameters.items()
            if v.kind == v.KEYWORD_ONLY and v.default is inspect.Parameter.empty}


FUNCTIONS = ["gamma-log", "student-t-identity", "bernoulli-probit", "poisson-identity", "gaussian-log", "laplace-log",
             "bernoulli-cloglog", "inverse-gaussian-log"]


@pytest.mark.parametrize("recipe", FUNCTIONS)
def test_the_functions_backward_equals_autograd_and_is_differentiable_again(recipe):
    m = module_for(recipe, "pytorch")
    kw = _required(m)
    eta, y = _sample(recipe)
    params = [torch.tensor(kw[p], dtype=torch.float64) for p in inspect.signature(m._loss).parameters if p in kw]
    eta = eta.requires_grad_()
    value = m.loss(eta, y, **kw)
    assert "_LossBackward" in type(value.grad_fn.next_functions[0][0]).__name__  # the Function was used
    (ours,) = torch.autograd.grad(value, eta)
    (plain,) = torch.autograd.grad(m._loss(eta, y, *params).mean(), eta)
    assert torch.allclose(value, m._loss(eta, y, *params).mean().detach(), rtol=1e-13)
    assert torch.allclose(ours, plain, rtol=1e-10, atol=1e-14)
    assert torch.autograd.gradcheck(lambda e: m.loss(e, y, **kw), (eta,))
    if recipe != "laplace-log":  # piecewise linear: its second derivative is 0 almost everywhere
        assert torch.autograd.gradgradcheck(lambda e: m.loss(e, y, **kw), (eta,))


def test_a_wrong_backward_would_be_caught():
    """The comparison above can fail: a Function whose backward is off by a factor is told apart from autograd."""
    m = module_for("gamma-log", "pytorch")
    eta, y = _sample("gamma-log")
    eta = eta.requires_grad_()
    namespace: dict = {}
    text = generated("gamma-log", "pytorch").code.replace("return grad_output * (1 - _t0)",
                                                          "return grad_output * (1 - 2 * _t0)")
    assert text != generated("gamma-log", "pytorch").code
    exec(compile(text, "wrong.py", "exec"), namespace)
    (wrong,) = torch.autograd.grad(namespace["loss"](eta, y), eta)
    (plain,) = torch.autograd.grad(m._loss(eta, y).mean(), eta)
    assert not torch.allclose(wrong, plain, rtol=1e-6)


def test_a_target_or_parameter_that_needs_a_gradient_goes_through_autograd():
    m = module_for("student-t-identity", "pytorch")
    eta, y = _sample("student-t-identity")
    eta, y = eta.requires_grad_(), y.clone().requires_grad_()
    nu = torch.tensor(3.0, dtype=torch.float64, requires_grad=True)
    value = m.loss(eta, y, nu=nu, s=1.5)
    grads = torch.autograd.grad(value, (eta, y, nu))
    plain = torch.autograd.grad(m._loss(eta, y, nu, torch.tensor(1.5, dtype=torch.float64)).mean(), (eta, y, nu))
    assert all(torch.allclose(a, b) for a, b in zip(grads, plain))
    with torch.no_grad():  # no gradient taken: the plain loss, no Function
        assert m.loss(eta, y, nu=3.0, s=1.5).grad_fn is None


@pytest.mark.parametrize("recipe", ["bernoulli-logit", "gaussian-identity", "gamma-log", "categorical-softmax"])
def test_an_unknown_reduction_is_refused(recipe):
    m = module_for(recipe, "pytorch")
    eta, y = (torch.randn(4, 3), torch.tensor([0, 2, 1, 1])) if recipe.startswith("categorical") else _sample(recipe, 4)
    with pytest.raises(ValueError, match="reduction must be 'mean', 'sum' or 'none', got 'avg'"):
        m.loss(eta, y, "avg")


def test_one_hot_rows_and_class_indices_give_cross_entropys_value_with_class_weights():
    m = module_for("categorical-softmax", "pytorch")
    g = torch.Generator().manual_seed(5)
    logits = torch.randn(20, 4, 3, generator=g, dtype=torch.float64, requires_grad=True)  # (N, C, d₁)
    labels = torch.randint(0, 4, (20, 3), generator=g)
    weight = torch.tensor([0.5, 2.0, 1.0, 3.0], dtype=torch.float64)
    one_hot = F.one_hot(labels, 4).movedim(-1, 1).to(torch.float64)
    for reduction in ("mean", "sum", "none"):
        reference = F.cross_entropy(logits, labels, weight=weight, reduction=reduction)
        for target in (labels, one_hot):
            value = m.loss(logits, target, reduction, weight=weight)
            assert torch.allclose(value, reference)
            grads = [torch.autograd.grad(v.sum(), logits, retain_graph=True)[0] for v in (value, reference)]
            assert torch.allclose(*grads)


def test_the_builtin_needs_no_parameters_the_loss_does_not_use():
    """MSE under the identity: the loss is (y − η)², σ does not enter it, so the module takes none."""
    assert "sigma" not in inspect.signature(module_for("gaussian-identity", "pytorch").loss).parameters
    assert sp.Symbol("sigma") not in generated("gaussian-identity", "pytorch").forms.loss.free_symbols
