"""How an indexed quantity is named when it is shown: η_i, y_ik — and one predicted parameter's η among several,
η_μ,i (the parameter, then the observation), which every printer writes with a comma."""
from __future__ import annotations

import sympy as sp


def indexed_name(atom: sp.Indexed, base: str | None = None) -> str:
    """The plain symbol name of ``base[i, …]``: ``eta_i``, ``y_ik``; one predicted parameter's η among several,
    ``eta_mu[i]``, is ``eta_mu,i`` (printed η_μ,i: the parameter, then the observation)."""
    name = atom.base.label.name if base is None else base
    index = "".join(map(str, atom.indices))
    head, sep, parameter = name.partition("_")
    return "%s_%s,%s" % (head, parameter, index) if sep and head == "eta" else "%s_%s" % (name, index)


def comma_subscript(name: str):
    """(base, [parts]) for a symbol named ``eta_mu,i`` (η_μ,i: several subscripts, comma-separated), else None."""
    base, sep, sub = name.partition("_")
    return (base, sub.split(",")) if sep and "," in sub else None
