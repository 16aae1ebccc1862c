"""What every renderer shares: turning engine symbols into reader-facing ones.

Indexed objects such as ``eta[i, k]`` become plain symbols named ``eta_ik`` so
SymPy's printers write η_ik / \\eta_{ik}. A :class:`Notation` renames the
symbols a reader sees (an exam variant may call the weights w and the inputs
z). Nothing here computes or checks.
"""
from __future__ import annotations

import functools
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


@functools.lru_cache(maxsize=4096)  # an exam shows the same steps in every variant and format
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


def math_parts(run, notation: "Notation") -> list:
    """A Math run's parts with the notation's names: ("notation", unicode), ("expr", SymPy expression) or
    ("tex", a TeX piece)."""
    from ..prose import TeX

    merged = []  # "p = (" + "4/7, 3/7" + ")" is one piece of notation
    for p in run.parts:
        if isinstance(p, str) and merged and isinstance(merged[-1], str):
            merged[-1] += p
        else:
            merged.append(p)
    return [("notation", notation.text(p)) if isinstance(p, str) else ("tex", p) if isinstance(p, TeX)
            else ("expr", display_form(p, notation)) for p in merged]


_SCRIPTABLE = re.compile(r"_([0-9aehijklmnoprstuvx]+)(?![A-Za-z0-9])")


def unicode_scripts(notation: str) -> str:
    """η_i → ηᵢ, y_ik → yᵢₖ where unicode has every subscript letter (θ_MAP, x_d stay as written)."""
    from sympy.printing.pretty.pretty_symbology import sub

    return _SCRIPTABLE.sub(lambda m: "".join(sub[c] for c in m.group(1)) if all(c in sub for c in m.group(1))
                           else m.group(0), notation)


def plain_text(p, notation: "Notation" = None, unbroken: bool = False) -> str:
    """Prose as one line of unicode: what the terminal shows and JSON carries (ηᵢ as the 2-D art writes it).
    ``unbroken``: spaces inside a formula are marked (U+0000) so that :func:`wrap` keeps the formula whole."""
    from ..prose import Math, as_prose
    from .inline import prose_math

    notation = notation or DEFAULT_NOTATION
    out = []
    for run in as_prose(p).runs:
        if isinstance(run, Math):
            math = "".join(unicode_scripts(v) if kind == "notation" else (v.text or v.latex) if kind == "tex"
                           else prose_math(v) for kind, v in math_parts(run, notation))
            out.append(math.replace(" ", "\0") if unbroken else math)
        else:
            out.append(run.text)
    return "".join(out)


def wrap(marked: str, width: int) -> str:
    """Prose from ``plain_text(…, unbroken=True)`` wrapped at ``width``: between words, never inside a formula
    (σ(ηᵢ) − yᵢ stays on one line) unless a formula alone is wider than the line."""
    import textwrap

    from rich.cells import cell_len

    lines = []
    for line in textwrap.wrap(marked, width, break_long_words=False, break_on_hyphens=False):
        if cell_len(line) > width:  # one formula longer than the line: it breaks at its own spaces
            lines += textwrap.wrap(line.replace("\0", " "), width, break_long_words=True, break_on_hyphens=False)
        else:
            lines.append(line.replace("\0", " "))
    return "\n".join(lines)


def shown(step, check=None):
    """What a reader sees of a step: its textbook form (proved equal by the verifier), or the working form —
    always the working form when the step failed, so a wrong step is shown as it is."""
    if step.display is None or (check is not None and not check.verified):
        return step.expr
    return step.display


def relation_phrase(relation: str):
    """What the relation means, as prose."""
    from ..prose import prose

    return prose(RELATIONS[relation].phrase)


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
            float(plain_text(row[index]))
    except ValueError:
        return False
    return True
