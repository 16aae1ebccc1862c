"""LaTeX output: a standalone article (or its body, ``fragment=True``).

Two jobs besides layout:

* every string that is not ours (recipe title, description) is escaped, and
  the unicode in our own prose (θ, η_i, Σ_k, σ²) becomes LaTeX math, so the
  document compiles with a plain pdflatex;
* long expressions are broken across lines, at the top-level terms of a sum
  (and inside a long Σ_i (…)), instead of running off the page.
"""
from __future__ import annotations

import functools
import re

import sympy as sp

from ..subscripts import comma_subscript
from ..version import __version__
from .base import Renderer, document_blocks
from .common import (
    DEFAULT_NOTATION,
    Notation,
    check_phrase,
    display_form,
    math_parts,
    numeric_column,
    plain_text,
    relation_phrase,
    shown,
    summary_line,
)
from .printing import TextbookLatexPrinter

#: rough number of characters that fit on a line of a displayed equation
LINE_WIDTH = 64

_TEXT_SPECIALS = {
    "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
    "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
    "…": r"\ldots{}", "—": "---", "–": "--", "’": "'", "‘": "`", "“": "``", "”": "''", "\u00a0": "~",
}

_GREEK = dict(zip("αβγδεζηθικλμνξπρστυφχψωΓΔΘΛΞΠΦΨΩ", (
    r"\alpha", r"\beta", r"\gamma", r"\delta", r"\epsilon", r"\zeta", r"\eta", r"\theta", r"\iota",
    r"\kappa", r"\lambda", r"\mu", r"\nu", r"\xi", r"\pi", r"\rho", r"\sigma", r"\tau", r"\upsilon",
    r"\phi", r"\chi", r"\psi", r"\omega", r"\Gamma", r"\Delta", r"\Theta", r"\Lambda", r"\Xi", r"\Pi",
    r"\Phi", r"\Psi", r"\Omega")))

_MATH = {
    **_GREEK, "Σ": r"\sum", "∏": r"\prod", "∂": r"\partial", "∇": r"\nabla", "·": r"\cdot", "⋅": r"\cdot",
    "×": r"\times", "−": "-", "≤": r"\le", "≥": r"\ge", "≠": r"\ne", "≈": r"\approx", "≃": r"\simeq",
    "∝": r"\propto", "→": r"\to", "↦": r"\mapsto", "∈": r"\in", "∞": r"\infty", "½": r"\tfrac{1}{2}",
    "‖": r"\|", "ℓ": r"\ell", "√": r"\surd", "ŷ": r"\hat{y}", "ᵀ": r"^{\top}", "±": r"\pm", "∼": r"\sim",
    "≡": r"\equiv", "ℝ": r"\mathbb{R}", "✓": r"\checkmark", "✗": r"\times", "⊤": r"\top", "∑": r"\sum",
}
_SUPER = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+"))
_SUB = dict(zip("₀₁₂₃₄₅₆₇₈₉ᵢⱼₖₙ", "0123456789ijkn"))

_LETTER = "A-Za-z" + "".join(_GREEK) + "ŷ∇ℓΣ∏"
_TOKEN = re.compile(
    r"(?P<sub>[{0}]_(?:\{{[^{{}}]*\}}|[{0}0-9]+))".format(_LETTER)   # η_i, y_ik, e_{ij}, ∇_θ, Σ_k
    + r"|(?P<sup>\^(?:\{[^{}]*\}|[A-Za-z0-9]+))"                # e^{η_ij}
    + r"|(?P<scripts>[%sA-Za-z0-9)]?[%s%s]+)" % ("".join(_GREEK), "".join(_SUPER), "".join(_SUB))  # g⁻¹, σ², ηᵢ
    + r"|(?P<char>.)", re.S)
#: in our prose only: "y_i | x_i ~ N(μ, σ²)"
_PROSE_MATH = {"~": r"\sim", "|": r"\mid"}


def _math(fragment: str) -> str:
    """Unicode math from our prose (``η_ij``, ``σ²``) as LaTeX math-mode source."""
    if "_" in fragment and "{" not in fragment:  # η_ij inside e^{η_ij}
        base, _, sub = fragment.partition("_")
        return "%s_{%s}" % (_math(base).strip(), _math(sub).strip())
    out = []
    for ch in fragment:
        if ch in _MATH:
            out.append(_MATH[ch] + " ")
        elif ch in _SUPER:
            out.append("^{%s}" % _SUPER[ch])
        elif ch in _SUB:
            out.append("_{%s}" % _SUB[ch])
        elif ch in "{}":
            out.append(ch)
        elif ch in _TEXT_SPECIALS:
            out.append(_TEXT_SPECIALS[ch] if ch not in "_^" else ch)
        else:
            out.append(ch)
    return _merge_scripts("".join(out))


def _merge_scripts(src: str) -> str:
    """``^{-}^{1}`` → ``^{-1}`` (one unicode superscript character at a time)."""
    for mark in "^_":
        pattern = re.compile(r"(\%s\{[^{}]*)\}\%s\{" % (mark, mark))
        while pattern.search(src):
            src = pattern.sub(r"\1", src)
    return src


#: combining marks and primes that follow the symbol they modify
_ACCENTS = {"\u0302": r"\hat{%s}", "\u0303": r"\tilde{%s}", "\u0304": r"\bar{%s}", "\u2032": "%s'"}


def _text_char(ch: str) -> str:
    if ch in _TEXT_SPECIALS:
        return _TEXT_SPECIALS[ch]
    if ord(ch) < 128 or ch.isalpha() and ord(ch) < 0x250:  # ASCII and accented Latin: utf8 inputenc
        return ch
    return r"\ensuremath{\langle}U+%04X\ensuremath{\rangle}" % ord(ch)  # would stop pdflatex: show the code


def tex_text(s: str, prose: bool = True) -> str:
    """A string as LaTeX text.

    ``prose=True`` (our own sentences) also turns ``η_i`` and ``e^{…}`` into
    math; ``prose=False`` (user strings: titles, descriptions) prints ``_`` and
    ``^`` literally. Greek letters and math signs become math in both.
    """
    out: list[tuple[bool, str]] = []  # (is_math, source)
    for m in _TOKEN.finditer(s):
        if prose and m.group("sub"):
            base, sub = m.group("sub").split("_", 1)
            sub = sub[1:-1] if sub.startswith("{") else sub
            out.append((True, "%s_{%s}" % (_math(base).strip(), _math(sub).strip())))
        elif m.group("scripts"):
            out.append((True, _math(m.group("scripts"))))
        elif prose and m.group("char") in _PROSE_MATH:
            out.append((True, _PROSE_MATH[m.group("char")]))
        elif prose and m.group("sup"):
            sup = m.group("sup")[1:]
            sup = sup[1:-1] if sup.startswith("{") else sup
            out.append((True, "^{%s}" % _math(sup).strip()))
        else:
            for ch in m.group(0):
                if ch in _ACCENTS and out:  # θ̂, σ′: the accent goes on the symbol before it, in math
                    _, prev = out.pop()
                    out.append((True, _ACCENTS[ch] % prev))
                elif ch in _MATH or ch in _SUPER or ch in _SUB:
                    out.append((True, _math(ch)))
                else:
                    out.append((False, _text_char(ch)))
    text, pending = [], []
    for is_math, src in out + [(False, "")]:
        if is_math:
            pending.append(src)
            continue
        if pending:
            body = "".join(pending).strip()
            text.append("$%s$" % (r"{}" + body if body.startswith(("^", "_")) else body))
            pending = []
        text.append(src)
    return "".join(text)


class MathPrinter(TextbookLatexPrinter):
    """The LaTeX printer of every format that shows LaTeX (the textbook settings of :mod:`.printing`)."""


def _visible(latex: str) -> int:
    """A rough count of printed characters: commands count as one, braces as none."""
    latex = re.sub(r"\\(left|right|Bigl|Bigr|bigl|bigr)\b", "", latex)
    latex = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", lambda m: "x" * max(len(m.group(1)), len(m.group(2))), latex)
    latex = re.sub(r"\\[A-Za-z]+", "x", latex)
    return len(re.sub(r"[{}^_ ]", "", latex))


def _sum_head(printer, expr: sp.Sum) -> str:
    heads = []
    for var, lo, hi in reversed(expr.limits):
        heads.append(r"\sum_{%s=%s}^{%s}" % (printer._print(var), printer._print(lo), printer._print(hi)))
    return " ".join(heads)


def _pieces(printer, expr: sp.Expr, width: int, products: bool = False) -> list[str]:
    """The LaTeX of ``expr`` as pieces whose concatenation is the whole; lines may break between pieces (and, with
    ``products``, inside the sum of a long product c·(a + b + …))."""
    whole = printer.doprint(expr)
    if _visible(whole) <= width:
        return [whole]
    if expr.is_Add:
        pieces: list[str] = []
        for n, term in enumerate(printer._as_ordered_terms(expr)):
            negative = term.could_extract_minus_sign()
            sub = _pieces(printer, -term if negative and n else term, width, products)
            sign = ("- " if negative else "+ ") if n else ""
            pieces += [sign + sub[0]] + sub[1:]
        return pieces
    if isinstance(expr, sp.Sum) and expr.function.is_Add:
        inner = _pieces(printer, expr.function, width, products)
        if len(inner) == 1:
            return [whole]
        return [_sum_head(printer, expr) + r" \Bigl(" + inner[0]] + inner[1:-1] + [inner[-1] + r" \Bigr)"]
    if expr.is_Mul:
        sums = [f for f in expr.args if isinstance(f, sp.Sum)]
        if len(sums) == 1:
            rest = sp.Mul(*[f for f in expr.args if f is not sums[0]])
            inner = _pieces(printer, sums[0], width, products)
            if len(inner) > 1:
                prefix = "-" if rest == -1 else printer._print(rest)
                return [prefix + " " + inner[0]] + inner[1:]
        if products:
            return _product_pieces(printer, expr, width, whole)
    return [whole]


def _product_pieces(printer, expr: sp.Mul, width: int, whole: str) -> list[str]:
    """c·(a + b + …) too long for a line: c \Bigl(a + b … \Bigr), broken between the terms of the sum."""
    adds = sorted((f for f in expr.args if f.is_Add), key=lambda f: -_visible(printer.doprint(f)))
    if not adds:
        return [whole]
    rest = sp.Mul(*[f for f in expr.args if f is not adds[0]])  # the longest sum is broken, the rest goes in front
    inner = _pieces(printer, adds[0], width, True)
    if len(inner) < 2:
        return [whole]
    prefix = "-" if rest == -1 else "" if rest == 1 else printer._print(rest)
    return [prefix + r" \Bigl(" + inner[0]] + inner[1:-1] + [inner[-1] + r" \Bigr)"]


def equation_rows(lhs_latex: str, expr: sp.Expr, notation: Notation = DEFAULT_NOTATION,
                  width: int = LINE_WIDTH) -> list[str]:
    return list(_equation_rows(lhs_latex, expr, notation, width))


@functools.lru_cache(maxsize=2048)  # the same steps in every variant of an exam, in LaTeX and in Markdown
def _equation_rows(lhs_latex: str, expr: sp.Expr, notation: Notation, width: int, products: bool = False) -> tuple:
    """Rows for ``align*``/``aligned``: ``lhs &= …`` then ``&\\qquad …`` continuation rows."""
    printer = MathPrinter()
    if isinstance(expr, (sp.MatrixBase, sp.MatMul)) and _visible(printer.doprint(display_form(expr, notation))) > width:
        return _entry_rows(lhs_latex, expr, notation, width)
    shown = display_form(expr, notation)
    # a long product broken inside its sum: in the documents of several predicted parameters (η_μ,i, a matrix's
    # entries), whose lines are long; the one-parameter pages stay as their golden files pin them
    products = products or any(comma_subscript(getattr(a, "name", "")) for a in shown.free_symbols)
    pieces = _pieces(printer, shown, width, products)
    lhs = notation.latex(lhs_latex)
    rows, current = [], ""
    budget = max(width - _visible(lhs), 24)
    for piece in pieces:
        if current and _visible(current + piece) > budget:
            rows.append(current)
            current, budget = piece, width
        else:
            current = (current + " " + piece).strip()
    rows.append(current)
    return tuple(["%s &= %s" % (lhs, rows[0])] + [r"&\qquad %s" % r for r in rows[1:]])


def _entry_rows(lhs_latex: str, expr, notation: Notation, width: int) -> tuple:
    """A matrix too wide for the line, entry by entry as a textbook lists a Hessian's: [H]_pq = …, the upper triangle
    of a symmetric one."""
    factor, matrix = expr.as_coeff_matrices() if isinstance(expr, sp.MatMul) else (sp.S.One, [expr])
    matrix = matrix[0]
    symmetric = matrix.is_square and matrix == matrix.T
    rows: list = []
    for r in range(matrix.rows):
        for c in range(r if symmetric else 0, matrix.cols):
            entry = r"\left[%s\right]_{%d%d}" % (lhs_latex, r + 1, c + 1)
            rows += _equation_rows(entry, factor * matrix[r, c], notation, width, True)
    return tuple(rows)


def inline_math(expr: sp.Expr, notation: Notation = DEFAULT_NOTATION) -> str:
    return MathPrinter().doprint(display_form(expr, notation))


def _code(text: str) -> str:
    r"""A library call as \texttt that may break after its dots, commas and brackets, never inside a name."""
    body = tex_text(text, prose=False)
    for mark in (".", "(", ",", "="):
        body = body.replace(mark, mark + r"\allowbreak{}")
    return r"\texttt{%s}" % body


def tex_prose(p, notation: Notation = DEFAULT_NOTATION) -> str:
    """Prose as LaTeX: words escaped, one $…$ per formula, code in \texttt."""
    from ..prose import Code, Math, as_prose
    from .notation import to_latex

    printer = MathPrinter({"fold_short_frac": True})
    out = []
    for run in as_prose(p).runs:
        if isinstance(run, Math):
            body = " ".join(to_latex(v) if kind == "notation" else v.latex if kind == "tex" else printer.doprint(v)
                            for kind, v in math_parts(run, notation))
            out.append("$%s$" % body)
        elif isinstance(run, Code):
            out.append(_code(run.text))
        else:
            out.append(tex_text(run.text, prose=False))
    return "".join(out)


def _display(rows: list[str]) -> str:
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"


def _mark(check) -> str:
    return r"$\checkmark$" if check.verified else r"\textbf{FAILED}"


def latex_table(table, notation: Notation = DEFAULT_NOTATION) -> str:
    """A tabular whose text columns share the line in proportion to what they hold (a long library call gets
    more room than a one-word library name), ragged right, identifiers never broken inside a name."""
    numeric = [numeric_column(table, n) for n in range(len(table.headers))]
    cells = [[plain_text(c) for c in row] for row in [table.headers] + list(table.rows)]
    need = [max(len(row[n]) for row in cells) for n in range(len(table.headers))]
    # a column is at least as wide as its longest word (about 1.3 % of the line a character at \small), the rest
    # of the line is shared in proportion to what each column holds
    # (code may break after . ( , = as \allowbreak lets it: the pieces between are what cannot break)
    floor = [0.02 + 0.013 * max(len(w) for row in cells for w in re.split(r"[\s.(,=/]+", row[n]))
             for n in range(len(table.headers))]
    text_cols = [n for n, num in enumerate(numeric) if not num]
    total_floor = sum(floor[n] for n in text_cols)
    if total_floor > 0.86:
        floor = [f * 0.86 / total_floor for f in floor]
    room = 0.86 - sum(floor[n] for n in text_cols)
    extra = sum(need[n] for n in text_cols) or 1
    widths = ["r" if num else "p{%.2f\\linewidth}" % (floor[n] + max(room, 0) * need[n] / extra)
              for n, num in enumerate(numeric)]

    def cell(text, num):
        body = tex_prose(text, notation)
        return body if num else r"\raggedright " + body

    head = " & ".join(r"\textbf{%s}" % tex_prose(h, notation) for h in table.headers)
    body = " \\tabularnewline\n".join(" & ".join(cell(c, num) for c, num in zip(row, numeric)) for row in table.rows)
    return ("\\begin{center}\\small\n%s\\\\[2pt]\n\\begin{tabular}{%s}\n%s \\tabularnewline \\hline\n%s\n"
            "\\end{tabular}\n\\end{center}\n" % (tex_prose(table.title, notation), "".join(widths), head, body))


class LatexRenderer(Renderer):
    """A derivation's blocks as LaTeX body text (amsmath, amssymb)."""

    def __init__(self, notation: Notation = DEFAULT_NOTATION,
                 headings: tuple[str, str] = (r"\subsection*", r"\section*")):
        self.notation, self.nt = notation, notation.text
        self.heading, self.result_heading = headings

    def equation(self, lhs_latex: str, expr) -> str:
        return _display(equation_rows(lhs_latex, expr, self.notation))

    def _render_Description(self, block):
        return self.prose(block.text) + "\n"

    def prose(self, p) -> str:
        return tex_prose(p, self.notation)

    def _render_Setting(self, block):
        return r"\noindent\textbf{Setting.} %s." % self.prose(block.text) + "\n"

    def _render_Caution(self, block):
        return r"\noindent\textbf{Warning.} %s" % self.prose(block.text) + "\n"

    def _render_NumberedStep(self, block):
        step, check = block.step, block.check
        out = [r"%s{Step %d. %s}" % (self.heading, block.number, self.prose(step.title)),
               self.prose(step.justification), self.equation(step.lhs_latex, shown(step, check))]
        if check is None:  # not verified (derive(..., verify_steps=False)): no mark to show
            return "\n".join(out) + "\n"
        line = r"\noindent{\small %s %s --- %s" % (
            _mark(check), self.prose(relation_phrase(step.relation, step.payload)), check_phrase(check))
        if not check.verified and check.detail:
            line += ": " + tex_text(check.detail, prose=False)
        return "\n".join(out + [line + "}\n"])

    def _render_ResultsHeading(self, block):
        return r"%s{Result}" % self.result_heading

    def _render_Result(self, block):
        return r"\noindent\textbf{%s}" % self.prose(block.label) + "\n" + self.equation(block.lhs_latex, block.display if block.display is not None else block.expr)

    def _render_Table(self, block):
        return latex_table(block, self.notation)

    def _render_Summary(self, block):
        return r"\noindent %s." % tex_text(summary_line(block.document), prose=False)


def render_latex_body(d, notation: Notation = DEFAULT_NOTATION,
                      headings: tuple[str, str] = (r"\subsection*", r"\section*")) -> str:
    """The derivation as LaTeX body text: needs amsmath and amssymb."""
    return "\n".join(LatexRenderer(notation, headings).render_all(document_blocks(d))) + "\n"


#: Latin Modern with T1 encoding when installed (real glyphs for _ < > |, so copy-paste from the
#: PDF gives the text back); plain Computer Modern otherwise: the document compiles either way
FONTS = r"\IfFileExists{lmodern.sty}{\usepackage[T1]{fontenc}\usepackage{lmodern}}{}"

PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[utf8]{inputenc}
""" + FONTS + r"""
\usepackage{amsmath,amssymb}
\usepackage[margin=2.5cm]{geometry}
\setlength{\emergencystretch}{2em}
"""


def render_latex(d, fragment: bool = False, notation: Notation = DEFAULT_NOTATION) -> str:
    body = render_latex_body(d, notation)
    if fragment:
        return body
    return (PREAMBLE + "\\title{%s}\n\\author{derived and machine-checked by mlederive %s}\n\\date{}\n"
            "\\begin{document}\n\\maketitle\n\n%s\\end{document}\n"
            % (tex_text(d.recipe.title, prose=False), __version__, body))
