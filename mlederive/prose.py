"""Prose as a reader sees it typeset: runs of text, mathematics and code.

A justification is not a string with unicode math pasted in: it is a sequence of runs —
:class:`Text` (words), :class:`Math` (a formula: SymPy expressions and short pieces of our
unicode notation such as ``y_i | x_i ∼ N(μ_i, σ²)``) and :class:`Code` (a library call) —
and each renderer typesets each run its own way: one ``$…$`` per formula in LaTeX and
Markdown, MathML in HTML, unicode on the terminal, ``\\texttt`` or ``<code>`` for code.

:func:`prose` builds one from a template, the way a sentence is written::

    prose("Multiply by the positive $θ$-free factor $%s$ (%s reduction).", factor, "mean")

``$…$`` marks mathematics, backquotes mark code, and each ``%s`` takes the next argument:
a SymPy expression (always mathematics), a string (text outside ``$…$``, notation inside),
or another :class:`Prose` (spliced in). Text runs carry no mathematics; the tests check it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sympy as sp


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Math:
    """One formula: its parts in order, each a SymPy expression or a piece of unicode notation (str)."""

    parts: tuple


@dataclass(frozen=True)
class TeX:
    """A piece of a formula given as LaTeX (an exam's \\bar{y}), with its unicode for plain text."""

    latex: str
    text: str = ""


@dataclass(frozen=True)
class Code:
    """A library call or option, typeset as code: ``nn.PoissonNLLLoss(log_input=True)``."""

    text: str


@dataclass(frozen=True)
class Prose:
    runs: tuple

    def __str__(self) -> str:
        """Plain text, for debugging and for ``in`` tests; renderers typeset the runs themselves."""
        return "".join(r.text if isinstance(r, (Text, Code)) else "".join(
            p if isinstance(p, str) else (p.text or p.latex) if isinstance(p, TeX) else sp.sstr(p) for p in r.parts)
            for r in self.runs)

    def __contains__(self, fragment: str) -> bool:
        return fragment in str(self)

    def startswith(self, prefix) -> bool:
        return str(self).startswith(prefix)

    def __add__(self, other) -> "Prose":
        return Prose(self.runs + as_prose(other).runs)

    def __bool__(self) -> bool:
        return bool(self.runs)

    @property
    def math(self) -> list:
        """Every formula of the prose (its Math runs)."""
        return [r for r in self.runs if isinstance(r, Math)]


_PIECES = re.compile(r"(\$|`|%s|%d)")


def prose(template: str, *args: Any) -> Prose:
    """Prose from a template: ``$…$`` is mathematics, backquotes code, ``%s`` (or ``%d``) the next argument."""
    runs: list = []
    in_math = in_code = False
    math: list = []
    values = list(args)
    for piece in _PIECES.split(template):
        if piece == "$" and not in_code:
            if in_math:
                runs.append(Math(tuple(math)))
                math = []
            in_math = not in_math
        elif piece == "`" and not in_math:
            in_code = not in_code
        elif piece in ("%s", "%d"):
            if not values:
                raise ValueError("prose template %r has more %%s than arguments" % template)
            value = values.pop(0)
            if in_math:
                math.append(value if isinstance(value, (str, sp.Basic, TeX)) else str(value))  # 3, 0.5: as written
            elif isinstance(value, Prose):
                runs.extend(value.runs)
            elif isinstance(value, (sp.Basic, TeX)):
                runs.append(Math((value,)))
            else:
                runs.append(Code(str(value)) if in_code else Text(str(value)))
        elif piece:
            if in_math:
                math.append(piece)
            else:
                runs.append(Code(piece) if in_code else Text(piece))
    if in_math or in_code:
        raise ValueError("prose template %r leaves a $ or ` open" % template)
    if values:
        raise ValueError("prose template %r has fewer %%s than arguments" % template)
    return Prose(tuple(_merged(runs)))


def _merged(runs):
    out = []
    for run in runs:
        if out and type(run) in (Text, Code) and type(out[-1]) is type(run):
            out[-1] = type(run)(out[-1].text + run.text)
        else:
            out.append(run)
    return out


def from_text(text: str) -> Prose:
    """A recipe's own words as prose: ``$…$`` is mathematics in our notation (θ_j ∼ N(0, τ²), λ = σ²/τ²), backquotes
    are code, everything else is text — no ``%s`` is read, and notation is only ever typeset, never evaluated.
    Raises ValueError for a ``$`` or a backquote left open."""
    runs: list = []
    in_math = in_code = False
    for piece in re.split(r"(\$|`)", text):
        if piece == "$" and not in_code:
            in_math = not in_math
        elif piece == "`" and not in_math:
            in_code = not in_code
        elif piece:
            runs.append(Math((piece,)) if in_math else Code(piece) if in_code else Text(piece))
    if in_math or in_code:
        raise ValueError("a %s is left open: close it, or write the text without it" % ("$" if in_math else "`"))
    return Prose(tuple(_merged(runs)))


def as_prose(value) -> Prose:
    """A Prose as it is; a string as plain text (a recipe's own words are never parsed for $ or `)."""
    if isinstance(value, Prose):
        return value
    if isinstance(value, (sp.Basic, TeX)):
        return Prose((Math((value,)),))
    return Prose((Text(str(value)),)) if value else Prose(())


def join(parts, sep: str = ", ", last: str | None = None) -> Prose:
    """Prose pieces (expressions, strings, Prose) joined by ``sep`` (and ``last`` before the final one)."""
    parts = [as_prose(p) for p in parts]
    out = Prose(())
    for n, part in enumerate(parts):
        if n:
            out = out + Prose((Text(last if last is not None and n == len(parts) - 1 else sep),))
        out = out + part
    return out


__all__ = ["Code", "Math", "Prose", "TeX", "Text", "as_prose", "from_text", "join", "prose"]
