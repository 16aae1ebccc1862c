"""The model's domain as SymPy sees it: η_i, y_i and μ_i as symbols that carry it, and which exceptions come from
SymPy (a proof it cannot do, never a proof). Shared by the prover and the positivity lemmas."""
from __future__ import annotations

import sympy as sp


def raised_by_sympy(exc: BaseException) -> bool:
    """The exception was raised inside SymPy or mpmath (a rewrite or a limit it cannot do, StopIteration from its
    sum_simplify …): the claim is undecided there, never proved. An exception from our own code is not this."""
    import os

    tb, last = exc.__traceback__, None
    while tb is not None:
        last, tb = tb, tb.tb_next
    if last is None:
        return False
    path = last.tb_frame.f_code.co_filename.replace(os.sep, "/")
    return "/sympy/" in path or "/mpmath/" in path or isinstance(exc, RecursionError)


#: the interval each symbol made by :func:`on_domain` lies in (a bounded y ∈ (0, 1) says more than "positive")
INTERVALS: dict = {}


def _bounded_parameters(expr: sp.Expr, model) -> dict:
    """A known parameter on a bounded interval (π ∈ (0, 1), the Tweedie's p ∈ (1, 2)) → a positive symbol whose
    interval is kept in :data:`INTERVALS`: "positive" says too little."""
    subs = {}
    for param in model.family.params:
        symbol = model.params.get(param.name)
        if symbol is not None and symbol in expr.free_symbols and param.domain.is_subset(sp.Interval.open(0, sp.oo)) \
                and param.domain.sup.is_finite:
            subs[symbol] = sp.Dummy(symbol.name, positive=True)
            INTERVALS[subs[symbol]] = param.domain
    if len(INTERVALS) > 100000:
        INTERVALS.clear()
    return subs


def with_bounded_parameters(expr: sp.Expr, model) -> sp.Expr:
    """``expr`` with its bounded parameters as symbols that carry their intervals (the positivity lemmas read them)."""
    return expr.xreplace(_bounded_parameters(expr, model)) if model is not None else expr


def on_domain(expr: sp.Expr, model) -> sp.Expr:
    """``expr`` with η_i, y_i and μ_i replaced by symbols that carry the model's domain as assumptions.

    η from where g⁻¹(η) is a valid mean (η > 0 for poisson-identity, η ≠ 0 for the inverse link), y from the
    family's support, μ from the mean domains (y ≥ 0 for counts, 0 < μ …): what SymPy's ``is_positive`` needs to
    know; each symbol's interval is kept in :data:`INTERVALS` for what assumptions cannot say (1 − y > 0 when
    y ∈ (0, 1)).
    """
    if model is None:
        return expr
    from ..pairing import eta_region

    fam, link = model.family, model.link
    eta_set = (eta_region(link, fam) if not model.one_hot else None) or link.eta_domain
    regions = {"eta": eta_set, "y": fam.support, "mu": fam.mean_domain.intersect(link.mean_domain)}
    for p in model.predicted if model.several else ():  # each predicted parameter: its η and its value
        regions[p.eta.label.name] = eta_region(p.link, p.slot) or p.link.eta_domain
        regions[p.value.label.name] = p.slot.mean_domain.intersect(p.link.mean_domain)
    subs = _bounded_parameters(expr, model)
    for atom in expr.atoms(sp.Indexed):
        region = regions.get(atom.base.label.name)
        if region is None or not all(c.is_Integer for c in atom.indices[1:]):
            # y_ik, η_ik of a class k (or of a class a sum runs over): one symbol would cut its tie to the sums over
            # the classes that contain it (mlederive.verification.classes)
            continue
        name = atom.base.label.name
        counts = region.is_subset(sp.S.Naturals0)
        if region.is_subset(sp.Interval.open(0, sp.oo)):
            subs[atom] = sp.Dummy(name, positive=True, **({"integer": True} if counts else {}))
        elif region.is_subset(sp.Interval(0, sp.oo)):
            subs[atom] = sp.Dummy(name, nonnegative=True, **({"integer": True} if counts else {}))
        elif region.is_subset(sp.Interval.open(-sp.oo, 0)):
            subs[atom] = sp.Dummy(name, negative=True)
        elif region.is_subset(sp.S.Reals) and region.contains(0) is sp.false:
            subs[atom] = sp.Dummy(name, real=True, nonzero=True)
        else:  # real: a symbol of its own still, so that a lemma in one η sees one variable
            subs[atom] = sp.Dummy(name, real=True)
        if isinstance(region, sp.Interval):
            INTERVALS[subs[atom]] = region
    return expr.xreplace(subs)
