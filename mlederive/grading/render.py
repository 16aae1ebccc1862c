"""A grading report for a terminal (``mlederive grade``'s default format)."""
from __future__ import annotations

import textwrap


def terminal(path: str, recipe: str, report) -> str:
    """The report for a terminal: each step's line with ✓ or ✗, then its feedback, indented."""
    import shutil

    width = min(shutil.get_terminal_size((80, 24)).columns, 100)
    first = "first error at step %d" % report.first_error if report.first_error else "no wrong step"
    lines = [path, "  %s: %d/%d points, %s" % (recipe, report.score, report.max_score, first)]
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
    return "\n".join(lines) + "\n"


def _wrapped(text: str, width: int, subsequent: str, initial: str = "") -> str:
    return "\n".join(textwrap.wrap(text, width, initial_indent=initial, subsequent_indent=subsequent,
                                   break_long_words=True, break_on_hyphens=False)) or initial


def csv_rows(reports: list[dict]) -> str:
    """One row per submission: file, score, max_score, first_error, first_error_kind (for a class's spreadsheet)."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["file", "score", "max_score", "first_error", "first_error_kind"])
    for r in reports:
        writer.writerow([r["file"], r["score"], r["max_score"], r["first_error"] or "", r["first_error_kind"] or ""])
    return out.getvalue()
