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
    """A parameter of a family (σ, b, …) with its domain: known, learned, or predicted (its own link and η)."""

    name: str
    symbol: sp.Symbol
    meaning: str
    default: str = "known"  # "known" | "learned"
    domain: sp.Set = sp.Interval.open(0, sp.oo)


@dataclass(frozen=True)
class ParameterSlot:
    """One parameter of a family as a link sees it: its name and domain (what :func:`eta_region` reads)."""

    name: str
    mean_domain: sp.Set
    canonical_link: str | None = None
    one_hot: bool = False


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
    one_hot: bool = False
    discrete: bool = False
    #: the statsmodels GLM family with this density (mlederive.libraries), or None
    statsmodels: object = None
    #: an exam draws its recipes by default (the laws of a first course); the others come with ``--recipes``
    in_exams: bool = True

    def statement(self, predicted: tuple = ()):
        """The model's first words: y_i | x_i ∼ N(μ_i, σ²) (and what the parameters mean), as prose; the
        ``predicted`` parameters' symbols besides the mean get their index too (N(μ_i, σ_i²))."""
        law = re.sub(r"μ(?![_\w])", "μ_i", self.notation).replace("μ_1, …, μ_K", "μ_i1, …, μ_iK")
        note = self.notation_note
        from sympy.printing.pretty.pretty_symbology import pretty_symbol

        for symbol in predicted:
            letter = pretty_symbol(symbol.name)
            law = re.sub(r"%s(?![_A-Za-z])" % re.escape(letter), letter + "_i", law)
            note = re.sub(r"\$%s\$" % re.escape(letter), "$%s_i$" % letter, note)  # "with shape $k_i$"
        return prose("$y_i | x_i ∼ %s$" + (", " + note if note else ""), law)

    #: the name of the first parameter, the one the link of a one-parameter model predicts (μ: the mean, except
    #: where the family says otherwise)
    mean_name: str = "mu"

    def parameter_names(self) -> tuple[str, ...]:
        """Every parameter in the family's order, the first one first: ("mu", "sigma")."""
        return (self.mean_name,) + tuple(p.name for p in self.params)

    def slot(self, name: str):
        """The family itself for its first parameter; a :class:`ParameterSlot` (name, domain) for the others."""
        if name == self.mean_name:
            return self
        slots = self.__dict__.setdefault("_slots", {})  # one per parameter: eta_region caches by identity
        if name not in slots:
            param = next((p for p in self.params if p.name == name), None)
            if param is None:
                raise KeyError(name)
            slots[name] = ParameterSlot(param.name, param.domain)
        return slots[name]

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

    # -- what the Fisher information needs ---------------------------------------------------
    def moments(self, y: sp.Expr, mu: sp.Expr, params: dict) -> tuple:
        """The expectations the Fisher information needs, as (m(y), E[m(y)]) pairs at mean ``mu`` and ``params``;
        the verifier proves each against :meth:`density` (mlederive.moments). () where none is declared."""
        return ()

    #: why the Fisher information needs an expectation the family cannot declare, as a prose template ("" if none)
    moments_missing: str = ""
    #: False where SymPy is known not to prove the declared moments against the density at symbolic parameters (the
    #: beta's E[log y]: no closed form; the Student-t's E[1/(νs² + (y − μ)²)]: a Meijer G function it does not rewrite
    #: to the value): the verifier goes straight to the 40-digit quadrature (labelled numeric) instead of spending
    #: its symbolic budget first
    moments_integrate: bool = True

    def moment_centre(self, mu: sp.Expr, params: dict):
        """The point the moments are centred on (a location family's μ: moments of y − μ), or None."""
        return None

    def moment_breaks(self, mu: sp.Expr, params: dict) -> tuple:
        """Points where a declared moment's integrand jumps (Huber's 1[|y − μ| < δ] at μ ± δ): the quadrature that
        checks the moment cuts its interval there."""
        return ()

    # -- pairing with links ----------------------------------------------------------------
    def pairing(self, link: Link, parameter: str | None = None) -> Pairing:
        """How ``link`` pairs with the first parameter (the mean), or with the named one."""
        if parameter is not None and parameter != self.mean_name:
            return pair_with(link, self.slot(parameter), self.name)
        return pair_with(link, self, self.name)

    def allowed_links(self, parameter: str | None = None) -> list[str]:
        """Link names this family accepts for the mean (or the named parameter), canonical first."""
        ok = [name for name, link in LINKS.items() if self.pairing(link, parameter).status != "refused"]
        first = self.canonical_link or self.natural_link if parameter in (None, self.mean_name) else "log"
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


def pair_with(link: Link, slot, family_name: str) -> Pairing:
    """How ``link`` pairs with a parameter ``slot``: the family itself for its mean, else a :class:`ParameterSlot`.

    A link whose g⁻¹ maps all of ℝ into the parameter's domain is valid; one that can leave it is constrained
    to the η that keep it there; one that never lands there, or of the wrong shape, is refused."""
    mean = isinstance(slot, Family)
    what = "%s mean" % family_name if mean else "%s %s" % (family_name, slot.name)
    if link.one_hot != slot.one_hot:
        if link.one_hot:
            return Pairing(PairingStatus.REFUSED, "%s is a link for one-hot outcomes (the categorical family) only" % link.name)
        return Pairing(PairingStatus.REFUSED, "the %s family has a one-hot outcome and needs a link over its K logits (softmax)" % family_name)
    whole_line = link.eta_domain == sp.S.Reals
    if link.name == slot.canonical_link:
        return Pairing(PairingStatus.CANONICAL, constraint="" if whole_line else eta_constraint(link, slot))
    if link.inverse_range.is_subset(slot.mean_domain) and whole_line:
        return Pairing(PairingStatus.VALID)
    if link.inverse_range.intersect(slot.mean_domain) is sp.S.EmptySet:
        where = "the mean domain" if mean else "the domain of %s," % slot.name
        return Pairing(PairingStatus.REFUSED, "g⁻¹ of %s never lands in %s %s" % (link.name, where, slot.mean_domain))
    constraint = eta_constraint(link, slot)
    return Pairing(PairingStatus.CONSTRAINED, "g⁻¹ of %s is a valid %s only for %s" % (link.name, what, constraint),
                   constraint)


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
