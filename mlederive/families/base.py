"""The base of every family: what a family declares, and how it pairs with a link.

Which links a family accepts is *derived* from the links' ranges: a link whose
inverse maps all of ℝ into the family's mean domain is valid; one that can
leave it is valid only under a constraint on η; one of the wrong shape
(softmax on a scalar family) is refused.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import sympy as sp

from .. import symbolic as S
from ..links import LINKS, Link
from ..pairing import Pairing, PairingStatus, eta_constraint
from ..prose import prose

@dataclass(frozen=True)
class Param:
    """A nuisance parameter of a family (σ, b, …), known or learned per recipe."""

    name: str
    symbol: sp.Symbol
    meaning: str
    default: str = "known"  # "known" | "learned"


class Family:
    name: str = ""
    title: str = ""
    #: the law in our notation, with μ for the mean: "N(μ, σ²)", "Gamma(k, μ)" (shown as y_i | x_i ∼ N(μ_i, σ²))
    notation: str = ""
    #: what the parameters mean, a prose template ("with shape $k$ and mean $μ_i$"), or ""
    notation_note: str = ""
    params: tuple[Param, ...] = ()
    support: sp.Set = sp.S.Reals
    mean_domain: sp.Set = sp.S.Reals
    canonical_link: str | None = ""
    #: the usual link when no available link is canonical (negative binomial: log)
    natural_link: str | None = None
    vector: bool = False
    discrete: bool = False
    #: the statsmodels GLM family with this density (mlederive.libraries), or None
    statsmodels: object = None

    def statement(self):
        """The model's first words: y_i | x_i ∼ N(μ_i, σ²) (and what the parameters mean), as prose."""
        law = re.sub(r"μ(?![_\w])", "μ_i", self.notation).replace("μ_1, …, μ_K", "μ_i1, …, μ_iK")
        return prose("$y_i | x_i ∼ %s$" + (", " + self.notation_note if self.notation_note else ""), law)

    # -- the density ---------------------------------------------------------------
    def density(self, y: sp.Expr, mu: sp.Expr, params: dict) -> sp.Expr:
        """p(y | μ, params)."""
        raise NotImplementedError

    def textbook_density(self, y: sp.Expr, mu: sp.Expr, params: dict) -> sp.Expr | None:
        """p(y | μ) in the order a textbook writes it (normalising constant first, powers as written), or
        None when :meth:`density` already prints that way. Only shown: the verifier proves it equal to
        :meth:`density` in every derivation."""
        return None

    def expanded_log_density(self, y: sp.Expr, eta: sp.Expr, link: Link, params: dict) -> sp.Expr:
        """log p(y | η) written as a sum of simple terms.

        Generic fallback: split the log of products and powers (valid because
        every factor of a density is positive on the support) and merge the
        logs of pure numbers. The verifier proves the result equal to
        log p, so a subclass may override this with a nicer closed form.
        """
        logp = sp.log(self.density(y, link.inverse(eta), params))
        return S.tidy_constants(sp.expand_log(logp, force=True))

    # -- what the textbook gradient needs ----------------------------------------------
    def variance(self, mu: sp.Expr, params: dict):
        """V(μ) (with the family's parameters, e.g. the negative binomial's α), or None when the family is
        not an exponential-dispersion family. Var(y) = φ·V(μ)."""
        return None

    def dispersion(self, params: dict):
        """φ, or None."""
        return None

    # -- pairing with links ----------------------------------------------------------------
    def pairing(self, link: Link) -> Pairing:
        if link.vector != self.vector:
            if link.vector:
                return Pairing(PairingStatus.REFUSED, "%s is a link for vector outcomes (the categorical family) only" % link.name)
            return Pairing(PairingStatus.REFUSED, "the %s family has a vector outcome and needs a vector link" % self.name)
        whole_line = link.eta_domain == sp.S.Reals
        if link.name == self.canonical_link:
            return Pairing(PairingStatus.CANONICAL, constraint="" if whole_line else eta_constraint(link, self))
        if link.inverse_range.is_subset(self.mean_domain) and whole_line:
            return Pairing(PairingStatus.VALID)
        if link.inverse_range.intersect(self.mean_domain) is sp.S.EmptySet:
            return Pairing(PairingStatus.REFUSED, "g⁻¹ of %s never lands in the mean domain %s" % (link.name, self.mean_domain))
        constraint = eta_constraint(link, self)
        return Pairing(
            PairingStatus.CONSTRAINED,
            "g⁻¹ of %s is a valid %s mean only for %s" % (link.name, self.name, constraint), constraint,
        )

    def allowed_links(self) -> list[str]:
        """Link names this family accepts, canonical first."""
        ok = [name for name, link in LINKS.items() if self.pairing(link).status != "refused"]
        first = self.canonical_link or self.natural_link
        return sorted(ok, key=lambda name: (name != first, name))

    # -- numeric checks ---------------------------------------------------------------------
    def sample_y(self, rng, wide: bool = False) -> float:
        """A point of the support, for the verifier's numeric checks (``wide``: far out in it too)."""
        return S.sample_point(self.support, rng, wide)

    def sample_mean(self, rng, wide: bool = False) -> float:
        """A point of the mean domain (``wide``: near its edges and far out too)."""
        return S.sample_point(self.mean_domain, rng, wide)

    def __repr__(self) -> str:
        return "%s()" % type(self).__name__


#: the sets and parameter symbols families share
positive = sp.Interval.open(0, sp.oo)


class Counts:
    """Mixin: y ∈ {0, 1, 2, …} with a positive mean (the verifier samples them there)."""

    support = sp.S.Naturals0
    mean_domain = sp.Interval.open(0, sp.oo)
    discrete = True


class PositiveY:
    """Mixin: a continuous y > 0 (the verifier samples it there)."""

    support = positive
