"""HTML output: one self-contained page (or its body, ``fragment=True``, for a notebook), math as MathML.

Browsers render MathML Core natively, so the page needs no JavaScript and no network: its
formulas are SymPy's presentation MathML with the textbook settings (:mod:`.mathml`), its
prose is typeset run by run (:func:`html_prose`), and its style sheet is inline, for the
screen and for print. The markup is well-formed XML (every element closed, no named
entities), so it can be checked with any XML parser — the tests do, and render it in a
real headless Chromium.
"""
from __future__ import annotations

import html
import re
from html.entities import html5

import sympy as sp

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
from .mathml import TextbookMathMLPrinter
from .notation import to_mathml

#: a displayed formula longer than this (characters of its one-line form) is broken at its top-level terms
BREAK_AT = 70

STYLE = """
.mlederive { font-family: "Latin Modern Roman", "CMU Serif", Georgia, "Times New Roman", serif; font-size: 17px;
  line-height: 1.5; color: #1a1a1a; max-width: 46em; margin: 2em auto; padding: 0 1.2em; }
.mlederive math { font-family: "Latin Modern Math", "STIX Two Math", "Cambria Math", math; font-size: 1.05em; }
.mlederive math[display="block"] { display: block math; margin: 0.6em 0; overflow-x: auto; overflow-y: hidden;
  padding: 0.15em 0; }
.mlederive .nobr { white-space: nowrap; }
.mlederive h1 { font-weight: normal; font-size: 1.7em; text-align: center; margin-bottom: 0.2em; }
.mlederive .byline { text-align: center; color: #555; margin-top: 0; }
.mlederive h2 { font-size: 1.1em; margin: 1.6em 0 0.3em; }
.mlederive h2 .number { color: #555; margin-right: 0.4em; }
.mlederive .check { font-size: 0.88em; color: #2e6b2e; margin-top: 0.1em; }
.mlederive .check.failed { color: #a4161a; font-weight: bold; }
.mlederive .warning { border-left: 3px solid #c98a00; padding-left: 0.8em; color: #5c4300; }
.mlederive code { font-family: "Latin Modern Mono", "DejaVu Sans Mono", Menlo, monospace; font-size: 0.88em; }
.mlederive table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; width: 100%; }
.mlederive caption { caption-side: top; text-align: left; font-style: italic; margin-bottom: 0.4em; }
.mlederive th, .mlederive td { text-align: left; vertical-align: top; padding: 0.25em 0.6em; }
.mlederive th { border-bottom: 1px solid #888; }
.mlederive td.number { text-align: right; font-variant-numeric: tabular-nums; }
.mlederive tr + tr td { border-top: 1px solid #e4e4e4; }
.mlederive .summary { margin-top: 2em; color: #555; font-size: 0.92em; }
@media print {
  .mlederive { max-width: none; margin: 0; font-size: 11pt; }
  .mlederive section.step { break-inside: avoid; }
  .mlederive math[display="block"] { overflow: visible; }
}
"""


def _plain_entities(markup: str) -> str:
    """Named entities (SymPy writes &InvisibleTimes;) as characters: the page is XML, which knows only five;
    and a minus sign, not a hyphen."""
    markup = markup.replace("<mo>-</mo>", "<mo>−</mo>")
    return re.sub(r"&([A-Za-z][A-Za-z0-9]*);", lambda m: m.group(0) if m.group(1) in ("amp", "lt", "gt", "quot",
                                                                                       "apos")
                  else html.escape(html5.get(m.group(1) + ";", m.group(0)), quote=False), markup)


def mathml(expr, notation: Notation = DEFAULT_NOTATION) -> str:
    """An expression as MathML elements, textbook settings, the notation's names."""
    return _plain_entities(TextbookMathMLPrinter().doprint(display_form(expr, notation)))


def html_prose(p, notation: Notation = DEFAULT_NOTATION) -> str:
    """Prose as HTML: words escaped, one <math> per formula, code in <code>."""
    from ..prose import Code, Math, as_prose

    out, after_math = [], False
    for run in as_prose(p).runs:
        if isinstance(run, Math):
            body = "".join(to_mathml(v) if kind == "notation" else
                           "<mtext>%s</mtext>" % html.escape(v.text or v.latex) if kind == "tex" else
                           _plain_entities(TextbookMathMLPrinter().doprint(v))
                           for kind, v in math_parts(run, notation))
            out.append("<math><mrow>%s</mrow></math>" % body)
        elif isinstance(run, Code):
            out.append("<code>%s</code>" % html.escape(run.text))
        else:
            text = run.text
            stuck = _PUNCTUATION.match(text).group(0) if after_math else ""
            if stuck:  # "c₄ = 1.)" never breaks before its ".)": the formula and the punctuation on one line
                out[-1] = '<span class="nobr">%s%s</span>' % (out[-1], html.escape(stuck, quote=False))
                text = text[len(stuck):]
            out.append(html.escape(text, quote=False))
        after_math = isinstance(run, Math)
    return "".join(out)


#: punctuation that belongs to the formula before it (a line never starts with it)
_PUNCTUATION = re.compile(r"[.,;:!?)\]’”]*")


def _terms(expr) -> list:
    """The top-level terms a long displayed formula breaks at: of a sum, or of the sum inside c·Σ_i (…)."""
    if expr.is_Add:
        return list(sp.Add.make_args(expr))
    return [expr]


def equation(lhs: str, expr, notation: Notation = DEFAULT_NOTATION) -> str:
    """``lhs = expr`` as a displayed formula; a long sum on several aligned rows."""
    from .inline import prose_math

    left = to_mathml(notation.text(lhs))
    shown_expr = display_form(expr, notation)
    if len(prose_math(shown_expr)) <= BREAK_AT or not shown_expr.is_Add:
        return '<math display="block"><mrow>%s<mo>=</mo>%s</mrow></math>' % (left, mathml(expr, notation))
    from .printing import ordered_terms

    rows = []
    for n, term in enumerate(ordered_terms(_terms(shown_expr))):
        negative = n and term.could_extract_minus_sign()
        body = _plain_entities(TextbookMathMLPrinter().doprint(-term if negative else term))
        sign = "" if n == 0 else "<mo>−</mo>" if negative else "<mo>+</mo>"
        rows.append('<mtr><mtd columnalign="right">%s</mtd><mtd columnalign="left">%s%s</mtd></mtr>'
                    % ("%s<mo>=</mo>" % left if n == 0 else "", sign, body))
    return '<math display="block"><mtable displaystyle="true">%s</mtable></math>' % "".join(rows)


def html_table(table, notation: Notation = DEFAULT_NOTATION) -> str:
    numeric = [numeric_column(table, n) for n in range(len(table.headers))]
    # alignment inline: a notebook's own stylesheet right-aligns every cell and would win over a class rule
    align = ['class="number" style="text-align: right"' if num else 'style="text-align: left"' for num in numeric]
    head = "".join("<th %s>%s</th>" % (a, html_prose(h, notation)) for a, h in zip(align, table.headers))
    rows = "".join("<tr>%s</tr>" % "".join('<td %s>%s</td>' % (a, html_prose(c, notation))
                                           for c, a in zip(row, align)) for row in table.rows)
    return "<table><caption>%s</caption><thead><tr>%s</tr></thead><tbody>%s</tbody></table>" % (
        html_prose(table.title, notation), head, rows)


class HtmlRenderer(Renderer):
    """A derivation's blocks as HTML with MathML."""

    def __init__(self, notation: Notation = DEFAULT_NOTATION):
        self.notation = notation

    def prose(self, p) -> str:
        return html_prose(p, self.notation)

    def _render_Description(self, block):
        return '<p class="description">%s</p>' % self.prose(block.text)

    def _render_Setting(self, block):
        return '<p class="setting"><strong>Setting.</strong> %s.</p>' % self.prose(block.text)

    def _render_Caution(self, block):
        return '<p class="warning"><strong>Warning.</strong> %s</p>' % self.prose(block.text)

    def _render_NumberedStep(self, block):
        step, check = block.step, block.check
        out = ['<section class="step" id="step-%s">' % html.escape(step.id),
               '<h2><span class="number">Step %d.</span>%s</h2>' % (block.number, self.prose(step.title)),
               "<p>%s</p>" % self.prose(step.justification), equation(step.lhs, shown(step, check), self.notation)]
        if check is not None:
            mark = "✓" if check.verified else "✗ FAILED"
            line = "%s %s — %s" % (mark, self.prose(relation_phrase(step.relation, step.payload)), html.escape(check_phrase(check)))
            if not check.verified and check.detail:
                line += ": " + html.escape(check.detail)
            out.append('<p class="check%s">%s</p>' % ("" if check.verified else " failed", line))
        return "\n".join(out + ["</section>"])

    def _render_ResultsHeading(self, block):
        return '<h2 class="results">Result</h2>'

    def _render_Result(self, block):
        expr = block.display if block.display is not None else block.expr
        return '<p class="result"><strong>%s</strong></p>\n%s' % (self.prose(block.label),
                                                                   equation(block.lhs, expr, self.notation))

    def _render_Table(self, block):
        return html_table(block, self.notation)

    def _render_Summary(self, block):
        return '<p class="summary">%s.</p>' % html.escape(summary_line(block.document))


def render_html_body(d, notation: Notation = DEFAULT_NOTATION) -> str:
    """The derivation as an HTML fragment (a <div> with its own style), e.g. for a notebook."""
    title = plain_text(d.recipe.title) if hasattr(d.recipe, "title") else d.recipe.name
    parts = ['<div class="mlederive">', "<style>%s</style>" % STYLE,
             "<header><h1>%s</h1>" % html.escape(title),
             '<p class="byline">derived and machine-checked by mlederive %s</p></header>' % __version__]
    parts += HtmlRenderer(notation).render_all(document_blocks(d))
    return "\n".join(parts + ["</div>"]) + "\n"


def render_html(d, fragment: bool = False, notation: Notation = DEFAULT_NOTATION) -> str:
    body = render_html_body(d, notation)
    if fragment:
        return body
    return ('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8"/>\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1"/>\n'
            "<title>%s</title>\n</head>\n<body>\n%s</body>\n</html>\n" % (html.escape(d.recipe.title), body))
