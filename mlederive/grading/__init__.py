"""Grading a student's derivation step by step (``mlederive grade``): reading each line (:mod:`.latex`), the student's
names in the model's (:mod:`.notation`), the relation each step stands in to the one before (:mod:`.relations`), the
report (:mod:`.grade`), an exam's manifest and variants (:mod:`.exam`), its terminal and CSV forms (:mod:`.render`)
and the command (:mod:`.command`)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Job:
    """One submission to grade: its file, the recipe (a name or a .yaml path), the rubric; with an exam, the
    variant's letters, the question's points and the lines that answer it."""

    path: str
    recipe: str
    rubric: dict | None = None
    names: dict | None = None
    points: float | None = None
    span: tuple | None = None  # (first, last) line of the answer; None: the whole file
    question: int | None = None
    variant: str | None = None  # the exam variant's code


def jobs(paths, recipe: str, rubric=None) -> list[Job]:
    """Every file graded against one recipe."""
    return [Job(str(p), recipe, rubric) for p in paths]


def exam_jobs(paths, directory, question: int, rubric=None) -> list[Job]:
    """Every file graded as an answer to ``question`` of the exam in ``directory``: each by the variant its code
    names (a ValueError, one line, for a file with none)."""
    from .exam import assignment, read_manifest, section
    from .submission import read_text

    manifest = read_manifest(directory)
    out = []
    for path in paths:
        text = read_text(path)
        a = assignment(manifest, text, question, path)
        out.append(Job(str(path), a.recipe, rubric, a.names, a.points, section(text, question), question, a.code))
    return out


def _lines(job: Job):
    from .submission import read_submission

    lines = read_submission(job.path)
    if job.span is not None:
        lines = [line for line in lines if job.span[0] <= line.line <= job.span[1]]
        if not lines:
            raise ValueError("%s: no formula under the heading of question %d" % (job.path, job.question))
    if not lines:
        raise ValueError("%s: no formula found; write each step as $$…$$ (Markdown) or in an align* environment"
                         % job.path)
    return lines


_DERIVED: dict = {}


def derived(recipe: str):
    """The recipe's verified derivation, derived once per process (a worker keeps it)."""
    from ..derivation import derive

    if _DERIVED.get(recipe) is None:
        _DERIVED[recipe] = derive(recipe)
    return _DERIVED[recipe]


def _grade_one(job: Job):
    from .grade import grade

    return job.path, grade(_lines(job), derived(job.recipe), job.rubric, points=job.points, names=job.names)


def grade_files(todo: list[Job], workers: int = 1) -> list:
    """[(path, Report)] for each job, in order; a ValueError (one line) for a file that cannot be graded. Several
    files and ``workers`` > 1: a pool of spawned processes, a progress bar on a terminal."""
    for job in todo:  # every file readable and every recipe derived before any work: a bad one is one line, not a
        _lines(job)   # half-graded class
    for recipe in dict.fromkeys(job.recipe for job in todo):
        derived(recipe)
    if workers <= 1 or len(todo) < 4:
        return [_grade_one(job) for job in todo]
    from multiprocessing import get_context

    from rich.console import Console
    from rich.progress import Progress

    console = Console(stderr=True)
    results = []
    # spawned, not forked: a fork of a process with threads (JAX's, a notebook's) can deadlock; each worker derives
    # each recipe once
    with get_context("spawn").Pool(workers) as pool, Progress(console=console, transient=True,
                                                            disable=not console.is_terminal) as progress:
        task = progress.add_task("grading", total=len(todo))
        for result in pool.imap(_grade_one, todo):
            results.append(result)
            progress.advance(task)
    return results
