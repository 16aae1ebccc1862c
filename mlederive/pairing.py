"""How a link pairs with a family: canonical, valid, constrained or refused — worked out from ranges.

A link whose g⁻¹ maps all of ℝ into the family's mean domain is *valid*; one that can leave
it is *constrained* (valid where η lies in the image of the mean domain under g, which
:func:`eta_constraint` computes); one of the wrong shape is *refused*. *Canonical* is the
exponential family's own link, declared by the family.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from . import symbolic as S
from .textenum import TextEnum


class PairingStatus(TextEnum):
    CANONICAL = "canonical"
    VALID = "valid"
    CONSTRAINED = "constrained"
    REFUSED = "refused"


@dataclass(frozen=True)
class Pairing:
    """How a link relates to a family: canonical, valid, constrained or refused."""

    status: PairingStatus
    reason: str = ""
    #: for a constrained pair, the condition on η that keeps g⁻¹(η) in the mean domain, e.g. "η > 0"
    constraint: str = ""


def _number(v) -> str:
    text = S.inline(v)
    return text if v.is_Rational else "%s ≈ %.4g" % (text, float(v))


def _set_text(var: str, region: sp.Set) -> str:
    """``Interval.open(0, oo)`` → ``η > 0``; unions joined with "or"."""
    if region == sp.Union(sp.Interval.open(-sp.oo, 0), sp.Interval.open(0, sp.oo)):
        return "%s ≠ 0" % var
    if isinstance(region, sp.Union):
        return " or ".join(_set_text(var, part) for part in region.args)
    if isinstance(region, sp.Interval):
        lo, hi = region.start, region.end
        left = "" if lo == -sp.oo else "%s %s " % (_number(lo), "<" if region.left_open else "≤")
        right = "" if hi == sp.oo else " %s %s" % ("<" if region.right_open else "≤", _number(hi))
        if not left and not right:
            return "any %s" % var
        if left and not right:
            return "%s %s %s" % (var, ">" if region.left_open else "≥", _number(lo))
        return "%s%s%s" % (left, var, right)
    return "%s ∈ %s" % (var, region)


_REGIONS: dict = {}


def eta_region(link, family) -> sp.Set | None:
    """The η for which g⁻¹(η) is a valid mean: the image of the mean domain under g (within g⁻¹'s own domain);
    None where SymPy cannot compute it."""
    key = (id(link), id(family))
    if key not in _REGIONS:  # function_range is slow; families and links are long-lived objects
        _REGIONS[key] = (_eta_region(link, family), link, family)
    return _REGIONS[key][0]


def _eta_region(link, family):
    from sympy.calculus.util import function_range

    if link.inverse_range.is_subset(family.mean_domain):  # every η g⁻¹ takes gives a valid mean
        return link.eta_domain
    m = sp.Symbol("m", real=True)
    domain = family.mean_domain.intersect(link.mean_domain)
    try:
        return function_range(link(m), m, domain).intersect(link.eta_domain)
    except (NotImplementedError, ValueError, TypeError):
        return None


def eta_constraint(link, family) -> str:
    """Where η must lie for g⁻¹(η) to be a valid mean, as text: "η > 0"."""
    region = eta_region(link, family)
    if region is None:
        return "g⁻¹(η) must stay in %s" % family.mean_domain
    return _set_text("η", region)
