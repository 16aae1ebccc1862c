"""Terminal rendering with rich: numbered steps, pretty math, a ✓ per step.

Math comes from SymPy's pretty printer, sized to the console width so narrow
terminals get wrapped expressions instead of broken art. Colour follows rich,
which honours NO_COLOR and plain pipes.
"""
from __future__ import annotations

import functools

import sympy as sp
from rich.console import Group
from rich.padding import Padding
from rich.rule import Rule
from rich.text import Text
from sympy.printing.pretty.stringpict import prettyForm

from .base import Renderer, document_blocks
from .common import (
    check_phrase,
    display_form,
    numeric_column,
    plain_text,
    relation_phrase,
    shown,
    summary_line,
    unicode_scripts,
    wrap,
)
from .printing import TextbookPrettyPrinter

INDENT = 4


@functools.lru_cache(maxsize=64)  # the summary repeats the loss and gradient steps
def pretty_equation(lhs: str, expr: sp.Expr, width: int, unicode: bool = True) -> str:
    """``lhs = expr`` as 2-D art ``width`` columns wide: a formula too wide for the line breaks between the terms of
    its sum (a long c·Σ_i (a + b) as c·Σ_i a + c·Σ_i b, the same by linearity), each row aligned after the = sign,
    as the LaTeX breaks it; only a single term wider than the line is cut by SymPy's ↪ continuation."""
    width = max(width, 20)
    printer = TextbookPrettyPrinter({"use_unicode": unicode, "num_columns": width, "wrap_line": True})
    shown_expr = display_form(expr)
    form = printer._print(shown_expr)
    head = prettyForm(lhs + " = ")
    pieces = _row_terms(printer, shown_expr)
    if head.width() + form.width() <= width or len(pieces) < 2:
        return prettyForm(*form.left(head)).render(wrap_line=True, num_columns=width, use_unicode=unicode)
    indent = min(head.width(), width // 3)
    rows, current = [], None
    for n, (sign, term) in enumerate(pieces):
        part = printer._print(term)
        room = width - (head.width() if not rows else indent)
        joined = part if current is None else prettyForm(*current.right(" %s " % sign, part))
        if current is not None and joined.width() > room:
            rows.append(current)
            current = prettyForm(*part.left("%s " % sign))
        else:
            current = joined if current is not None or n == 0 else prettyForm(*part.left("%s " % sign))
    rows.append(current)
    out = [prettyForm(*rows[0].left(head)).render(wrap_line=True, num_columns=width, use_unicode=unicode)]
    out += [prettyForm(*row.left(" " * indent)).render(wrap_line=True, num_columns=width, use_unicode=unicode)
            for row in rows[1:]]
    return "\n".join(out)


def _row_terms(printer, expr) -> list:
    """(sign, term) pairs a long formula may break between: a sum's terms, or, for c·Σ_i (a + b) and Σ_i (a + b),
    the sums c·Σ_i a and c·Σ_i b; the first sign is "" (the term keeps its own)."""
    coeff, body = sp.S.One, expr
    if expr.is_Mul:
        sums = [f for f in expr.args if isinstance(f, sp.Sum)]
        sums_of_terms = [f for f in expr.args if f.is_Add]
        if len(sums) == 1 and sums[0].function.is_Add:
            coeff, body = sp.Mul(*[f for f in expr.args if f is not sums[0]]), sums[0]
        elif not sums and len(sums_of_terms) == 1:  # (a + b)/n as a/n + b/n
            rest = sp.Mul(*[f for f in expr.args if f is not sums_of_terms[0]])
            return _row_terms(printer, sp.Add(*[rest * t for t in
                                                printer._as_ordered_terms(sums_of_terms[0])], evaluate=False))
    if isinstance(body, sp.Sum) and body.function.is_Add:
        terms = [sp.Mul(coeff, sp.Sum(t, *body.limits), evaluate=False) if coeff != 1 else sp.Sum(t, *body.limits)
                 for t in printer._as_ordered_terms(body.function)]
        negative = [t.could_extract_minus_sign() for t in printer._as_ordered_terms(body.function)]
        terms = [sp.Mul(-coeff, sp.Sum(-t, *body.limits), evaluate=False) if neg and coeff != 1 else
                 -sp.Sum(-t, *body.limits) if neg else term
                 for term, t, neg in zip(terms, printer._as_ordered_terms(body.function), negative)]
    elif expr.is_Add:
        terms = printer._as_ordered_terms(expr)
    else:
        return [("", expr)]
    out = []
    for n, term in enumerate(terms):
        negative = term.could_extract_minus_sign()
        if n == 0:
            out.append(("", term))
        else:
            out.append(("−" if negative and printer._use_unicode else "-" if negative else "+",
                         -term if negative else term))
    return out


def _mark(check, unicode: bool) -> Text:
    if check.verified:
        return Text("✓ " if unicode else "OK ", style="bold green")
    return Text("✗ " if unicode else "FAIL ", style="bold red")


def _table(table, unicode: bool, width: int = 100):
    """A rich table whose columns are at least as wide as their longest word, so an identifier
    (nn.PoissonNLLLoss(log_input=True)) is never broken; on a console too narrow for that, one record
    per row instead, each field on its own wrapped line."""
    from rich.table import Table as RichTable

    headers = [plain_text(h) for h in table.headers]
    rows = [[plain_text(c) for c in row] for row in table.rows]
    title = plain_text(table.title)
    longest = [max(len(word) for text in [h] + [row[n] for row in rows] for word in text.split() or [""])
               for n, h in enumerate(headers)]
    padding = 2 * len(longest)
    if sum(longest) + padding > width:
        return _records(title, headers, rows)
    # widths of our own (rich's collapse can leave a column narrower than its longest word): each column its
    # longest word, the room left shared in proportion to what each still needs to sit on one line
    full = [max(len(text) for text in [h] + [row[n] for row in rows]) for n, h in enumerate(headers)]
    room, need = width - sum(longest) - padding, [f - m for f, m in zip(full, longest)]
    widths = [m + (min(n, room * n // max(sum(need), 1)) if sum(need) > room else n) for m, n in zip(longest, need)]
    t = RichTable(title=title, box=None, show_edge=False)
    for n, h in enumerate(headers):
        t.add_column(h, justify="right" if numeric_column(table, n) else "left", overflow="fold", width=widths[n])
    for row in rows:
        t.add_row(*row)
    return t


def _records(title, headers, rows) -> Group:
    parts = [Text(title, style="italic")]
    for row in rows:
        parts.append(Text(row[0], style="bold"))
        parts += [_indented(Text.assemble((h + ": ", "dim"), cell)) for h, cell in zip(headers[1:], row[1:])]
    return Group(*parts)


class TerminalRenderer(Renderer):
    """A derivation's blocks as rich renderables, math pretty-printed to the console width."""

    def __init__(self, width: int = 100, unicode: bool = True):
        self.math_width, self.unicode = width - INDENT, unicode

    def equation(self, lhs: str, expr) -> Padding:
        return _indented(Text(pretty_equation(lhs, expr, self.math_width, self.unicode), no_wrap=True,
                              overflow="ignore"))

    def _render_Description(self, block):
        return None  # the terminal shows the title and the setting only

    def _render_Setting(self, block):
        return [Text(plain_text(block.text), style="dim")]

    def _render_Caution(self, block):
        return [Text("warning: " + plain_text(block.text), style="yellow")]

    def _render_NumberedStep(self, block):
        step, check = block.step, block.check
        out = [Text(""), Text.assemble(("Step %d  " % block.number, "bold cyan"), (plain_text(step.title), "bold")),
               _indented(Text(wrap(plain_text(step.justification, unbroken=True), self.math_width), no_wrap=True)),
               self.equation(unicode_scripts(step.lhs), shown(step, check))]
        if check is not None:
            line = _mark(check, self.unicode)
            line.append("%s · %s" % (plain_text(relation_phrase(step.relation, step.payload)), check_phrase(check)),
                        style="green" if check.verified else "red")
            if not check.verified and check.detail:
                line.append(" — %s" % check.detail, style="red")
            out.append(_indented(line))
        return out

    def _render_ResultsHeading(self, block):
        return [Text(""), Rule("Summary", style="dim")]

    def _render_Result(self, block):
        return [Text(plain_text(block.label), style="bold"), self.equation(unicode_scripts(block.lhs), block.display if block.display is not None else block.expr)]

    def _render_Table(self, block):
        return [Text(""), _table(block, self.unicode, self.math_width + INDENT)]

    def _render_Summary(self, block):
        d = block.document
        style = "bold yellow" if not d.checks else "bold green" if d.verified else "bold red"
        return [Text(summary_line(d), style=style)]


def _indented(renderable) -> Padding:
    return Padding(renderable, (0, 0, 0, INDENT))


def derivation_renderable(d, width: int = 100, unicode: bool = True):
    r = d.recipe
    parts = [Text.assemble(("mlederive · %s" % r.name, "bold"), " — %s" % r.title)]
    for rendered in TerminalRenderer(width, unicode).render_all(document_blocks(d)):
        parts += rendered
    return Group(*parts)


def render_terminal(d, console) -> None:
    unicode = (console.encoding or "").lower().startswith("utf")
    console.print(derivation_renderable(d, width=console.width, unicode=unicode))
