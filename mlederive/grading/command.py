"""``mlederive grade``: a thin command over :func:`mlederive.grading.grade_files`."""
from __future__ import annotations

import click

FORMATS = ("terminal", "json", "csv", "html")


@click.command("grade", context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.argument("submissions", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--recipe", required=True, help="The recipe the derivation is of (a name or a .yaml file).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="terminal", show_default=True,
              help="terminal: each line with ✓/✗ and its feedback; json: the report (a list for several files); "
                   "csv: one row per submission (file, score, max, first error, its kind), for a class; html: the "
                   "feedback page a student can be given (one submission), formulas as MathML.")
@click.option("--rubric", type=click.Path(dir_okay=False), help="Points as YAML: {step: 1, loss: 2, gradient: 2}.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Processes grading a class in parallel.")
def grade_command(submissions, recipe, fmt, rubric, workers):
    """Grade students' derivations step by step: each step's relation to the one before, the first wrong step,
    errors carried forward, the final loss and gradient.

    A SUBMISSION is Markdown, one $$…$$ formula per step, or LaTeX with align*/equation* bodies, one step per line.

    \b
    Example:
      mlederive grade answer.md --recipe gaussian-identity
      mlederive grade answers/*.md --recipe bernoulli-logit --format csv > grades.csv
    """
    import json

    from ..badinput import BadInput
    from ..derivation import derive
    from ..errors import MlederiveError
    from . import grade_files, render
    from .grade import read_rubric

    if fmt == "html" and len(submissions) != 1:
        raise BadInput("--format html is one student's page: give one SUBMISSION (got %d)" % len(submissions))
    try:
        points = read_rubric(rubric) if rubric else None
        derivation = derive(recipe)
        reports = grade_files(submissions, derivation, points, workers=workers, recipe=recipe)
    except (MlederiveError, ValueError) as exc:
        raise BadInput(str(exc)) from None
    out = [{"file": path, **report.json()} for path, report in reports]
    if fmt == "json":
        click.echo(json.dumps(out[0] if len(out) == 1 else out, indent=2, ensure_ascii=False))
    elif fmt == "csv":
        click.echo(render.csv_rows(out), nl=False)
    elif fmt == "html":
        from ..render.common import plain_text

        click.echo(render.html_page(reports[0][0], plain_text(derivation.recipe.title), reports[0][1]), nl=False)
    else:
        click.echo("\n".join(render.terminal(path, recipe, report) for path, report in reports))
