"""Predictors: how the learned parameters θ produce the linear predictor η_i.

The pipeline only ever differentiates with respect to η_i; a predictor
supplies the last factor of the chain rule, ∂η_i/∂θ, symbolically for display
and concretely (a small instance with real parameters) so the verifier can
check gradients against direct differentiation in θ.
"""
from __future__ import annotations

import sympy as sp

from . import symbolic as S

theta = sp.Symbol("theta", real=True)


class GradF(sp.Function):
    r"""∇_θ f_θ(x_i), the Jacobian of a generic model output; opaque by design."""

    is_real = True

    def _latex(self, printer, exp=None):
        return r"\nabla_{\theta} f_{\theta}\left(x_{%s}\right)" % printer._print(self.args[0])

    def _sympystr(self, printer):
        return "grad_theta_f(x[%s])" % printer._print(self.args[0])

    def _pretty(self, printer):
        from sympy.printing.pretty.stringpict import prettyForm

        return prettyForm("∇θ fθ(x_%s)" % printer._print(self.args[0]))


#: a concrete instance has this many features / parameters per output
CONCRETE_DIM = 2


def concrete_weight(c: int) -> sp.Symbol:
    """θ_c of a concrete (scalar-output) instance: the same symbol for the predictor and for a prior."""
    return sp.Symbol("theta_%d" % c, real=True)


class Predictor:
    name: str = ""
    #: how η_i is produced, a prose template ("$η_i = θᵀx_i$ (…)")
    formula: str = ""
    #: η is linear in θ (η_i = θᵀx_i): least-squares closed forms apply
    linear: bool = False

    def formula_for(self, parameter: str) -> str:
        """The right-hand side of η_p,i for predicted parameter ``parameter`` (its weights θ_p), as notation."""
        raise NotImplementedError

    def jacobian(self, index) -> sp.Expr:
        """∂η_index/∂θ as a display symbol."""
        raise NotImplementedError

    def concrete(self, size: int, classes: int | None):
        """A small concrete instance for unrolled checks.

        Returns ``(eta_values, components)``: ``eta_values`` maps each
        ``eta[j]`` (or ``eta[j, k]``) to an expression in real parameters, and
        ``components`` is a list of ``(parameter, jacobian_substitution, k)``:
        differentiating by ``parameter`` must agree with the claimed gradient
        after ``jacobian_substitution`` and with the class index set to ``k``.
        """
        raise NotImplementedError


class Linear(Predictor):
    name = "linear"
    linear = True
    formula = "$η_i = θᵀx_i$ (a bias is the weight of a constant feature)"

    def formula_for(self, parameter):
        return "θ_%sᵀx_i" % parameter

    def jacobian(self, index):
        return S.x[index]

    def concrete(self, size, classes):
        eta_values, components = {}, []
        outs = [None] if classes is None else list(range(1, classes + 1))
        for kk in outs:
            ws = [sp.Symbol("theta_%s%d" % ("" if kk is None else "%d_" % kk, c), real=True)
                  for c in range(1, CONCRETE_DIM + 1)]
            for jj in range(1, size + 1):
                key = S.eta[jj] if kk is None else S.eta[jj, kk]
                eta_values[key] = sp.Add(*[w * S.x[jj, c] for c, w in enumerate(ws, start=1)])
            for c, w in enumerate(ws, start=1):
                # θ alone (a prior's penalty gradient, 2λθ) is the weight vector: component c is θ_c
                components.append((w, {**{S.x[jj]: S.x[jj, c] for jj in range(1, size + 1)}, theta: w}, kk))
        return eta_values, components


class Generic(Predictor):
    """Any differentiable model f_θ(x); checked on the nonlinear stand-in θ₁·tanh(θ₂·x)."""

    name = "generic"
    formula = "$η_i = f_θ(x_i)$ (any differentiable model)"

    def formula_for(self, parameter):
        return "f_{θ_%s}(x_i)" % parameter

    def jacobian(self, index):
        return GradF(index)

    def concrete(self, size, classes):
        eta_values, components = {}, []
        outs = [None] if classes is None else list(range(1, classes + 1))
        for kk in outs:
            tag = "" if kk is None else "%d_" % kk
            t1, t2 = (sp.Symbol("theta_%s%d" % (tag, c), real=True) for c in (1, 2))
            etas = {}
            for jj in range(1, size + 1):
                key = S.eta[jj] if kk is None else S.eta[jj, kk]
                etas[jj] = t1 * sp.tanh(t2 * S.x[jj])
                eta_values[key] = etas[jj]
            for t in (t1, t2):
                components.append((t, {**{GradF(jj): sp.diff(etas[jj], t) for jj in range(1, size + 1)}, theta: t},
                                   kk))
        return eta_values, components


PREDICTORS: dict[str, Predictor] = {cls.name: cls() for cls in (Linear, Generic)}
