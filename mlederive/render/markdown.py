"""Markdown output with ``$$…$$`` math (GitHub, Jupyter, most static-site tools).

Prose stays unicode; math is the same LaTeX as the LaTeX export, broken across
rows of an ``aligned`` block when long. Markdown's own special characters in
prose are escaped so a title like ``Costs & 100% of $x_1`` prints literally.
"""
from __future__ import annotations

import re

from ..version import __version__
from .base import Renderer, document_blocks
from .common import (
    DEFAULT_NOTATION,
    Notation,
    check_phrase,
    math_parts,
    numeric_column,
    relation_phrase,
    shown,
    summary_line,
)
from .latex import equation_rows

_SPECIAL = re.compile(r"([\\`*_\[\]<>$|#~])")


def md_text(s: str) -> str:
    """Escape Markdown (and GitHub math) specials: every character prints as written."""
    return _SPECIAL.sub(r"\\\1", s)


def md_prose(p, notation: Notation = DEFAULT_NOTATION) -> str:
    """Prose as Markdown: words escaped, one $…$ per formula (the LaTeX of the LaTeX export), code in backquotes."""
    from ..prose import Code, Math, as_prose
    from .latex import MathPrinter
    from .notation import to_latex

    printer = MathPrinter({"fold_short_frac": True})
    out = []
    for run in as_prose(p).runs:
        if isinstance(run, Math):
            out.append("$%s$" % " ".join(to_latex(v) if kind == "notation" else v.latex if kind == "tex" else printer.doprint(v)
                                         for kind, v in math_parts(run, notation)))
        elif isinstance(run, Code):
            out.append("``%s``" % run.text if "`" in run.text else "`%s`" % run.text)
        else:
            out.append(md_text(run.text))
    return "".join(out)


def math_block(rows: list[str]) -> str:
    return "$$\n\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}\n$$"


def markdown_table(table, notation: Notation = DEFAULT_NOTATION) -> str:
    lines = ["**%s**" % md_prose(table.title, notation), "",
             "| " + " | ".join(md_prose(h, notation) for h in table.headers) + " |",
             "|" + "".join("---:|" if numeric_column(table, n) else ":---|" for n in range(len(table.headers)))]
    lines += ["| " + " | ".join(md_prose(c, notation) for c in row) + " |" for row in table.rows]
    return "\n".join(lines)


class MarkdownRenderer(Renderer):
    """A derivation's blocks as Markdown with ``$$`` math."""

    def __init__(self, notation: Notation = DEFAULT_NOTATION, level: int = 2):
        self.notation, self.nt, self.hashes = notation, notation.text, "#" * level

    def equation(self, lhs_latex: str, expr) -> str:
        return math_block(equation_rows(lhs_latex, expr, self.notation))

    def _render_Description(self, block):
        return self.prose(block.text)

    def prose(self, p) -> str:
        return md_prose(p, self.notation)

    def _render_Setting(self, block):
        return "**Setting.** %s." % self.prose(block.text)

    def _render_Caution(self, block):
        return "**Warning.** " + self.prose(block.text)

    def _render_NumberedStep(self, block):
        step, check = block.step, block.check
        out = ["%s Step %d. %s" % (self.hashes, block.number, self.prose(step.title)),
               self.prose(step.justification), self.equation(step.lhs_latex, shown(step, check))]
        if check is not None:  # None: not verified (derive(..., verify_steps=False)), no mark to show
            mark = "✓" if check.verified else "✗ **FAILED**"
            line = "%s *%s — %s*" % (mark, self.prose(relation_phrase(step.relation, step.payload)), check_phrase(check))
            if not check.verified and check.detail:
                line += ": " + md_text(check.detail)
            out.append(line)
        return "\n\n".join(out)

    def _render_ResultsHeading(self, block):
        return "%s Result" % self.hashes

    def _render_Result(self, block):
        return "**%s**" % self.prose(block.label) + "\n\n" + self.equation(block.lhs_latex, block.display if block.display is not None else block.expr)

    def _render_Table(self, block):
        return markdown_table(block, self.notation)

    def _render_Summary(self, block):
        return md_text(summary_line(block.document)) + "."


def render_markdown_body(d, notation: Notation = DEFAULT_NOTATION, level: int = 2) -> str:
    return "\n\n".join(MarkdownRenderer(notation, level).render_all(document_blocks(d))) + "\n"


def render_markdown(d, fragment: bool = False, notation: Notation = DEFAULT_NOTATION) -> str:
    body = render_markdown_body(d, notation)
    if fragment:
        return body
    return "# %s\n\n%s\n*Derived and machine-checked by mlederive %s (recipe `%s`).*\n" % (
        md_text(d.recipe.title), body, __version__, d.recipe.name)
