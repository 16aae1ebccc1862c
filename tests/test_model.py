"""The model: its predicted parameters, differentiation on the link's domain, concrete forms."""
import sympy as sp

from mlederive import derive
from mlederive import symbolic as S


def test_a_model_speaks_of_its_predicted_parameters():
    m = derive("poisson-log", verify_steps=False).model
    (mean,) = m.predicted
    assert (mean.name, mean.link, mean.predictor) == ("mu", m.link, m.predictor)
    # the predicted value is the link's inverse of its own η
    assert sp.simplify(m.mean() - mean.link.inverse(mean.eta[S.i])) == 0


def test_diff_eta_uses_the_link_domain():
    """On η > 0 (inverse-squared link) sign(y − 1/√η) differentiates to a Dirac term, not a Derivative."""
    m = derive("laplace-inverse-squared", verify_steps=False).model
    d = m.diff_eta(sp.sign(S.y[S.i] - m.mean()))
    assert not d.has(sp.Derivative) and d.has(sp.DiracDelta)


def test_concretize_writes_sums_out_and_fixes_classes():
    m = derive("categorical-softmax", verify_steps=False).model
    expr = sp.Sum(S.y[S.i, S.k], (S.k, 1, S.K))
    assert m.concretize(expr) == 1  # K written out, and the one-hot constraint: the components sum to one
    assert m.concretize(sp.Sum(S.y[S.i], (S.i, 1, S.n)), size=3) == S.y[1] + S.y[2] + S.y[3]
