"""A grading report for a terminal (``mlederive grade``'s default format)."""
from __future__ import annotations

import textwrap

from .grade import PARTS, RUBRIC


def terminal(path: str, recipe: str, report) -> str:
    """The report for a terminal: each step's line with ✓ or ✗, then its feedback, indented."""
    import shutil

    width = min(shutil.get_terminal_size((80, 24)).columns, 100)
    first = "first error at step %d" % report.first_error if report.first_error else "no wrong step"
    lines = [path, "  %s: %s/%s points, %s" % (recipe, report.score, report.max_score, first)]
    for step in report.steps:
        mark = "?" if step.unreadable else "✓" if step.valid else "✗"
        lines.append(_wrapped("%s %d  %s" % (mark, step.number, step.latex), width, "     "))
        lines.append(_wrapped(step.feedback, width, "     ", "     "))
        if step.counterexample:
            at = ", ".join("%s = %s" % kv for kv in step.counterexample["at"].items())
            lines.append(_wrapped("differs at %s: the step before is %s there, this step %s"
                                  % (at, step.counterexample["previous"], step.counterexample["this"]),
                                  width, "     ", "     "))
    final = report.final
    lines.append(_wrapped("final loss: %s; final gradient: %s" % (
        "✓" if final["loss"] else "✗ (not the recipe's loss to be minimised, up to a positive factor and a constant)",
        "✓" if final["gradient"] else "✗"), width, "  "))
    lines.append(_wrapped("points: " + ", ".join("%s %s/%s" % (PARTS[part], earned, of)
                                                 for part, (earned, of) in report.credits.items()), width, "  "))
    return "\n".join(lines) + "\n"


def _wrapped(text: str, width: int, subsequent: str, initial: str = "") -> str:
    return "\n".join(textwrap.wrap(text, width, initial_indent=initial, subsequent_indent=subsequent,
                                   break_long_words=True, break_on_hyphens=False)) or initial


def csv_rows(reports: list[dict]) -> str:
    """One row per submission: file (and its exam variant), score, max_score, first_error, first_error_kind, then the
    points earned for each part of the rubric (empty where the recipe has no such part), for a class's spreadsheet."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    variants = any("variant" in r for r in reports)  # graded as an exam's answers: which paper each one is
    writer.writerow(["file", *(["variant"] if variants else []), "score", "max_score", "first_error",
                     "first_error_kind", *RUBRIC])
    for r in reports:
        earned = {c["part"]: c["earned"] for c in r["credits"]}
        writer.writerow([r["file"], *([r.get("variant", "")] if variants else []), r["score"], r["max_score"],
                         r["first_error"] or "", r["first_error_kind"] or "", *[earned.get(part, "") for part in RUBRIC]])
    return out.getvalue()


#: the left-hand side a step's kind is shown with
LEFT = {"likelihood": "L(θ)", "log-likelihood": "ℓ(θ)", "loss": "𝓛(θ)", "gradient": "∇_θ 𝓛"}

STYLE = """
.mlederive .mark { font-weight: bold; margin-right: 0.3em; }
.mlederive .valid .mark { color: #2e6b2e; } .mlederive .wrong .mark { color: #a4161a; }
.mlederive .unread .mark { color: #c98a00; }
.mlederive .feedback { margin: 0.2em 0 0.4em; } .mlederive .wrong .feedback { color: #7a1013; }
.mlederive .point { font-size: 0.9em; color: #444; }
.mlederive table.credits { width: auto; margin: 0.6em 0; } .mlederive .credits caption { text-align: left; font-weight: bold; }
.mlederive .credits td { padding: 0.15em 2em 0.15em 0; } .mlederive .credits td + td { text-align: right; padding-right: 0; }
.mlederive .credits tr.total td { border-top: 1px solid #888; font-weight: bold; }
.mlederive .source { font-size: 0.85em; color: #555; overflow-wrap: anywhere; }
"""


def html_page(path: str, recipe_title: str, report) -> str:
    """The feedback page a student can be given: each step as read (MathML), ✓ or ✗, the feedback, the point where
    a wrong step differs; the final answers and the score. Self-contained, no JavaScript."""
    import html

    from ..render.html import STYLE as PAGE
    from ..render.html import equation, mathml

    parts = ['<div class="mlederive">', "<style>%s%s</style>" % (PAGE, STYLE),
             "<header><h1>Feedback on your derivation</h1>",
             '<p class="byline"><code>%s</code><br/>%s: <b>%s of %s points</b></p></header>'
             % (html.escape(str(path)), html.escape(recipe_title), report.score, report.max_score)]
    for step in report.steps:
        state = "unread" if step.unreadable else "valid" if step.valid else "wrong"
        mark = {"unread": "?", "valid": "✓", "wrong": "✗"}[state]
        parts.append('<section class="step %s"><h2><span class="mark">%s</span><span class="number">Step %d</span>'
                     "</h2>" % (state, mark, step.number))
        if step.shown is not None:
            parts.append(equation(LEFT[step.kind], step.shown) if step.kind in LEFT else
                         '<math display="block">%s</math>' % mathml(step.shown))
        parts.append('<p class="source">you wrote <code>%s</code></p>' % html.escape(step.latex))
        parts.append('<p class="feedback">%s</p>' % html.escape(step.feedback[:1].upper() + step.feedback[1:] + "."))
        if step.counterexample:
            at = ", ".join("%s = %s" % kv for kv in step.counterexample["at"].items())
            parts.append('<p class="point">At %s the step before is %s, this step %s.</p>' % (
                html.escape(at), step.counterexample["previous"], step.counterexample["this"]))
        parts.append("</section>")
    final = report.final
    parts.append('<p class="summary">Final loss: %s. Final gradient: %s.</p>' % (
        "right" if final["loss"] else "not the recipe's loss to be minimised (up to a positive factor and a constant)",
        "right" if final["gradient"] else "not a right gradient of a right loss"))
    parts.append('<table class="credits"><caption>Points</caption>%s<tr class="total"><td>In all</td><td>%s of %s'
                 "</td></tr></table>" % ("".join(
                     "<tr><td>%s</td><td>%s of %s</td></tr>" % (html.escape(PARTS[part][:1].upper() + PARTS[part][1:]),
                                                               earned, of)
                     for part, (earned, of) in report.credits.items()), report.score, report.max_score))
    body = "\n".join(parts + ["</div>"])
    return ('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8"/>\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1"/>\n<title>Feedback: %s</title>\n'
            "</head>\n<body>\n%s\n</body>\n</html>\n" % (html.escape(str(path)), body))
