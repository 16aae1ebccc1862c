"""The special functions of normalisers (mlederive.special): their values against scipy and quadrature, the
derivatives they declare against finite differences, and the generated code's log a(y, φ) against the series."""
from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from scipy import integrate, special

from mlederive.special import (
    I0,
    I1,
    HuberNormaliser,
    TweedieNormaliser,
    _tweedie_series,
)

K = sp.Symbol("kappa", positive=True)


@pytest.mark.parametrize("x", [0.1, 1.0, 7.5, 40.0])
def test_bessel_values_and_derivatives(x):
    assert float(I0(sp.Float(x)).evalf(30)) == pytest.approx(special.i0(x), rel=1e-12)
    assert float(I1(sp.Float(x)).evalf(30)) == pytest.approx(special.i1(x), rel=1e-12)
    h = 1e-5
    for f in (I0, I1):
        derivative = float(sp.diff(f(K), K).subs(K, x).evalf(30))
        difference = (float(f(sp.Float(x + h)).evalf(30)) - float(f(sp.Float(x - h)).evalf(30))) / (2 * h)
        assert derivative == pytest.approx(difference, rel=1e-7)
    assert I0(K).is_positive and I1(K).is_positive and I0(sp.Symbol("t", real=True)).is_positive is None


@pytest.mark.parametrize("delta", [0.3, 1.0, 1.345, 3.0])
def test_hubers_normaliser_is_the_integral_of_its_density(delta):
    rho = lambda r: r * r / 2 if abs(r) <= delta else delta * (abs(r) - delta / 2)  # noqa: E731
    total = sum(integrate.quad(lambda r: math.exp(-rho(r)), a, b)[0]
                for a, b in ((-math.inf, -delta), (-delta, delta), (delta, math.inf)))
    assert float(HuberNormaliser(sp.Float(delta)).evalf(30)) == pytest.approx(total, rel=1e-10)
    h = 1e-5
    derivative = float(sp.diff(HuberNormaliser(K), K).subs(K, delta).evalf(30))
    values = [float(HuberNormaliser(sp.Float(delta + s)).evalf(30)) for s in (h, -h)]
    assert derivative == pytest.approx((values[0] - values[1]) / (2 * h), rel=1e-6)


def test_the_generated_log_a_is_the_series():
    from codegen_helpers import module_for

    m = module_for("tweedie-log", "xgboost")
    y = np.array([0.0, 1e-3, 0.5, 2.0, 7.0, 30.0])
    for phi, p in ((0.8, 1.5), (2.0, 1.2), (0.3, 1.8)):
        expected = [0.0 if v == 0 else float(math.log(_tweedie_series(v, phi, p))) for v in y]
        np.testing.assert_allclose(m._tweedie_log_a(y, phi, p), expected, rtol=1e-9, atol=1e-12)
    assert TweedieNormaliser(sp.Symbol("y", nonnegative=True), sp.Symbol("phi", positive=True), K).is_positive
