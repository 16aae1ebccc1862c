"""Fast numeric evaluation of SymPy expressions at many points, for the verifier's numeric checks.

``lambdify`` prints an expression to Python source and compiles it; for the
large, once-used expressions of the verifier that printing (and the
``xreplace`` it needs to rename Indexed atoms) costs far more than the 20
evaluations that follow. Here an expression is turned, in one walk of its
tree, into nested closures over mpmath operations: no SymPy objects are built
and no assumptions are queried. Evaluation happens at the working precision of
the caller's ``mpmath.workdps``.

Anything outside the supported set (unevaluated sums, derivatives, special
functions not listed) raises :class:`Unsupported`, and the caller falls back
to SymPy's own substitution and ``evalf``.
"""
from __future__ import annotations

import mpmath
import sympy as sp

from ..symbolic import Phi, phi, sigmoid


class Unsupported(Exception):
    pass


def _sigmoid(z):
    return 1 / (1 + mpmath.exp(-z))


def _heaviside(z, at_zero=None):
    """H(z), with SymPy's second argument H(0) when given (½ when not)."""
    if z > 0:
        return mpmath.mpf(1)
    if z < 0:
        return mpmath.mpf(0)
    return mpmath.mpf(1) / 2 if at_zero is None else at_zero


def _dirac(z):
    if z == 0:
        raise ValueError("DiracDelta at 0")  # not a point the numeric check can use
    return mpmath.mpf(0)


def _erfcinv(z):
    return mpmath.erfinv(1 - z)


#: SymPy function class → mpmath function of the same arguments
FUNCTIONS = {
    sp.exp: mpmath.exp, sp.log: mpmath.log, sp.erf: mpmath.erf, sp.erfc: mpmath.erfc, sp.erfinv: mpmath.erfinv,
    sp.gamma: mpmath.gamma, sp.loggamma: mpmath.loggamma, sp.polygamma: mpmath.polygamma,
    sp.digamma: mpmath.digamma, sp.tanh: mpmath.tanh, sp.sinh: mpmath.sinh, sp.cosh: mpmath.cosh,
    sp.atan: mpmath.atan, sp.tan: mpmath.tan, sp.sin: mpmath.sin, sp.cos: mpmath.cos, sp.Abs: abs,
    sp.sign: mpmath.sign, sp.factorial: mpmath.factorial, sp.binomial: mpmath.binomial, sigmoid: _sigmoid, Phi: mpmath.ncdf, phi: mpmath.npdf,
    sp.beta: mpmath.beta, sp.cot: mpmath.cot, sp.sec: mpmath.sec, sp.csc: mpmath.csc, sp.asin: mpmath.asin,
    sp.acos: mpmath.acos, sp.acot: mpmath.acot, sp.asinh: mpmath.asinh, sp.acosh: mpmath.acosh,
    sp.atanh: mpmath.atanh, sp.coth: mpmath.coth, sp.sech: mpmath.sech, sp.csch: mpmath.csch,
    sp.LambertW: mpmath.lambertw, sp.Heaviside: _heaviside, sp.DiracDelta: _dirac, sp.erfcinv: _erfcinv,
    sp.Max: max, sp.Min: min, sp.floor: mpmath.floor, sp.ceiling: mpmath.ceil,
}

_CONSTANTS = {sp.pi: lambda: mpmath.pi, sp.E: lambda: mpmath.e, sp.EulerGamma: lambda: mpmath.euler}


def _const(value):
    return lambda args: value


def _build(expr, index: dict):
    """A closure ``f(args) -> mpmath number`` computing ``expr``; ``index`` maps atoms to positions in args."""
    if expr in index:
        pos = index[expr]
        return lambda args: args[pos]
    if expr.is_Integer:
        v = int(expr)
        return _const(v)
    if expr.is_Rational:
        p, q = int(expr.p), int(expr.q)
        return lambda args: mpmath.mpf(p) / q
    if expr.is_Float:
        v = mpmath.mpf(expr._mpf_)
        return _const(v)
    if expr in _CONSTANTS:
        get = _CONSTANTS[expr]
        return lambda args: +get()
    if expr.is_Add:
        parts = [_build(a, index) for a in expr.args]
        return lambda args: mpmath.fsum(f(args) for f in parts)
    if expr.is_Mul:
        parts = [_build(a, index) for a in expr.args]

        def mul(args):
            out = parts[0](args)
            for f in parts[1:]:
                out = out * f(args)
            return out
        return mul
    if expr.is_Pow:
        base = _build(expr.base, index)
        e = expr.exp
        if e.is_Integer:
            k = int(e)
            return lambda args: base(args) ** k
        if e == sp.S.Half:
            return lambda args: mpmath.sqrt(base(args))
        power = _build(e, index)
        return lambda args: mpmath.power(base(args), power(args))
    func = FUNCTIONS.get(type(expr))
    if func is not None:
        if isinstance(expr, sp.polygamma):
            order, arg = expr.args
            if not order.is_Integer:
                raise Unsupported(type(expr).__name__)
            m, inner = int(order), _build(arg, index)
            return lambda args: mpmath.polygamma(m, inner(args))
        if isinstance(expr, sp.log) and len(expr.args) != 1:
            raise Unsupported("log with a base")
        parts = [_build(a, index) for a in expr.args]
        if len(parts) == 1:
            only = parts[0]
            return lambda args: func(only(args))
        return lambda args: func(*(f(args) for f in parts))
    raise Unsupported(type(expr).__name__)


class Evaluator:
    """``expr`` compiled once; called with a list of values for ``keys`` (SymPy numbers or floats).

    ``terms=True`` keeps the top-level terms apart, so :meth:`with_magnitude` can also report
    Σ|term| — the size of what cancelled — without building anything symbolic.
    """

    def __init__(self, expr, keys):
        index = {k: n for n, k in enumerate(keys)}
        self.terms = [_build(t, index) for t in sp.Add.make_args(expr)]

    @staticmethod
    def _arg(v):
        if isinstance(v, (int, float)):
            return mpmath.mpf(v)
        if v.is_Integer:
            return mpmath.mpf(int(v))
        if v.is_Float:
            return mpmath.mpf(v._mpf_)
        if v.is_Rational:
            return mpmath.mpf(int(v.p)) / int(v.q)
        return mpmath.mpf(sp.Float(v, mpmath.mp.dps)._mpf_)

    def with_magnitude(self, values):
        """(value, Σ|term|) as mpmath numbers at mpmath's working precision, or a reason the point has no value.

        The reason is "undefined" (a division by zero, a log of 0, a pole), "not finite" or "complex":
        the caller decides whether that point may be skipped (it may not, inside the model's domain).
        """
        args = [self._arg(v) for v in values]
        try:
            parts = [f(args) for f in self.terms]
        except (ValueError, ZeroDivisionError, OverflowError, TypeError):
            return "undefined"
        return total_and_size(parts)


def total_and_size(parts):
    """(Σ parts, Σ|part|) of mpmath numbers, or "not finite" / "complex"."""
    total = mpmath.fsum(parts) if len(parts) > 1 else mpmath.mpmathify(parts[0])
    size = mpmath.fsum(abs(p) for p in parts)
    if not (mpmath.isfinite(total) and mpmath.isfinite(size)):
        return "not finite"
    if isinstance(total, mpmath.mpc):
        if abs(total.imag) > mpmath.mpf(10) ** (-mpmath.mp.dps // 2) * (1 + abs(total.real)):
            return "complex"
        total = total.real
    return total, size


def distributed(expr):
    """``expr`` with products distributed over sums (expand_mul) where that makes it no longer: (A + B)/φ − (A + B)/φ
    cancels before any number is put in. Without it a wrong term of size 1 beside terms of size e^{100} that cancel
    (the Tweedie's e^{(2−p)η} at η = 100) is below the relative tolerance, and passes."""
    if not isinstance(expr, sp.Expr) or not expr.is_Add:
        return expr
    from ..budget import BudgetExceeded, time_budget

    try:
        with time_budget(0.5):
            spread = sp.expand_mul(expr)
    except BudgetExceeded:
        return expr
    return spread if sp.count_ops(spread) <= sp.count_ops(expr) else expr
