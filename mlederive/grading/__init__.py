"""Grading a student's derivation step by step (``mlederive grade``): reading each line (:mod:`.latex`), the student's
names in the model's (:mod:`.notation`), the relation each step stands in to the one before (:mod:`.relations`), the
report (:mod:`.grade`), its terminal and CSV forms (:mod:`.render`) and the command (:mod:`.command`)."""
from __future__ import annotations


def _lines(path):
    from .submission import read_submission

    lines = read_submission(path)
    if not lines:
        raise ValueError("%s: no formula found; write each step as $$…$$ (Markdown) or in an align* environment"
                         % path)
    return lines


def _grade_one(job):
    """One file, in a worker: the recipe derived once per process (a worker keeps it)."""
    path, recipe, rubric = job
    from ..derivation import derive
    from .grade import grade

    if _DERIVED.get(recipe) is None:
        _DERIVED[recipe] = derive(recipe)
    return path, grade(_lines(path), _DERIVED[recipe], rubric)


_DERIVED: dict = {}


def grade_files(paths, derivation, rubric=None, workers: int = 1, recipe: str | None = None) -> list:
    """[(path, Report)] for each submission file, in order; a ValueError (one line) for a file that cannot be graded.
    Several files and ``workers`` > 1 (with ``recipe``, its name or path): a pool of spawned processes, a progress
    bar on a terminal."""
    from .grade import grade

    for path in paths:  # every file readable before any work: a bad one is one line, not a half-graded class
        _lines(path)
    if workers <= 1 or len(paths) < 4 or recipe is None:
        return [(path, grade(_lines(path), derivation, rubric)) for path in paths]
    from multiprocessing import get_context

    from rich.console import Console
    from rich.progress import Progress

    console = Console(stderr=True)
    results = []
    # spawned, not forked: a fork of a process with threads (JAX's, a notebook's) can deadlock; each worker derives
    # the recipe once
    with get_context("spawn").Pool(workers) as pool, Progress(console=console, transient=True,
                                                            disable=not console.is_terminal) as progress:
        task = progress.add_task("grading", total=len(paths))
        for result in pool.imap(_grade_one, [(p, recipe, rubric) for p in paths]):
            results.append(result)
            progress.advance(task)
    return results
