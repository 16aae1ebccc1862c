"""``mlederive grade``: a thin command over :func:`mlederive.grading.grade_files`."""
from __future__ import annotations

import click

FORMATS = ("terminal", "json", "csv", "html")


@click.command("grade", context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.argument("submissions", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--recipe", help="The recipe the derivation is of (a name or a .yaml file).")
@click.option("--exam", "exam", type=click.Path(file_okay=False),
              help="Grade answers to a question of this exam (the directory `mlederive exam` wrote): each submission "
                   "by its variant, named by the code on its paper (a line `Variant: K7Q-4MX`).")
@click.option("--question", type=click.IntRange(1, 30), help="With --exam: the question graded (its points).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="terminal", show_default=True,
              help="terminal: each line with ✓/✗ and its feedback; json: the report (a list for several files); "
                   "csv: one row per submission (file, score, max, first error, its kind, the points of each part), "
                   "for a class; html: the feedback page a student can be given (one submission), formulas as MathML.")
@click.option("--rubric", type=click.Path(dir_okay=False),
              help="Points as YAML: {likelihood: 1, log: 1, constant: 1, negation: 1, loss: 2, gradient: 2}.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Processes grading a class in parallel.")
def grade_command(submissions, recipe, exam, question, fmt, rubric, workers):
    """Grade students' derivations step by step: each step's relation to the one before, the first wrong step,
    errors carried forward, the final loss and gradient.

    A SUBMISSION is Markdown, one $$…$$ formula per step, or LaTeX with align*/equation* bodies, one step per line.

    \b
    Example:
      mlederive grade answer.md --recipe gaussian-identity
      mlederive grade answers/*.md --recipe bernoulli-logit --format csv > grades.csv
      mlederive grade answers/*.md --exam exams/ --question 1 --format csv > question-1.csv
    """
    import json

    from ..badinput import BadInput
    from ..errors import MlederiveError
    from . import derived, exam_jobs, grade_files, jobs, render
    from .grade import read_rubric

    if (recipe is None) == (exam is None):
        raise BadInput("give --recipe RECIPE, or --exam DIR with --question N (one of them)")
    if (exam is None) != (question is None):
        raise BadInput("--exam and --question go together: --exam DIR --question N")
    if fmt == "html" and len(submissions) != 1:
        raise BadInput("--format html is one student's page: give one SUBMISSION (got %d)" % len(submissions))
    try:
        points = read_rubric(rubric) if rubric else None
        todo = exam_jobs(submissions, exam, question, points) if exam else jobs(submissions, recipe, points)
        reports = grade_files(todo, workers=workers)
    except (MlederiveError, ValueError) as exc:
        raise BadInput(str(exc)) from None
    out = [{"file": path, **({"variant": job.variant} if job.variant else {}), **report.json()}
           for job, (path, report) in zip(todo, reports)]
    if fmt == "json":
        click.echo(json.dumps(out[0] if len(out) == 1 else out, indent=2, ensure_ascii=False))
    elif fmt == "csv":
        click.echo(render.csv_rows(out), nl=False)
    elif fmt == "html":
        from ..render.common import plain_text

        title = plain_text(derived(todo[0].recipe).recipe.title)
        click.echo(render.html_page(reports[0][0], title, reports[0][1]), nl=False)
    else:
        click.echo("\n".join(render.terminal(path, _heading(job), report)
                             for job, (path, report) in zip(todo, reports)))


def _heading(job) -> str:
    """What the terminal report is graded against: the recipe, and with an exam the question and variant."""
    if job.question is None:
        return job.recipe
    return "question %d of variant %s (%s)" % (job.question, job.variant, job.recipe)
