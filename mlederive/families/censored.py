"""A law observed through a censoring: the Tobit model, a Gaussian left-censored at c.

The latent y* ∼ N(μ, σ²) is recorded as y = max(y*, c): a row at c only says y* ≤ c, which has probability
Φ((c − μ)/σ); any other row has the Gaussian density. With the indicator 1[y = c] of a censored row the density (on
the point c and the half-line above it) is Φ((c − μ)/σ)^{1[y = c]}·(φ((y − μ)/σ)/σ)^{1 − 1[y = c]}: each row takes
its case's factor, and the log splits into log Φ for the censored rows and the Gaussian log-density for the others
(Tobin, 1958). μ is the latent mean, not E[y].
"""
from __future__ import annotations

import sympy as sp

from .. import symbolic as S
from .base import Family, Param

_sigma = sp.Symbol("sigma", positive=True)
_c = sp.Symbol("c", real=True)


class Tobit(Family):
    name, title = "tobit", "Tobit"
    notation, notation_note = "Tobit_c(μ, σ²)", "a Gaussian with latent mean $μ_i$ and scale $σ$, recorded as $c$ where it falls at or below $c$"
    params = (Param("sigma", _sigma, "scale of the latent Gaussian"),
              Param("c", _c, "censoring point", domain=sp.S.Reals))
    support = sp.Interval(_c, sp.oo)
    in_exams = False  # beyond a first course: an exam draws it when --recipes names it
    canonical_link = None
    natural_link = "identity"
    moments_missing = ("the expected curvature of a censored Gaussian needs its truncated moments; the observed "
                       "curvature is shown instead")

    def sample_y(self, rng, wide: bool = False) -> float:
        """Any real y: the censoring point c is sampled on its own, and every identity the verifier checks holds for
        y on either side of it (the case y = c is split off by the indicator)."""
        return S.sample_point(sp.S.Reals, rng, wide)

    def density(self, y, mu, params):
        sigma, c = params["sigma"], params["c"]
        censored = sp.KroneckerDelta(y, c)
        return (S.Phi((c - mu) / sigma) ** censored
                * (sp.exp(-(y - mu) ** 2 / (2 * sigma**2)) / (sigma * sp.sqrt(2 * sp.pi))) ** (1 - censored))

    def textbook_density(self, y, mu, params):
        """Φ((c − μ)/σ)^{1[y = c]}·((1/σ)·φ((y − μ)/σ))^{1 − 1[y = c]}, φ the standard normal density."""
        sigma, c = params["sigma"], params["c"]
        censored = sp.KroneckerDelta(y, c)
        return S.held_product(S.held(S.Phi((c - mu) / sigma), censored),
                              S.held(S.held_product(S.reciprocal(sigma), S.phi((y - mu) / sigma)), 1 - censored))

    def expanded_log_density(self, y, eta, link, params):
        """1[y = c]·log Φ((c − μ)/σ) − (1 − 1[y = c])·(y − μ)²/(2σ²) − (1 − 1[y = c])·log(σ√(2π)): the last term,
        the uncensored rows' normaliser, is one term (dropped as one)."""
        sigma, c = params["sigma"], params["c"]
        mu, censored = link.inverse(eta), sp.KroneckerDelta(y, c)
        return (censored * sp.log(S.Phi((c - mu) / sigma)) - (1 - censored) * (y - mu) ** 2 / (2 * sigma**2)
                - (1 - censored) * sp.log(sigma * sp.sqrt(2 * sp.pi)))
