"""Markdown output with ``$$…$$`` math (GitHub, Jupyter, most static-site tools).

Prose stays unicode; math is the same LaTeX as the LaTeX export, broken across
rows of an ``aligned`` block when long. Markdown's own special characters in
prose are escaped so a title like ``Costs & 100% of $x_1`` prints literally.
"""
from __future__ import annotations

import re

from ..version import __version__
from .common import DEFAULT_NOTATION, Notation, check_phrase, relation_phrase, summary_line
from .latex import equation_rows

_SPECIAL = re.compile(r"([\\`*_\[\]<>$|#~])")


def md_text(s: str) -> str:
    """Escape Markdown (and GitHub math) specials: every character prints as written."""
    return _SPECIAL.sub(r"\\\1", s)


def math_block(rows: list[str]) -> str:
    return "$$\n\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}\n$$"


def markdown_table(table) -> str:
    lines = ["**%s**" % md_text(table.title), "",
             "| " + " | ".join(md_text(h) for h in table.headers) + " |",
             "|" + "---:|" * len(table.headers)]
    lines += ["| " + " | ".join(md_text(c) for c in row) + " |" for row in table.rows]
    return "\n".join(lines)


def render_markdown_body(d, notation: Notation = DEFAULT_NOTATION, level: int = 2) -> str:
    r = d.recipe
    nt = notation.text
    h = "#" * level
    out = []
    if r.description:
        out.append(md_text(r.description.strip()))
    out.append("**Setting.** %s." % md_text(d.subtitle))
    for w in d.warnings:
        out.append("**Warning.** " + md_text(w))
    for number, (step, check) in enumerate(zip(d.steps, d.checks), start=1):
        out.append("%s Step %d. %s" % (h, number, md_text(nt(step.title))))
        out.append(md_text(nt(step.justification)))
        out.append(math_block(equation_rows(step.lhs_latex, step.expr, notation)))
        mark = "✓" if check.verified else "✗ **FAILED**"
        line = "%s *%s — %s*" % (mark, md_text(nt(relation_phrase(step.relation))), check_phrase(check))
        if not check.verified and check.detail:
            line += ": " + md_text(check.detail)
        out.append(line)
    out.append("%s Result" % h)
    for result in d.results:
        out.append("**%s**" % md_text(nt(result.label)))
        out.append(math_block(equation_rows(result.lhs_latex, result.expr, notation)))
    for table in d.tables:
        out.append(markdown_table(table))
    out.append(md_text(summary_line(d)) + ".")
    return "\n\n".join(out) + "\n"


def render_markdown(d, fragment: bool = False, notation: Notation = DEFAULT_NOTATION) -> str:
    body = render_markdown_body(d, notation)
    if fragment:
        return body
    return "# %s\n\n%s\n*Derived and machine-checked by mlederive %s (recipe `%s`).*\n" % (
        md_text(d.recipe.title), body, __version__, d.recipe.name)
