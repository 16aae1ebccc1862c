"""What every renderer shares: turning engine symbols into reader-facing ones.

Indexed objects such as ``eta[i, k]`` become plain symbols named ``eta_ik`` so
SymPy's printers write η_ik / \\eta_{ik}. A :class:`Notation` renames the
symbols a reader sees (an exam variant may call the weights w and the inputs
z). Nothing here computes or checks.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import sympy as sp

from .. import symbolic as S

from ..documents import Check
from ..relations import RELATIONS


def _subscript(indices) -> str:
    return "".join(str(ix) for ix in indices)


@dataclass(frozen=True)
class Name:
    """One reader-facing name: the SymPy symbol name, its unicode and its LaTeX form."""

    symbol: str
    text: str
    latex: str


@dataclass(frozen=True)
class Notation:
    """Names for the weights θ, the inputs x and the targets y.

    The engine always works in θ, x and y; renaming happens only on display, in
    expressions (:func:`display_form`), prose (:meth:`text`) and LaTeX labels
    (:meth:`latex`).
    """

    weights: Name = Name("theta", "θ", r"\theta")
    inputs: Name = Name("x", "x", "x")
    target: Name = Name("y", "y", "y")

    @property
    def is_default(self) -> bool:
        return self == Notation()

    def base_name(self, name: str) -> str:
        return {"x": self.inputs.symbol, "y": self.target.symbol}.get(name, name)

    def symbol_name(self, name: str) -> str:
        if name == "theta" or name.startswith("theta_"):
            return self.weights.symbol + name[len("theta"):]
        return name

    def text(self, prose: str) -> str:
        if self.is_default:
            return prose
        prose = prose.replace("θ", self.weights.text)
        # not \b: "ᵀ" counts as a letter, so θᵀx_i would keep its x
        prose = re.sub(r"(?<![A-Za-z0-9_])x(?=_)", self.inputs.text, prose)
        return re.sub(r"(?<![A-Za-z0-9_])y(?=_)", self.target.text, prose)

    def latex(self, label: str) -> str:
        if self.is_default:
            return label
        label = label.replace(r"\theta", self.weights.latex)
        label = re.sub(r"(?<![A-Za-z\\])x(?=_)", lambda m: self.inputs.latex, label)
        return re.sub(r"(?<![A-Za-z\\])y(?=_)", lambda m: self.target.latex, label)


DEFAULT_NOTATION = Notation()


def display_form(expr: sp.Expr, notation: Notation = DEFAULT_NOTATION) -> sp.Expr:
    """Replace every ``base[i, …]`` by a symbol ``base_i…`` carrying the same assumptions."""
    mapping = {}
    for atom in expr.atoms(sp.Indexed):
        name = "%s_%s" % (notation.base_name(atom.base.label.name), _subscript(atom.indices))
        mapping[atom] = sp.Symbol(name, **atom.base.label.assumptions0)
    if not notation.is_default:
        for atom in expr.free_symbols:
            if isinstance(atom, sp.Symbol) and notation.symbol_name(atom.name) != atom.name:
                mapping[atom] = sp.Symbol(notation.symbol_name(atom.name), **atom.assumptions0)
    if not mapping:
        return expr
    if S.evaluated(expr) == expr:  # a plain expression: SymPy's own order, which the printers rearrange
        return expr.xreplace(mapping)
    return S.substitute_held(expr, mapping)  # a display form stays as written (mlederive.symbolic.leading …)


def shown(step, check=None):
    """What a reader sees of a step: its textbook form (proved equal by the verifier), or the working form —
    always the working form when the step failed, so a wrong step is shown as it is."""
    if step.display is None or (check is not None and not check.verified):
        return step.expr
    return step.display


def relation_phrase(relation: str) -> str:
    return RELATIONS[relation].phrase


def check_phrase(check: Check) -> str:
    if check.method == "definition":
        return "nothing to prove"
    phrase = "%s, %s" % ("verified" if check.verified else "FAILED", check.method)
    return phrase + (" (%s)" % check.scope if check.scope else "")


def summary_line(d) -> str:
    """``10/10 steps verified (9 symbolic, 0 numeric, 1 definitions)``; or that nothing was verified."""
    if not d.checks:
        return "%d steps derived, not verified (verify() checks them)" % len(d.steps)
    methods = [c.method for c in d.checks]
    computed = ", %d computed" % methods.count("computed") if "computed" in methods else ""
    return "%d/%d steps verified (%d symbolic, %d numeric%s, %d definitions)" % (
        sum(c.verified for c in d.checks), len(d.checks), methods.count("symbolic"),
        methods.count("numeric"), computed, methods.count("definition"))


def gradient_lhs_latex(d, name: str) -> str:
    return next(r.lhs_latex for r in d.results if r.expr is d.gradients[name])


def numeric_column(table, index: int) -> bool:
    """True when every cell of the column is a number (right-aligned; text columns wrap)."""
    try:
        for row in table.rows:
            float(row[index])
    except ValueError:
        return False
    return True
