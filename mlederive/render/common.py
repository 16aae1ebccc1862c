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
from ..indicators import show_indicators
from ..relations import RELATIONS


@dataclass(frozen=True)
class Name:
    """One reader-facing name: the SymPy symbol name, its unicode and its LaTeX form."""

    symbol: str
    text: str
    latex: str


@dataclass(frozen=True)
class Notation:
    """Names for the weights θ, the inputs x and the targets y (and with them ŷ and ȳ).

    The engine always works in θ, x and y; renaming happens only on display, in
    expressions (:func:`display_form`), prose (:meth:`text`) and LaTeX (:meth:`latex`) — every
    θ, every x and every y a question shows, alone or with an index, hat or bar, so one question
    never mixes t_i with y = (1, 0, …).
    """

    weights: Name = Name("theta", "θ", r"\theta")
    inputs: Name = Name("x", "x", "x")
    target: Name = Name("y", "y", "y")

    @property
    def is_default(self) -> bool:
        return self == Notation()

    @property
    def letters(self) -> tuple:
        """The letters this notation shows for the weights, the inputs and the targets."""
        return self.weights.text, self.inputs.text, self.target.text

    def base_name(self, name: str) -> str:
        """An engine symbol's name as shown: x, y, yhat, ybar renamed (theta by :meth:`symbol_name`)."""
        t = self.target.symbol
        return {"x": self.inputs.symbol, "y": t, "yhat": t + "hat", "ybar": t + "bar"}.get(name, name)

    def symbol_name(self, name: str) -> str:
        if name == "theta" or name.startswith("theta_"):
            return self.weights.symbol + name[len("theta"):]
        head, sep, tail = name.partition("_")
        return self.base_name(head) + sep + tail if head in ("x", "y", "yhat", "ybar") else name

    def text(self, prose: str) -> str:
        if self.is_default:
            return prose
        prose = prose.replace("θ", self.weights.text)
        t = self.target.text
        prose = prose.replace("ŷ", t + "\u0302").replace("ȳ", t + "\u0304") if t != "y" else prose
        # a letter on its own or with an index (x_i, y = 1, θᵀx), never inside a word (exp, max, Bayes);
        # not \b: "ᵀ" counts as a letter
        prose = re.sub(r"(?<![A-Za-z0-9_])x(?![A-Za-z0-9])", self.inputs.text, prose)
        return re.sub(r"(?<![A-Za-z0-9_])y(?![A-Za-z0-9])", t, prose)

    def latex(self, label: str) -> str:
        if self.is_default:
            return label
        label = label.replace(r"\theta", self.weights.latex)
        label = re.sub(r"(?<![A-Za-z\\])x(?![A-Za-z])", lambda m: self.inputs.latex, label)
        return re.sub(r"(?<![A-Za-z\\])y(?![A-Za-z])", lambda m: self.target.latex, label)


DEFAULT_NOTATION = Notation()


@functools.lru_cache(maxsize=4096)  # an exam shows the same steps in every variant and format
def display_form(expr: sp.Expr, notation: Notation = DEFAULT_NOTATION) -> sp.Expr:
    """Replace every ``base[i, …]`` by a symbol ``base_i…`` carrying the same assumptions (and an indicator of the
    outcome by 1[y_i = c])."""
    expr = show_indicators(expr)
    mapping = {}
    for atom in expr.atoms(sp.Indexed):
        name = S.indexed_name(atom, notation.base_name(atom.base.label.name))
        mapping[atom] = sp.Symbol(name, **atom.base.label.assumptions0)
    if not notation.is_default:
        for atom in expr.free_symbols:
            if isinstance(atom, sp.Symbol) and notation.symbol_name(atom.name) != atom.name:
                mapping[atom] = sp.Symbol(notation.symbol_name(atom.name), **atom.assumptions0)
        for atom in expr.atoms(sp.MatrixSymbol):  # the target vector y of the normal equations
            if notation.symbol_name(atom.name) != atom.name:
                mapping[atom] = sp.MatrixSymbol(notation.symbol_name(atom.name), *atom.shape)
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
    return [("notation", notation.text(p)) if isinstance(p, str)
            else ("tex", TeX(notation.latex(p.latex), notation.text(p.text))) if isinstance(p, TeX)
            else ("expr", display_form(p, notation)) for p in merged]


#: the unicode sub- and superscript characters (what a terminal can show without 2-D art)
SUBSCRIPTS = dict(zip("0123456789+-−=()aehijklmnoprstuvxβγρφχ", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ"))
SUPERSCRIPTS = dict(zip("0123456789+-−=()abcdefghijklmnoprstuvwxyzT*",
                        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᵀ*"))
_SCRIPT = re.compile(r"(?P<kind>[_^])(?:\{(?P<braced>(?:[^{}]|\{[^{}]*\})*)\}|(?P<plain>[−-]?[0-9]+|[A-Za-z]+|\*))")


def _script(text: str, table: dict) -> str | None:
    return "".join(table[c] for c in text) if text and all(c in table for c in text) else None


def unicode_scripts(notation: str) -> str:
    """Our notation's scripts as a terminal shows them: η_i → ηᵢ, 2^{−1074} → 2⁻¹⁰⁷⁴, e^{−z} → e⁻ᶻ; e^{η_ij} →
    exp(η_ij), a subscript without unicode letters (μ_iK, lim_{z→−∞}) as _iK or _(z → −∞) — never TeX's braces.
    A formula with one subscript that cannot be lowered writes all its subscripts with _ (μ_i1, …, μ_iK)."""
    found = list(_SCRIPT.finditer(notation))
    lowered = all(_script(m.group("braced") if m.group("braced") is not None else m.group("plain"), SUBSCRIPTS)
                  for m in found if m.group("kind") == "_")
    out, last = [], 0
    for m in found:
        out.append(notation[last:m.start()])
        last = m.end()
        body = m.group("braced") if m.group("braced") is not None else m.group("plain")
        if m.group("kind") == "^":
            raised = _script(body, SUPERSCRIPTS)
            if raised is not None:
                out.append(raised)
            elif notation[m.start() - 1:m.start()] == "e" and (m.start() < 2 or not notation[m.start() - 2].isalpha()):
                out[-1] = out[-1][:-1]
                out.append("exp(%s)" % unicode_scripts(body))
            else:
                out.append("^(%s)" % unicode_scripts(body) if len(body) > 1 else "^" + body)
        else:
            sunk = _script(body, SUBSCRIPTS) if lowered else None
            if sunk is not None:
                out.append(sunk)
            elif re.fullmatch(r"\w+(,\w+)+", body):  # η_{σ,i}: a parameter's η, then the observation
                out.append("_" + body)
            elif m.group("braced") is not None and not body.isalnum():
                out.append("_(%s)" % unicode_scripts(body))
            else:
                out.append("_" + body)
    out.append(notation[last:])
    return "".join(out)


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

    def fits(line):  # a marked space counts: cell_len gives U+0000 no width, which once let a formula run off
        return cell_len(line.replace("\0", " ")) <= width

    lines = []
    for line in textwrap.wrap(marked, width, break_long_words=False, break_on_hyphens=False):
        if fits(line):
            lines.append(line.replace("\0", " "))
            continue
        # one formula longer than the line: it breaks before its = signs first, then at its other spaces
        for part in textwrap.wrap(line.replace("\0=\0", " =\0"), width, break_long_words=False,
                                  break_on_hyphens=False):
            lines += [part.replace("\0", " ")] if fits(part) else textwrap.wrap(
                part.replace("\0", " "), width, break_long_words=True, break_on_hyphens=False)
    return "\n".join(lines)


def shown(step, check=None):
    """What a reader sees of a step: its textbook form (proved equal by the verifier), or the working form —
    always the working form when the step failed, so a wrong step is shown as it is."""
    if step.display is None or (check is not None and not check.verified):
        return step.expr
    return step.display


def relation_phrase(relation: str, payload=None):
    """What the relation means, as prose (for this step's payload, where the relation says more for some)."""
    from ..prose import prose

    return prose(RELATIONS[relation].phrase_for(payload))


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
