"""Grading a student's derivation step by step (``mlederive grade``): reading each line (:mod:`.latex`), the student's
names in the model's (:mod:`.notation`), the relation each step stands in to the one before (:mod:`.relations`), the
report (:mod:`.grade`) and its terminal form (:mod:`.render`)."""
from __future__ import annotations


def grade_files(paths, derivation) -> list:
    """[(path, Report)] for each submission file; a ValueError (one line) for a file that cannot be graded."""
    from .grade import grade
    from .submission import read_submission

    reports = []
    for path in paths:
        lines = read_submission(path)
        if not lines:
            raise ValueError("%s: no formula found; write each step as $$…$$ (Markdown) or in an align* environment"
                             % path)
        reports.append((path, grade(lines, derivation)))
    return reports
