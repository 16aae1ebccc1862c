"""Multilabel classification: the derived loss is PyTorch's BCEWithLogitsLoss on a multi-hot target summed over the
labels (MultiLabelSoftMarginLoss averages them), for every L; the generated Bernoulli code, elementwise, is the same
loss on (n, L) arrays; a wrong gradient or a loss that drops a label is refused."""
import dataclasses

import numpy as np
import pytest
import sympy as sp
from codegen_helpers import module_for

from mlederive import symbolic as S
from mlederive.arguments.multilabel import L, eta, k, y
from mlederive.derivation import derive
from mlederive.verification import verify

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def doc():
    return derive("multilabel-bernoulli")


def _step(doc, title):
    return next(s for s in doc.steps if str(s.title) == title)


def _loss_at(doc, logits, labels):
    """The derived loss (a sum over l) written out for this L and evaluated row by row."""
    nll = _step(doc, "Negate: the loss").expr
    n_labels = logits.shape[1]
    out = []
    for row in range(logits.shape[0]):
        values = {eta[j]: float(logits[row, j - 1]) for j in range(1, n_labels + 1)}
        values |= {y[j]: float(labels[row, j - 1]) for j in range(1, n_labels + 1)}
        out.append(float(sp.N(S.expand_functions(S.write_out(nll.subs(L, n_labels))).xreplace(values), 30)))
    return np.array(out)


@pytest.mark.parametrize("n_labels", [2, 3, 7])
def test_the_loss_is_pytorchs_for_any_number_of_labels(doc, n_labels):
    assert doc.verified
    g = torch.Generator().manual_seed(n_labels)
    logits = torch.randn(4, n_labels, generator=g, dtype=torch.float64) * 3
    labels = (torch.rand(4, n_labels, generator=g) < 0.5).double()
    ours = _loss_at(doc, logits, labels)
    summed = torch.nn.BCEWithLogitsLoss(reduction="none")(logits, labels).sum(dim=1)
    np.testing.assert_allclose(ours, summed.numpy(), rtol=1e-12)
    averaged = torch.nn.MultiLabelSoftMarginLoss(reduction="none")(logits, labels)
    np.testing.assert_allclose(ours / n_labels, averaged.numpy(), rtol=1e-12)


def test_the_gradient_is_autograds(doc):
    logits = torch.tensor([[0.3, -2.0, 1.1]], dtype=torch.float64, requires_grad=True)
    labels = torch.tensor([[1.0, 0.0, 1.0]], dtype=torch.float64)
    torch.nn.BCEWithLogitsLoss(reduction="sum")(logits, labels).backward()
    grad = _step(doc, "Gradient in one logit").expr
    for j in range(3):
        at = {eta[k]: float(logits[0, j]), y[k]: float(labels[0, j])}
        assert float(sp.N(S.expand_functions(grad.xreplace(at)))) == pytest.approx(logits.grad[0, j].item(), rel=1e-12)


def test_the_generated_bernoulli_code_is_the_multilabel_loss_elementwise():
    """The bernoulli-logit PyTorch module works on any shape: on (n, L) logits and a multi-hot target, summed over
    the labels, it is the multilabel loss (BCEWithLogitsLoss summed over labels), values and gradients."""
    m = module_for("bernoulli-logit", "pytorch")
    logits = torch.randn(5, 4, dtype=torch.float64, requires_grad=True)
    labels = (torch.rand(5, 4) < 0.4).double()
    ours = m.loss(logits, labels, reduction="none").sum(dim=1)
    ref = torch.nn.BCEWithLogitsLoss(reduction="none")(logits, labels).sum(dim=1)
    torch.testing.assert_close(ours, ref, rtol=1e-12, atol=1e-12)
    (g_ours,) = torch.autograd.grad(ours.sum(), logits)
    (g_ref,) = torch.autograd.grad(ref.sum(), logits)
    torch.testing.assert_close(g_ours, g_ref, rtol=1e-12, atol=1e-12)


def _rejected(doc, title, expr):
    steps = [dataclasses.replace(s, expr=expr) if str(s.title) == title else s for s in doc.steps]
    checked = verify(dataclasses.replace(doc, steps=steps, checks=[]))
    return not next(c for s, c in zip(checked.steps, checked.checks) if str(s.title) == title).verified


def test_wrong_steps_are_refused(doc):
    l = sp.Idx("l")  # noqa: E741
    nll = _step(doc, "Negate: the loss").expr
    assert _rejected(doc, "Gradient in one logit", 2 * (S.sigmoid(eta[k]) - y[k]))
    assert _rejected(doc, "Gradient in one logit", S.sigmoid(eta[k]) - y[k] + S.sigmoid(eta[1]))
    assert _rejected(doc, "Negate: the loss", sp.Sum(nll.function, (l, 2, L)))  # a label dropped
    assert _rejected(doc, "Expand each log", sp.Sum(y[l] * sp.log(S.sigmoid(eta[l])), (l, 1, L)))
