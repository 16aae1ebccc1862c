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


class Prior:
    name: str = ""
    title: str = ""
    #: the distribution of one weight, for display
    notation: str = ""
    notation_latex: str = ""
    #: the scale parameter (known)
    scale: sp.Symbol
    #: what the penalty is called once derived
    penalty: str = ""

    def density(self, w: sp.Expr) -> sp.Expr:
        """p(θ_j), one weight."""
        raise NotImplementedError

    def product(self) -> sp.Expr:
        """p(θ) = Π_j p(θ_j) over the d weights."""
        return sp.Product(self.density(S.weights[S.j]), (S.j, 1, S.d))


class GaussianPrior(Prior):
    name = "gaussian"
    title = "Gaussian prior on each weight"
    notation = "θ_j ~ N(0, τ²)"
    notation_latex = r"\theta_j \sim \mathcal{N}(0, \tau^2)"
    scale = sp.Symbol("tau", positive=True)
    penalty = "L2 penalty (ridge regression, weight decay)"

    def density(self, w):
        tau = self.scale
        return sp.exp(-w**2 / (2 * tau**2)) / sp.sqrt(2 * sp.pi * tau**2)


class LaplacePrior(Prior):
    name = "laplace"
    title = "Laplace prior on each weight"
    notation = "θ_j ~ Laplace(0, b)"
    notation_latex = r"\theta_j \sim \mathrm{Laplace}(0, b)"
    scale = sp.Symbol("b", positive=True)
    penalty = "L1 penalty (the lasso)"

    def density(self, w):
        b = self.scale
        return sp.exp(-sp.Abs(w) / b) / (2 * b)


PRIORS: dict[str, Prior] = {cls.name: cls() for cls in (GaussianPrior, LaplacePrior)}
