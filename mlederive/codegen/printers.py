"""Printing one observation's forms as code: SymPy's own code printers, extended by subclassing.

NumPy goes through SymPy's ``SciPyPrinter`` (special functions from ``scipy.special``), JAX through
``JaxPrinter``; PyTorch through a ``NumPyPrinter`` whose module is ``torch``. Each knows our stable
primitives by the target library's own stable routine (``numpy.logaddexp(0, z)``,
``torch.special.log_ndtr``, ``jax.nn.softplus`` …) or by a helper of the generated module whose body is a
verified implementation (:data:`IMPLEMENTATIONS`).
"""
from __future__ import annotations

import sympy as sp
from sympy.printing.codeprinter import PrintMethodNotImplementedError
from sympy.printing.numpy import (
    JaxPrinter,
    NumPyPrinter,
    SciPyPrinter,
    _numpy_known_constants,
    _numpy_known_functions,
)

from ..primitives import expm1, log1mexp, log1p, log_ndtr, mills
from .named import CALLS as NAMED_CALLS

_z = sp.Symbol("z", real=True)
_u = sp.Symbol("u", positive=True)

#: primitives computed by a helper of the generated module: argument → its implementation, which the code
#: generator proves equal to the primitive's definition (each branch of a piecewise one on its own)
IMPLEMENTATIONS = {
    mills: (_z, sp.exp(-_z ** 2 / 2 - sp.log(2 * sp.pi) / 2 - log_ndtr(_z))),
    # each branch gets an argument that is safe for it (min/max with log 2), so the branch not taken stays finite and
    # autodiff through where() gets no 0·∞ from it; a branch equals the definition on its own condition
    log1mexp: (_u, sp.Piecewise((sp.log(-expm1(-sp.Min(_u, sp.log(2)))), _u <= sp.log(2)),
                                (log1p(-sp.exp(-sp.Max(_u, sp.log(2)))), True))),
}
#: what each helper computes, for its docstring
MEANING = {mills: "φ(z)/Φ(z), the inverse Mills ratio, without 0/0 far in the lower tail",
           log1mexp: "log(1 − exp(−z)) for z > 0, exact for tiny and for large z (Mächler's two branches)"}


class _Stable:
    """The stable primitives by the library routine (``calls``: class name → template over the arguments).

    SymPy's array printers inherit the ``math`` module's scalar functions (``math.gamma``) for what the library
    lacks; on an array they fail at run time, so they are dropped: such a function is a printing error instead.
    """

    def __init__(self, settings=None):
        super().__init__(settings)
        scalar = {k for k, v in self.known_functions.items() if str(v).startswith("math.")}
        self.known_functions = {k: v for k, v in self.known_functions.items() if k not in scalar}
        self._kf = {k: v for k, v in self._kf.items() if not v.startswith("math.")}
        # SymPy dispatches on _print_<name>: our table first, then a named printing error for what is left
        for name in self.calls:
            setattr(self, "_print_" + name, self._print_Function)
        for name in scalar - set(self.calls):
            setattr(self, "_print_" + name, self._print_not_supported)

    calls: dict = {}
    #: how a per-observation vector quantity is reduced over the classes (categorical)
    axis = "axis=-1, keepdims=True"

    def _print_Min(self, expr):
        return self._bound(expr, "minimum", "max")

    def _print_Max(self, expr):
        return self._bound(expr, "maximum", "min")

    def _bound(self, expr, function, clamp):
        """min(z, c) / max(z, c) elementwise (PyTorch: clamp with the number c as the bound)."""
        numbers = [a for a in expr.args if a.is_number]
        others = [a for a in expr.args if not a.is_number]
        if self._module == "torch" and len(numbers) == 1 and len(others) == 1:
            return "torch.clamp(%s, %s=%s)" % (self._print(others[0]), clamp, self._print(numbers[0]))
        a, b = expr.args
        return "%s(%s, %s)" % (self._module_format(self._module + "." + function), self._print(a), self._print(b))

    def _print_Piecewise(self, expr):  # two branches: where(condition, first, otherwise)
        (a, cond), (b, _) = expr.args
        return "%s(%s, %s, %s)" % (self._module_format(self._module + ".where"), self._print(cond), self._print(a),
                                   self._print(b))

    def _print_Relational(self, expr):
        return "(%s %s %s)" % (self._print(expr.lhs), expr.rel_op, self._print(expr.rhs))

    def _print_Function(self, expr):
        template = self.calls.get(type(expr).__name__)
        if template is None:
            return super()._print_Function(expr)
        args = [self._print(a) for a in expr.args]
        text = template.format(*args, m=self._module_name())
        return text if text.endswith(")") and text.count("(") == 1 + sum(a.count("(") for a in args) else "(%s)" % text

    def _module_name(self):
        return self._module

    def _print_Indexed(self, expr):  # y_i, η_i, y_ik, η_ik: the arrays the functions take
        return {"y": "y", "eta": "eta"}[expr.base.label.name]

    def _print_Sum(self, expr):  # Σ_k over the classes of one observation: the last axis
        return "%s(%s, %s)" % (self._module_format(self._module + ".sum"), self._print(expr.function), self.axis)


#: how each library computes a function our forms use: name → (NumPy/SciPy, JAX, PyTorch); "" where SymPy's own
#: printer for that library already knows it. Adding a primitive is one row here.
CALLS = {
    "softplus": ("numpy.logaddexp(0, {0})", "jax.nn.softplus({0})", "torch.nn.functional.softplus({0})"),
    "sigmoid": ("_sigmoid({0})", "jax.nn.sigmoid({0})", "torch.sigmoid({0})"),
    "log_ndtr": ("scipy.special.log_ndtr({0})", "jax.scipy.special.log_ndtr({0})", "torch.special.log_ndtr({0})"),
    "Phi": ("scipy.special.ndtr({0})", "jax.scipy.special.ndtr({0})", "torch.special.ndtr({0})"),
    "phi": ("numpy.exp(-({0})**2/2)/numpy.sqrt(2*numpy.pi)", "jax.numpy.exp(-({0})**2/2)/jax.numpy.sqrt(2*jax.numpy.pi)",
            "torch.exp(-({0})**2/2)/math.sqrt(2*math.pi)"),
    "mills": ("_mills({0})",) * 3,
    "log1mexp": ("_log1mexp({0})",) * 3,
    "expm1": ("numpy.expm1({0})", "jax.numpy.expm1({0})", "torch.expm1({0})"),
    "log1p": ("numpy.log1p({0})", "jax.numpy.log1p({0})", "torch.log1p({0})"),
    "logaddexp": ("numpy.logaddexp({0}, {1})", "jax.numpy.logaddexp({0}, {1})", "torch.logaddexp({0}, {1})"),
    "loggamma": ("", "jax.scipy.special.gammaln({0})", "torch.lgamma({0})"),
    "xlogy": ("scipy.special.xlogy({0}, {1})", "jax.scipy.special.xlogy({0}, {1})", "torch.xlogy({0}, {1})"),
    "xlog1py": ("scipy.special.xlog1py({0}, {1})", "jax.scipy.special.xlog1py({0}, {1})",
                "torch.special.xlog1py({0}, {1})"),
    "polygamma": ("", "jax.scipy.special.polygamma({0}, {1})", "torch.polygamma({0}, {1})"),
    "erf": ("", "jax.scipy.special.erf({0})", "torch.erf({0})"),
    "gamma": ("", "jax.scipy.special.gamma({0})", ""),
    "binomial": ("scipy.special.binom({0}, {1})", "", ""),
    "erfinv": ("scipy.special.erfinv({0})", "jax.lax.erf_inv({0})", "torch.erfinv({0})"),
    # ρ_τ, Huber's ρ_δ and Z(δ): helpers of the module, their definitions (mlederive.codegen.named)
    **{name: (call,) * 3 for name, call in NAMED_CALLS.items()},
    "huber_psi": ("numpy.clip({1}, -{0}, {0})", "jax.numpy.clip({1}, -{0}, {0})", "torch.clamp({1}, -{0}, {0})"),
    "huber_inside": ("numpy.where(numpy.abs({1}) < {0}, 1.0, 0.0)", "jax.numpy.where(jax.numpy.abs({1}) < {0}, 1.0, 0.0)",
                     "(torch.abs({1}) < {0}).to(torch.get_default_dtype())"),
    "I0": ("scipy.special.i0({0})", "jax.scipy.special.i0({0})", "torch.special.i0({0})"),
    "I1": ("scipy.special.i1({0})", "jax.scipy.special.i1({0})", "torch.special.i1({0})"),
    **{name: ("", "", "torch.%s({0})" % call) for name, call in (
        ("exp", "exp"), ("log", "log"), ("sqrt", "sqrt"), ("Abs", "abs"), ("sign", "sign"), ("atan", "atan"),
        ("tanh", "tanh"), ("sin", "sin"), ("cos", "cos"), ("digamma", "digamma"))},
}


def _column(n: int) -> dict:
    return {name: row[n] for name, row in CALLS.items() if row[n]}


class _Pointwise:
    """1[y = c] and δ(x) elementwise on arrays, through the library's ``where`` (``_where``: numpy.where …)."""

    _where = "numpy.where"
    _inf = "numpy.inf"

    def _print_KroneckerDelta(self, expr):
        """1[y = c] elementwise (SymPy's own printer writes a Python conditional, which fails on an array)."""
        return "%s(%s == %s, 1.0, 0.0)" % ((self._where,) + tuple(self._print(a) for a in expr.args))

    def _print_DiracDelta(self, expr):
        """δ(x) pointwise: 0 wherever x ≠ 0 and infinite at the kink itself, where the curvature has no value."""
        if len(expr.args) > 1:
            raise PrintMethodNotImplementedError("DiracDelta derivative")
        return "%s(%s == 0, %s, 0.0)" % (self._where, self._print(expr.args[0]), self._inf)


class NumPyCode(_Pointwise, _Stable, SciPyPrinter):
    calls = _column(0)

    def _print_log(self, expr):
        """log a(y, φ) of the Tweedie's series by its helper, in logs (a itself over- or underflows)."""
        if type(expr.args[0]).__name__ == "TweedieNormaliser":
            y, phi, p = (self._print(a) for a in expr.args[0].args)
            return "_tweedie_log_a(%s, %s, %s)" % (y, phi, p)
        return super()._print_log(expr)

    def _print_logsumexp(self, expr):
        return "_logsumexp(eta)"


class JaxCode(_Pointwise, _Stable, JaxPrinter):
    calls = _column(1)
    _where, _inf = "jax.numpy.where", "jax.numpy.inf"

    def _print_logsumexp(self, expr):
        return "jax.nn.logsumexp(eta, axis=-1, keepdims=True)"


class TorchCode(_Stable, NumPyPrinter):
    _module = "torch"
    _kf = {name: call.replace("numpy.", "torch.") for name, call in _numpy_known_functions.items()}
    _kc = {name: value.replace("numpy.", "math.") for name, value in _numpy_known_constants.items()}
    axis = "dim=-1, keepdim=True"
    calls = _column(2)

    def _print_logsumexp(self, expr):
        return "torch.logsumexp(eta, dim=-1, keepdim=True)"

    def _print_KroneckerDelta(self, expr):
        a, b = (self._print(a) for a in expr.args)
        return "(torch.as_tensor(%s) == %s).to(torch.get_default_dtype())" % (a, b)

    def _print_DiracDelta(self, expr):
        """δ(x) pointwise, as the other libraries print it: 0 wherever x ≠ 0, infinite at the kink."""
        if len(expr.args) > 1:
            raise PrintMethodNotImplementedError("DiracDelta derivative")
        x = self._print(expr.args[0])
        return "torch.where(%s == 0, torch.inf, torch.zeros_like(%s))" % (x, x)

    def _print_Pi(self, expr):
        return "math.pi"


PRINTERS = {"numpy": NumPyCode, "jax": JaxCode, "pytorch": TorchCode}


def as_code(expr: sp.Expr, library: str, params: dict) -> tuple[str, set]:
    """(the expression as code, the modules it uses): η_i and y_i as ``eta`` and ``y``, parameters by name,
    numeric constants as 17-digit floats."""
    printer = PRINTERS[library]({"fully_qualified_modules": True, "inline": True, "allow_unknown_functions": False,
                                 "strict": True})
    expr = expr.xreplace({sym: sp.Symbol(name, positive=True) for name, sym in params.items()})
    text = printer.doprint(_numbers(expr))
    return text, {m.split(".")[0] for m in printer.module_imports} | _modules_in(text)


def _numbers(expr):
    """Every constant part (√2/(2√π), 1/2, log 2) as one 17-digit float; integer powers stay integers."""
    if expr.is_Integer or expr.is_Float or expr.is_Atom and not expr.is_number or isinstance(expr, sp.Indexed):
        return expr
    if expr.is_number and not expr.is_Boolean:
        return sp.Float(sp.N(expr, 17), 17)
    if expr.is_Pow and expr.exp.is_Integer:
        return sp.Pow(_numbers(expr.base), expr.exp)
    return expr.func(*[_numbers(a) for a in expr.args])


def _modules_in(text: str) -> set:
    import re

    return {m for m in ("numpy", "scipy", "torch", "jax", "math") if re.search(r"(?<![\w.])%s\." % m, text)}


def helpers_used(*exprs) -> list:
    """The primitives with a helper (an implementation of ours) that the forms use, in a fixed order."""
    used = {type(f) for e in exprs for f in e.atoms(sp.Function)}
    return sorted((cls for cls in IMPLEMENTATIONS if cls in used), key=lambda cls: cls.__name__)
