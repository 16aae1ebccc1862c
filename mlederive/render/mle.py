"""A closed-form MLE (mlederive.mle) in every output format: terminal lines, JSON, LaTeX, Markdown.

Each format's entry in :data:`mlederive.render.formats.FORMATS` names its function here. The
statistics print as they are defined (ȳ, ⟨y²⟩ on the terminal; \\bar{y}, \\overline{y^2} in LaTeX).
"""
from __future__ import annotations

import json

import sympy as sp

from ..prose import prose
from ..version import __version__
from .common import plain_text
from .inline import ProsePrinter
from .latex import MathPrinter


def _tex(result, expr) -> str:
    """LaTeX with each statistic written as it is defined (ȳ, the bar over y², …)."""
    return MathPrinter({"symbol_names": {st.symbol: st.latex for st in result.statistics}}).doprint(expr)


def _text(result, expr) -> str:
    """One line of unicode, the statistics by their names."""
    return ProsePrinter({"symbol_names": {st.symbol: st.text for st in result.statistics if st.text}}).doprint(expr)


def _y_i(expr):
    return expr.subs(sp.Symbol("y", real=True), sp.Symbol("y_i", real=True))


def _statistic_lines(result) -> str:
    return ", ".join("%s %s" % (st.text, st.meaning) if st.meaning else
                     "%s = (1/n)·Σᵢ %s" % (st.text or _text(result, st.symbol), _text(result, _y_i(st.of)))
                     for st in result.statistics)


def decimal(value) -> str:
    """Six significant digits (the exact value is printed beside it)."""
    return "%.6g" % float(value)


def _value_text(result, value) -> str:
    """1.5 for 3/2, 1/3 ≈ 0.333333, log(2)/2 ≈ 0.346574; a formula in a known parameter stays a formula."""
    if value.free_symbols:
        names = ", ".join(sorted(s.name for s in value.free_symbols))
        return "%s (give %s with --param for a number)" % (_text(result, value), names)
    if value.is_Integer:
        return str(value)
    if value.is_Rational and len(str(float(value))) <= 8:
        return str(float(value)).rstrip("0").rstrip(".")
    return "%s ≈ %s" % (_text(result, value), decimal(value))


def mle_lines(result) -> list[str]:
    """The terminal form: one fact per line, unicode math."""
    lines = ["ℓ(θ)/n = %s + const, where %s" % (_text(result, result.loglik), _statistic_lines(result))]
    for p, score in zip(result.problem.params, result.score):
        lines.append("∂(ℓ/n)/∂%s = %s = 0" % (_text(result, p), _text(result, score)))
    for p, text in zip(result.problem.params, result.problem.estimate_text()):
        lines.append("%s = %s" % (text.rstrip("²") if text.endswith("²") else text, _text(result, result.estimate[p])))
    for check in result.checks:
        lines.append("%s %s (%s)" % ("✓" if check.verified else "✗", plain_text(check.what), check.method))
    if result.boundary is not None:
        lines.append("! " + plain_text(result.boundary))
    for (_, value), text in zip(result.values(), result.problem.estimate_text()):
        lines.append("%s = %s on the data" % (text, _value_text(result, value)))
    return lines


def mle_dict(result) -> dict:
    prob = result.problem
    return {
        "family": prob.family,
        "model": prob.notation,
        "data": list(result.data),
        "log_likelihood_per_observation": {"expr": sp.srepr(result.loglik), "latex": _tex(result, result.loglik),
                                           "note": "θ-free terms dropped"},
        "statistics": [{"symbol": st.symbol.name, "of": sp.srepr(st.of), "latex": st.latex,
                        "value": str(st.value(result.data))} for st in result.statistics],
        "score": [{"parameter": p.name, "expr": sp.srepr(s), "latex": _tex(result, s)}
                  for p, s in zip(prob.params, result.score)],
        "estimates": [{"parameter": p.name, "reports": report, "expr": sp.srepr(result.estimate[p]),
                       "latex": "%s = %s" % (label, _tex(result, sp.expand(result.estimate[p] ** (2 if report == "square" else 1)))),
                       "value": str(value), "float": None if value.free_symbols else float(value)}
                      for p, report, (label, value) in zip(prob.params, prob.report, result.values())],
        "checks": [{"what": plain_text(c.what), "verified": c.verified, "method": c.method} for c in result.checks],
        "boundary": None if result.boundary is None else plain_text(result.boundary),
        "verified": result.verified,
    }


def render_mle_json(result) -> str:
    return json.dumps(mle_dict(result), indent=2, ensure_ascii=False)


def _rows(result) -> list[str]:
    """The derivation as aligned LaTeX rows."""
    prob = result.problem
    rows = [r"\frac{1}{n}\ell(\theta) &= %s + \text{const}" % _tex(result, result.loglik)]
    rows += [r"\frac{\partial (\ell/n)}{\partial %s} &= %s = 0" % (lt, _tex(result, s))
             for lt, s in zip(prob.latex, result.score)]
    rows += [r"\hat{%s} &= %s" % (lt, _tex(result, result.estimate[p])) for p, lt in zip(prob.params, prob.latex)]
    return rows


def _where(result) -> str:
    return ", ".join(r"$%s$ %s" % (st.latex, st.meaning) if st.meaning else
                     r"$%s = \frac{1}{n}\sum_i %s$" % (st.latex, _tex(result, _y_i(st.of)))
                     for st in result.statistics)


def _values_latex(result) -> list[str]:
    out = []
    for label, value in result.values():
        if value.free_symbols:
            out.append(r"%s = %s" % (label, _tex(result, value)))
        elif value.is_Rational and len(str(float(value))) <= 8:
            out.append(r"%s = %s" % (label, _value_text(result, value)))
        else:
            out.append(r"%s = %s \approx %s" % (label, _tex(result, value), decimal(value)))
    return out


def render_mle_latex(result, fragment: bool = False) -> str:
    from .latex import PREAMBLE, tex_prose, tex_text

    prob = result.problem
    body = [r"\noindent Model: %s, i.i.d.; %s." % (tex_prose(prob.statement()), _where(result)),
            "\\begin{align*}\n" + " \\\\\n".join(_rows(result)) + "\n\\end{align*}",
            "\\begin{itemize}\n" + "\n".join("\\item %s %s (%s)" % ("$\\checkmark$" if c.verified else "$\\times$",
                                                                    tex_prose(c.what), tex_text(c.method, prose=False))
                                            for c in result.checks) + "\n\\end{itemize}",
            "On the data ($n = %d$): $%s$." % (len(result.data), "$, $".join(_values_latex(result)))]
    if result.boundary is not None:
        body.append(r"\textbf{Note.} " + tex_prose(result.boundary) + ".")
    text = "\n\n".join(body) + "\n"
    if fragment:
        return text
    return (PREAMBLE + "\\title{Maximum-likelihood estimate: %s}\n\\author{derived and machine-checked by "
            "mlederive %s}\n\\date{}\n\\begin{document}\n\\maketitle\n\n%s\\end{document}\n"
            % (tex_prose(prose("$%s$", prob.notation)), __version__, text))


def render_mle_markdown(result, fragment: bool = False) -> str:
    from .markdown import math_block, md_prose, md_text

    prob = result.problem
    body = ["Model: %s, i.i.d.; %s." % (md_prose(prob.statement()), _where(result)),
            math_block(_rows(result)),
            "\n".join("- %s %s (%s)" % ("✓" if c.verified else "✗", md_prose(c.what), md_text(c.method))
                      for c in result.checks),
            "On the data ($n = %d$): $%s$." % (len(result.data), "$, $".join(_values_latex(result)))]
    if result.boundary is not None:
        body.append("**Note.** " + md_prose(result.boundary) + ".")
    text = "\n\n".join(body) + "\n"
    if fragment:
        return text
    return "# Maximum-likelihood estimate: %s\n\n%s" % (md_prose(prose("$%s$", prob.notation)), text)


def render_mle_html(result, fragment: bool = False) -> str:
    """The closed-form MLE as an HTML page (MathML), the statistics by their names (ȳ, ⟨y²⟩)."""
    import html as _html

    from .html import STYLE, html_prose, mathml

    names = {st.symbol: sp.Symbol(st.text or st.symbol.name) for st in result.statistics}
    prob = result.problem

    def row(lhs: str, expr, rhs: str = "") -> str:
        from .notation import to_mathml

        return '<math display="block"><mrow>%s<mo>=</mo>%s%s</mrow></math>' % (
            to_mathml(lhs), mathml(expr.xreplace(names)), to_mathml(rhs) if rhs else "")

    parts = ['<div class="mlederive">', "<style>%s</style>" % STYLE,
             "<h1>Maximum-likelihood estimate</h1>",
             "<p>Model: %s, i.i.d.; %s.</p>" % (html_prose(prob.statement()), html_prose(prose(", ".join(
                 "$%s$ %s" % (st.text, st.meaning) if st.meaning else
                 "$%s = (1/n) Σ_i %s$" % (st.text or st.symbol.name, _text(result, _y_i(st.of)))
                 for st in result.statistics)))),
             row("ℓ(θ)/n", result.loglik, "+ const")]
    parts += [row("∂(ℓ/n)/∂%s" % t, s, "= 0") for t, s in zip(prob.text, result.score)]
    parts += [row(t, result.estimate[p]) for p, t in zip(prob.params, [t + "\u0302" for t in prob.text])]
    parts.append("<ul>%s</ul>" % "".join("<li>%s %s (%s)</li>" % ("✓" if c.verified else "✗ FAILED",
                                                                  html_prose(c.what), _html.escape(c.method))
                                         for c in result.checks))
    if result.boundary is not None:
        parts.append("<p><strong>Note.</strong> %s.</p>" % html_prose(result.boundary))
    parts.append("<p>On the data (<math><mi>n</mi><mo>=</mo><mn>%d</mn></math>): %s.</p>" % (
        len(result.data), "; ".join(_html.escape("%s = %s" % (t, _value_text(result, v)))
                                    for (_, v), t in zip(result.values(), prob.estimate_text()))))
    body = "\n".join(parts + ["</div>"]) + "\n"
    if fragment:
        return body
    return ('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8"/>\n<title>MLE: %s</title>\n'
            "</head>\n<body>\n%s</body>\n</html>\n" % (_html.escape(prob.notation), body))
