"""What if you train binary classification with MSE? The σ′ factor that BCE cancels.

With z = θᵀx and ŷ = σ(z): for L = ½(y − ŷ)², ∂L/∂θ = −(y − ŷ)·ŷ(1 − ŷ)·x, which
vanishes when ŷ saturates near 0 or 1 even when the prediction is wrong; for
binary cross-entropy, ∂L/∂θ = (ŷ − y)·x. Both by the chain rule, each step
checked against direct differentiation, the y = 0 and y = 1 cases separately,
and a table of |∂L/∂z| for both losses.
"""
from __future__ import annotations

import sympy as sp

from .. import symbolic as S
from ..documents import Argument, Result, Step, Table
from ..prose import prose
from ..relations import Differentiation, Limit
from .kinds import ArgumentKind, Option, integer

y = sp.Symbol("y", real=True)
z = sp.Symbol("z", real=True)
yhat = sp.Symbol("yhat", positive=True)  # ŷ ∈ (0, 1)
theta = sp.Symbol("theta", real=True)
x = sp.Symbol("x", real=True)

MSE = sp.Rational(1, 2) * (y - yhat) ** 2
BCE = -y * sp.log(yhat) - (1 - y) * sp.log(1 - yhat)


def _in_z(loss):
    return loss.subs(yhat, S.sigmoid(z))


def _in_theta(loss):
    return loss.subs(yhat, S.sigmoid(theta * x))


def _label(value) -> int:
    if value not in (0, 1):
        raise ValueError("must be 0 or 1, got %r" % (value,))
    return value


class SigmoidMSEvsBCE(ArgumentKind):
    kind = "sigmoid-mse-vs-bce"
    summary = "MSE on a sigmoid: ∂L/∂z has a σ′ factor that vanishes; BCE: ∂L/∂z = ŷ − y"
    options = {
        "z_min": Option(-10, "first z of the table", integer(-40, 0)),
        "z_max": Option(10, "last z of the table", integer(0, 40)),
        "z_step": Option(1, "spacing of the table's z values", integer(1, 10)),
        "label": Option(1, "the true label y used in the table (0 or 1)", _label),
    }

    def build(self, recipe):
        o = recipe.options
        view = {yhat: S.sigmoid(theta * x)}
        grad_mse = -(y - S.sigmoid(z)) * S.sigmoid(z) * (1 - S.sigmoid(z))
        grad_bce = S.sigmoid(z) - y
        steps = [
            Step("The model", "A linear layer $z = θᵀx$ followed by a sigmoid: $ŷ = σ(z)$, the probability of $y = 1$. "
                 "The chain rule: $∂L/∂θ = ∂L/∂ŷ · dŷ/dz · ∂z/∂θ$, with $∂z/∂θ = x$.",
                 "ŷ", r"\hat{y}", 1 / (1 + sp.exp(-z)), "definition"),
            Step("The sigmoid's derivative", "$dσ/dz = e^{−z}/(1 + e^{−z})²$, which is $σ(z)(1 − σ(z))$.",
                 "dŷ/dz", r"\frac{d\hat{y}}{dz}", S.sigmoid(z) * (1 - S.sigmoid(z)), "derivative",
                 payload=Differentiation(wrt=z, function=S.sigmoid(z))),
            # MSE
            Step("MSE loss", "Squared error on the probability, as a regression loss would be used.",
                 "L_MSE", r"L_{\mathrm{MSE}}", MSE, "definition"),
            Step("MSE: $∂L/∂ŷ$", "Differentiate the square.", "∂L_MSE/∂ŷ",
                 r"\frac{\partial L_{\mathrm{MSE}}}{\partial \hat{y}}", -(y - yhat), "derivative",
                 payload=Differentiation(wrt=yhat, function=MSE)),
            Step("MSE: $∂L/∂z$", "Chain rule: $∂L/∂ŷ · σ′(z)$ — the factor $σ(z)(1 − σ(z))$ stays.",
                 "∂L_MSE/∂z", r"\frac{\partial L_{\mathrm{MSE}}}{\partial z}",
                 grad_mse, "derivative",
                 payload=Differentiation(wrt=z, function=_in_z(MSE))),
            Step("MSE: $∂L/∂θ$", "Times $∂z/∂θ = x$, written with $ŷ = σ(z)$.", "∂L_MSE/∂θ",
                 r"\frac{\partial L_{\mathrm{MSE}}}{\partial \theta}", -(y - yhat) * yhat * (1 - yhat) * x,
                 "derivative", payload=Differentiation(wrt=theta, function=_in_theta(MSE), view=view)),
            Step("MSE, $y = 1$, confidently wrong", "When $y = 1$ but $z → −∞$ ($ŷ → 0$, as wrong as can be), "
                 "$σ(z)(1 − σ(z)) → 0$ and the gradient vanishes: the network cannot learn its way out.",
                 "lim_{z→−∞} ∂L_MSE/∂z |_{y=1}",
                 r"\lim_{z\to-\infty} \frac{\partial L_{\mathrm{MSE}}}{\partial z}\Big|_{y=1}", sp.Integer(0),
                 "limit", payload=Limit(function=grad_mse.subs(y, 1), var=z, point=-sp.oo)),
            Step("MSE, $y = 0$, confidently wrong", "Likewise when $y = 0$ but $z → +∞$ ($ŷ → 1$).",
                 "lim_{z→+∞} ∂L_MSE/∂z |_{y=0}",
                 r"\lim_{z\to+\infty} \frac{\partial L_{\mathrm{MSE}}}{\partial z}\Big|_{y=0}", sp.Integer(0),
                 "limit", payload=Limit(function=grad_mse.subs(y, 0), var=z, point=sp.oo)),
            # BCE
            Step("BCE loss", "The Bernoulli negative log-likelihood of one observation.", "L_BCE",
                 r"L_{\mathrm{BCE}}", BCE, "definition"),
            Step("BCE: $∂L/∂ŷ$", "Differentiate the logs.", "∂L_BCE/∂ŷ",
                 r"\frac{\partial L_{\mathrm{BCE}}}{\partial \hat{y}}", -y / yhat + (1 - y) / (1 - yhat),
                 "derivative", payload=Differentiation(wrt=yhat, function=BCE)),
            Step("BCE: $∂L/∂z$", "Chain rule: $(−y/ŷ + (1 − y)/(1 − ŷ)) · ŷ(1 − ŷ) = ŷ − y$ — $σ′$ cancels the "
                 "denominators.", "∂L_BCE/∂z", r"\frac{\partial L_{\mathrm{BCE}}}{\partial z}", grad_bce,
                 "derivative", payload=Differentiation(wrt=z, function=_in_z(BCE))),
            Step("BCE, $y = 0$", "$(1 − y)/(1 − ŷ) · ŷ(1 − ŷ) · x = ŷx$. If the network is right, $ŷ = 0$, "
                 "the gradient is null; if wrong, it is as large as $ŷ$.", "∂L_BCE/∂θ |_{y=0}",
                 r"\frac{\partial L_{\mathrm{BCE}}}{\partial \theta}\Big|_{y=0}", yhat * x, "derivative",
                 payload=Differentiation(wrt=theta, function=_in_theta(BCE).subs(y, 0), view=view)),
            Step("BCE, $y = 1$", "$−(y/ŷ) · ŷ(1 − ŷ) · x = −(1 − ŷ)x$. If the network is right, $ŷ = 1$, "
                 "the gradient is null.", "∂L_BCE/∂θ |_{y=1}",
                 r"\frac{\partial L_{\mathrm{BCE}}}{\partial \theta}\Big|_{y=1}", -(1 - yhat) * x, "derivative",
                 payload=Differentiation(wrt=theta, function=_in_theta(BCE).subs(y, 1), view=view)),
            Step("BCE: $∂L/∂θ$", "Both cases in one formula.", "∂L_BCE/∂θ",
                 r"\frac{\partial L_{\mathrm{BCE}}}{\partial \theta}", (yhat - y) * x, "derivative",
                 payload=Differentiation(wrt=theta, function=_in_theta(BCE), view=view)),
            Step("BCE, $y = 1$, confidently wrong", "When $y = 1$ and $z → −∞$ the BCE gradient tends to $−1$, "
                 "its largest size: the more wrong, the stronger the push.",
                 "lim_{z→−∞} ∂L_BCE/∂z |_{y=1}",
                 r"\lim_{z\to-\infty} \frac{\partial L_{\mathrm{BCE}}}{\partial z}\Big|_{y=1}", sp.Integer(-1),
                 "limit", payload=Limit(function=grad_bce.subs(y, 1), var=z, point=-sp.oo)),
        ]
        label = o["label"]
        zs = list(range(o["z_min"], o["z_max"] + 1, o["z_step"]))
        f_mse = sp.lambdify(z, S.expand_functions(grad_mse.subs(y, label)), "math")
        f_bce = sp.lambdify(z, S.expand_functions(grad_bce.subs(y, label)), "math")
        f_hat = sp.lambdify(z, S.expand_functions(S.sigmoid(z)), "math")
        rows = tuple((str(v), "%.4g" % f_hat(v), "%.3e" % abs(f_mse(v)), "%.3e" % abs(f_bce(v))) for v in zs)
        table = Table("$|∂L/∂z|$ for $y = %d$" % label, (prose("$z$"), prose("$ŷ = σ(z)$"), "MSE", "BCE"), rows)
        results = [
            Result("MSE on a sigmoid: the gradient carries $σ′(z)$ and vanishes at saturation", "∂L_MSE/∂θ",
                   r"\frac{\partial L_{\mathrm{MSE}}}{\partial \theta}", steps[5].expr),
            Result("BCE: $σ′$ cancels", "∂L_BCE/∂θ", r"\frac{\partial L_{\mathrm{BCE}}}{\partial \theta}",
                   steps[13].expr),
        ]
        plain = {"mse": S.expand_functions(grad_mse), "bce": S.expand_functions(grad_bce)}
        doc = Argument(recipe, prose("$z = θᵀx$, $ŷ = σ(z)$; derivatives by the chain rule; table at $y = %d$" % label),
                       steps, results, [table],
                       json={"gradients": {k: sp.srepr(v) for k, v in plain.items()}, "symbols": ["y", "z"]})
        doc.figure = {"z": zs, "label": label, "mse": [abs(f_mse(v)) for v in zs],
                      "bce": [abs(f_bce(v)) for v in zs]}
        return doc
