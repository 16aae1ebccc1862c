"""mlederive.primitives: each stable primitive's derivative is its definition's, its declared sign holds, it
prints by name, and the verifier writes it out before it proves anything."""
import mpmath
import pytest
import sympy as sp

from mlederive import symbolic as S
from mlederive.primitives import (
    PRIMITIVES,
    expand_primitives,
    expm1,
    log1mexp,
    log1p,
    log_ndtr,
    logaddexp,
    logsumexp,
    mills,
    softplus,
    xlog1py,
    xlogy,
)
from mlederive.render.printing import TextbookLatexPrinter

z = sp.Symbol("z", real=True)
u = sp.Symbol("u", positive=True)
x = sp.Symbol("x", real=True)
ONE_ARGUMENT = [softplus, log_ndtr, mills, expm1, log1p]
POINTS = [-30.0, -3.5, -0.2, 0.0, 0.7, 4.0, 25.0]


def _value(expr, **values):
    f = sp.lambdify(list(values), S.expand_functions(expr), "mpmath")
    with mpmath.workdps(1000):  # Φ(−40) = 1 − (1 + erf(…))… cancels below 10⁻³⁴⁹
        return f(*[mpmath.mpf(v) for v in values.values()])


@pytest.mark.parametrize("primitive", ONE_ARGUMENT)
def test_derivative_is_the_definitions(primitive):
    """fdiff (used to build forms, never trusted by the verifier) equals d/dz of the definition."""
    claimed = sp.diff(primitive(z), z)
    exact = sp.diff(primitive(z).elementary(), z)
    for point in POINTS:
        if primitive is log1p and point <= -1:
            continue
        a, b = _value(claimed, z=point), _value(exact, z=point)
        assert abs(a - b) <= mpmath.mpf(10) ** -40 * (1 + abs(b)), (primitive, point)


def test_two_argument_and_positive_argument_derivatives():
    for primitive in (xlogy, xlog1py, logaddexp):
        for index, var in ((1, x), (2, z)):
            claimed = sp.diff(primitive(x, z), var)
            exact = sp.diff(primitive(x, z).elementary(), var)
            a, b = _value(claimed, x=0.7, z=0.4), _value(exact, x=0.7, z=0.4)
            assert abs(a - b) < 1e-40
    for point in (1e-8, 0.3, 5.0, 40.0):
        a, b = _value(sp.diff(log1mexp(u), u), u=point), _value(sp.diff(log1mexp(u).elementary(), u), u=point)
        assert abs(a - b) <= mpmath.mpf(10) ** -40 * (1 + abs(b))


def test_declared_signs_hold():
    """What SymPy's assumptions are told (positivity proofs rest on it) is true at every point tried."""
    for point in POINTS:
        assert _value(softplus(z), z=point) > 0 and softplus(z).is_positive
        assert _value(mills(z), z=point) > 0 and mills(z).is_positive
        assert _value(log_ndtr(z), z=point) < 0 and log_ndtr(z).is_extended_negative
    for point in (1e-9, 0.5, 30.0):
        assert _value(log1mexp(u), u=point) < 0 and log1mexp(u).is_extended_negative
    assert expm1(u).is_positive and log1p(u).is_positive
    assert softplus(sp.I).is_positive is not True  # nothing positive claimed off the real line


def test_printed_by_name_and_written_out_before_proofs():
    assert TextbookLatexPrinter().doprint(softplus(-z)) == r"\operatorname{softplus}\left(- z\right)"
    assert "xlogy" in TextbookLatexPrinter().doprint(xlogy(x, z))
    assert expand_primitives(softplus(z) + log_ndtr(z)) == sp.log(1 + sp.exp(z)) + sp.log(S.Phi(z))
    assert expand_primitives(logsumexp(S.eta, S.i)) == sp.log(sp.Sum(sp.exp(S.eta[S.i, S.j]), (S.j, 1, S.K)))
    assert expand_primitives(logaddexp(x, z)) == sp.log(sp.exp(x) + sp.exp(z))
    assert TextbookLatexPrinter().doprint(logaddexp(x, z)) == r"\operatorname{logaddexp}\left(x, z\right)"
    assert all(not expand_primitives(p(z) if p.nargs == {1} else (p(S.eta, S.i) if p is logsumexp else p(x, z)))
               .has(*PRIMITIVES) for p in PRIMITIVES)


def test_mills_far_in_the_tail():
    """φ(z)/Φ(z) ≈ −z for z → −∞ (where both underflow in float64), and → 0 for z → +∞."""
    assert _value(mills(z), z=-40.0) == pytest.approx(40.0249688472, rel=1e-10)
    assert 0 < _value(mills(z), z=40.0) < mpmath.mpf("1e-340")


def test_logaddexp_as_generated_code_computes_it():
    """numpy.logaddexp, torch.logaddexp and jax.numpy.logaddexp against the definition at 1000 digits, where the
    naive log(e^a + e^b) overflows (a = 800) or underflows (a = b = −800)."""
    import numpy
    import torch

    for a, b in ((800.0, 3.0), (-800.0, -800.0), (-40.0, 2.5), (0.0, 0.0)):
        exact = float(_value(logaddexp(x, z), x=a, z=b))
        assert numpy.logaddexp(a, b) == pytest.approx(exact, rel=1e-15)
        assert float(torch.logaddexp(torch.tensor(a, dtype=torch.float64), torch.tensor(b, dtype=torch.float64))) \
            == pytest.approx(exact, rel=1e-15)
