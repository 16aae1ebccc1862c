"""Priors on the weights θ = (θ_1, …, θ_d): what turns maximum likelihood into MAP.

A prior is a small declarative class like a family: the density of one weight
(independent across weights), its scale parameter, and the name of the
penalty it becomes. Nothing here derives anything — the pipeline takes
−log p(θ), drops its θ-free part and rescales it with the loss, and the
verifier checks every step — so the L2/L1 penalties and their λ come out of
the derivation, not out of this file.
"""
from __future__ import annotations

import sympy as sp

from . import symbolic as S
from .predictors import theta


class Prior:
    name: str = ""
    title: str = ""
    #: the distribution of one weight, in our notation (shown as mathematics)
    notation: str = ""
    #: the scale parameter (known)
    scale: sp.Symbol
    #: what the penalty is called once derived
    penalty: str = ""
    #: the penalty −log p(θ) is quadratic in θ (a least-squares loss stays solvable in closed form)
    quadratic: bool = False

    def density(self, w: sp.Expr) -> sp.Expr:
        """p(θ_j), one weight."""
        raise NotImplementedError

    def textbook_density(self, w: sp.Expr) -> sp.Expr:
        """p(θ_j) as a textbook writes it (normalising constant first); shown only, proved equal to :meth:`density`."""
        return self.density(w)

    def negative_log(self, w: sp.Expr) -> sp.Expr:
        """−log p(θ_j) as a textbook writes it: the log of the normalising constant whole (½·log(2πτ²), log(2b)),
        then the penalty; the verifier proves it is −log of :meth:`density`."""
        raise NotImplementedError

    def library_settings(self, least_squares: bool, lam: sp.Expr, per_weight_grad: sp.Expr) -> list[tuple]:
        """Rows (library, call, setting with one %s, its value) that give the derived penalty: prose templates,
        the call as `code` and the setting's %s inside $…$.

        ``least_squares``: the data term is the squared error of a linear model, so the
        closed-form regressions of scikit-learn apply.
        """
        return []

    def product(self) -> sp.Expr:
        """p(θ) = Π_j p(θ_j) over the d weights."""
        return sp.Product(self.density(S.weights[S.j]), (S.j, 1, S.d))


class GaussianPrior(Prior):
    name = "gaussian"
    title = "Gaussian prior on each weight"
    notation = "θ_j ∼ N(0, τ²)"
    scale = sp.Symbol("tau", positive=True)
    penalty = "L2 penalty (ridge regression, weight decay)"
    quadratic = True

    def density(self, w):
        tau = self.scale
        return sp.exp(-w**2 / (2 * tau**2)) / sp.sqrt(2 * sp.pi * tau**2)

    def textbook_density(self, w):
        tau = self.scale
        return S.leading(S.reciprocal(S.held_product(tau, S.held(S.held_product(2, sp.pi), sp.S.Half))),
                         sp.exp(-w**2 / (2 * tau**2)))

    def negative_log(self, w):
        tau = self.scale
        return sp.log(2 * sp.pi * tau**2) / 2 + w**2 / (2 * tau**2)

    def library_settings(self, least_squares, lam, per_weight_grad):
        decay = per_weight_grad.coeff(theta)  # the optimiser adds weight_decay·θ to the loss's gradient
        rows = [("PyTorch", "`torch.optim.SGD(..., weight_decay=wd)`", "`weight_decay` $= %s$ (for this reduction)", decay)]
        if least_squares:
            rows.append(("scikit-learn", "`Ridge(alpha=a)`: $‖y − Xw‖² + a‖w‖²$", "$a = λ = %s$", lam))
        return rows


class LaplacePrior(Prior):
    name = "laplace"
    title = "Laplace prior on each weight"
    notation = "θ_j ∼ Laplace(0, b)"
    scale = sp.Symbol("b", positive=True)
    penalty = "L1 penalty (the lasso)"

    def density(self, w):
        b = self.scale
        return sp.exp(-sp.Abs(w) / b) / (2 * b)

    def textbook_density(self, w):
        b = self.scale
        return S.leading(S.reciprocal(S.held_product(2, b)), sp.exp(-sp.Abs(w) / b))

    def negative_log(self, w):
        b = self.scale
        return sp.log(2 * b) + sp.Abs(w) / b

    def library_settings(self, least_squares, lam, per_weight_grad):
        if least_squares:
            return [("scikit-learn", "`Lasso(alpha=a)`: $‖y − Xw‖²/(2n) + a‖w‖_1$", "$a = λ/(2n) = %s$",
                     sp.simplify(lam / (2 * S.n)))]
        return [("PyTorch", "no built-in L1 penalty; add it to the loss", "$λ = %s$ against the summed loss", lam)]


PRIORS: dict[str, Prior] = {cls.name: cls() for cls in (GaussianPrior, LaplacePrior)}
