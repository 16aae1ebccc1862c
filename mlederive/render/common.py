"""What every renderer shares: turning engine symbols into reader-facing ones.

Indexed objects such as ``eta[i, k]`` become plain symbols named ``eta_ik`` so
SymPy's printers write η_ik / \\eta_{ik}. Nothing here computes or checks.
"""
from __future__ import annotations

import sympy as sp

from ..steps import RELATIONS, Check


def _subscript(indices) -> str:
    return "".join(str(ix) for ix in indices)


def display_form(expr: sp.Expr) -> sp.Expr:
    """Replace every ``base[i, …]`` by a symbol ``base_i…`` carrying the same assumptions."""
    mapping = {}
    for atom in expr.atoms(sp.Indexed):
        name = "%s_%s" % (atom.base.label.name, _subscript(atom.indices))
        mapping[atom] = sp.Symbol(name, **atom.base.label.assumptions0) if atom.base.label.assumptions0 else sp.Symbol(name)
    return expr.xreplace(mapping) if mapping else expr


def relation_phrase(relation: str) -> str:
    return RELATIONS[relation][1]


def relation_symbol(relation: str) -> str:
    return RELATIONS[relation][0]


def check_phrase(check: Check) -> str:
    if check.method == "definition":
        return "definition"
    return "%s, %s" % ("verified" if check.verified else "FAILED", check.method)
