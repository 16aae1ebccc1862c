"""The command line: a thin layer over the Python API.

Commands parse arguments, call the library, and translate its exceptions into
one-line errors with exit code 2. Exit codes: 0 derived and verified, 1 a step
failed verification, 2 bad input.
"""
from __future__ import annotations

import os
import sys

import click

from .badinput import BadInput
from .codegen.targets import TARGETS
from .errors import MlederiveError
from .grading.command import grade_command
from .render.formats import FORMATS, format_for_path
from .version import __version__

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
LIST_FORMATS = ("terminal", "json")


class RecipeGroup(click.Group):
    """``mlederive NAME`` is short for ``mlederive derive NAME``."""

    def resolve_command(self, ctx, args):
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            return "derive", self.commands["derive"], args
        return super().resolve_command(ctx, args)

    def format_usage(self, ctx, formatter):
        formatter.write_usage(ctx.command_path, "[RECIPE | COMMAND] [OPTIONS]")

    def format_options(self, ctx, formatter):
        """The options of ``mlederive RECIPE`` first (what a user types most), then the group's, then commands."""
        derive = self.commands["derive"]
        rows = [r for r in (p.get_help_record(ctx) for p in derive.get_params(ctx) if isinstance(p, click.Option))
                if r and "--help" not in r[0]]
        with formatter.section("Options for RECIPE"):
            formatter.write_dl(rows)
        super().format_options(ctx, formatter)

    def format_commands(self, ctx, formatter):
        """Each command with its whole first sentence: never cut with '…'."""
        rows = [(name, cmd.get_short_help_str(limit=10 ** 4)) for name, cmd in self.commands.items() if not cmd.hidden]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=RecipeGroup, context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name="mlederive")
def cli():
    """Derive a loss function from a likelihood assumption, every step machine-checked.

    RECIPE is a built-in recipe name (see 'mlederive list') or a recipe file.

    \b
    Example:
      mlederive gaussian-identity
      mlederive bernoulli-logit --format json
      mlederive my-recipe.yaml
    """


def format_options(command):
    """--format, --fragment, -o and --force: every choice from the format registry."""
    for option in reversed((
        click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="terminal", show_default=True,
                     help="Output format: " + "; ".join("%s, %s" % (f.name, f.help) for f in FORMATS.values())
                     + "."),
        click.option("--fragment", is_flag=True, help="%s: the body alone, to include in lecture notes." % "/".join(
                     f.name for f in FORMATS.values() if f.fragment)),
        click.option("-o", "--output", type=click.Path(dir_okay=False),
                     help="Write to FILE (atomically) instead of stdout."),
        click.option("--force", is_flag=True, help="With -o (or --plot): overwrite an existing file."),
    )):
        command = option(command)
    return command


def _chosen_format(fmt: str, fragment: bool, output: str | None, force: bool) -> str:
    """The format asked for (from -o's ending when --format is left at terminal), checked before any work."""
    if fragment and not FORMATS[fmt].fragment:
        raise BadInput("--fragment applies to --format %s, not %s" % (
            " or ".join(f.name for f in FORMATS.values() if f.fragment), fmt))
    if output and fmt == "terminal":
        chosen = format_for_path(output)
        if chosen is None:
            files = [f for f in FORMATS.values() if f.extensions]
            names = [f.name for f in files]
            raise BadInput("-o %s: give --format %s or %s (or a %s file name)" % (
                output, ", ".join(names[:-1]), names[-1], "/".join(f.extensions[0] for f in files)))
        fmt = chosen.name
    if output and not force and os.path.exists(output):  # fail before deriving, and again when writing
        raise BadInput("-o %s: file exists; use --force to overwrite it" % output)
    return fmt


def _emit(text: str, output: str | None, force: bool) -> None:
    if output:
        from .output import write_file

        write_file(output, text, force=force)
        click.echo("wrote %s" % output, err=True)
    else:
        click.echo(text, nl=not text.endswith("\n"))


@cli.command("derive", context_settings=CONTEXT)
@click.argument("recipe")
@format_options
@click.option("--plot", type=click.Path(dir_okay=False), help="sigmoid-mse-vs-bce: draw both gradients to a PNG "
              "(needs matplotlib: pip install 'mlederive[plot]').")
@click.option("--prior", type=click.Choice(["gaussian", "laplace", "none"]),
              help="MAP: a prior on the weights θ (gaussian gives L2, laplace gives L1); overrides the recipe's.")
def derive_command(recipe, fmt, fragment, output, force, plot, prior):
    """Derive and verify the loss and gradient for RECIPE (a name or a .yaml file).

    \b
    Example:
      mlederive derive poisson-log --format json
      mlederive bernoulli-logit --format latex -o bce.tex
      mlederive gaussian-identity --prior gaussian
    """
    from .derivation import derive

    fmt = _chosen_format(fmt, fragment, output, force)
    if plot and not force and os.path.exists(plot):  # fail before deriving, and again when writing
        raise BadInput("--plot %s: file exists; use --force to overwrite it" % plot)
    try:
        if prior is not None:
            recipe = _with_prior(recipe, prior)
        d = derive(recipe)
        if plot:
            from .plot import plot_gradients

            plot_gradients(d, plot, force)
            click.echo("wrote %s" % plot, err=True)
        if fmt == "terminal":
            from rich.console import Console

            from .render.terminal import render_terminal

            render_terminal(d, Console(highlight=False))
        else:
            _emit(FORMATS[fmt].render(d, fragment), output, force)
    except MlederiveError as exc:
        raise BadInput(str(exc)) from None
    if not d.verified:
        failed = [str(s.title) for s, c in zip(d.steps, d.checks) if not c.verified]
        click.echo("Error: verification failed at: %s" % ", ".join(failed), err=True)
        sys.exit(1)


def _with_prior(spec: str, prior: str):
    """The recipe ``spec`` with its prior replaced (``none``: maximum likelihood)."""
    from dataclasses import replace

    from .recipe import Recipe, check_prior, load_recipe

    recipe = load_recipe(spec)
    if not isinstance(recipe, Recipe):
        raise MlederiveError("--prior applies to loss recipes; %s is an argument (kind: %s)" % (spec, recipe.kind))
    return replace(recipe, prior=check_prior("--prior", prior, recipe.family_obj()))


@cli.command("exam", context_settings=CONTEXT)
@click.option("--seed", required=True, help="Any string or number: the same seed gives the same files.")
@click.option("--variants", default=1, show_default=True, type=int, help="How many different exams.")
@click.option("--questions", default=3, show_default=True, type=int, help="Questions per exam.")
@click.option("-o", "--output", "outdir", required=True, type=click.Path(), help="Directory for the files.")
@click.option("--recipes", default="", help="Comma-separated recipe names to draw from (default: the standard "
              "built-ins, without the custom-density examples).")
@click.option("--title", default="Loss functions from maximum likelihood", show_default=True,
              help="The exam's title, on every paper.")
@click.option("--course", default="", help="The course, above the title and in the running header.")
@click.option("--points", default="10", show_default=True,
              help="Points per question: one number for all, or one per question (e.g. 10,10,5).")
@click.option("--answer-space", "space", default="auto", show_default=True,
              help="Room to answer on the printed exam: auto (as each question needs), none, or a height in cm.")
@click.option("--pdf", is_flag=True, help="Also compile every .tex with pdflatex.")
@click.option("--moodle", is_flag=True, help="Also write moodle.xml (Moodle XML quiz format).")
@click.option("--force", is_flag=True, help="Overwrite files of the same names in the directory.")
def exam_command(seed, variants, questions, outdir, recipes, title, course, points, space, pdf, moodle, force):
    """Generate exams with worked, machine-checked solutions.

    Writes exam-V.tex / solutions-V.tex (exam class), exam-V.md / solutions-V.md and
    key.csv for each variant V into the directory OUTPUT.

    \b
    Example:
      mlederive exam --seed 2026 --variants 3 --questions 4 -o exams/ --pdf --moodle
      mlederive exam --seed 7 --course "ML 101" --points 10,10,5 --answer-space 5 -o exams/
    """
    from .output import write_tree

    names = [n.strip() for n in recipes.split(",") if n.strip()] if recipes else None
    weights = _numbers(points, "--points", "e.g. --points 10 or --points 10,10,5", int)
    room = True if space == "auto" else False if space == "none" else \
        _numbers(space, "--answer-space", "auto, none, or a height in cm such as 6", float)[0]
    if room is not True and room is not False and not 0 < room <= 25:
        raise BadInput("--answer-space %s: give auto, none, or a height in cm from 1 to 25" % space)
    try:
        if pdf:
            from .pdf import find_pdflatex

            find_pdflatex()  # before any work
        exam = _build_exam_with_progress(seed, variants, questions, names, title=title, course=course,
                                         points=weights, space=room)
        from .render.exam import exam_files, moodle_xml

        files = exam_files(exam)
        if moodle:
            files["moodle.xml"] = moodle_xml(exam)
        written = write_tree(outdir, files, force=force, finish=_compile_all if pdf else None)
    except MlederiveError as exc:
        from .pdf import CompileError

        if isinstance(exc, CompileError):
            click.echo("Error: %s" % exc, err=True)
            sys.exit(1)
        raise BadInput(str(exc)) from None
    click.echo("wrote %d files to %s" % (len(written), outdir), err=True)


@cli.command("mle", context_settings=CONTEXT)
@click.argument("family")
@click.option("--data", required=True, help="Comma-separated observations, e.g. 1,0,1,1.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A known parameter's value, for the estimate's number (e.g. --param k=1.5 for weibull).")
@format_options
def mle_command(family, data, params, fmt, fragment, output, force):
    """Closed-form maximum-likelihood estimate of FAMILY's mean (and σ² for gaussian) from data.

    Solves score = 0 with SymPy, proves the estimate zeroes the score, checks the
    second-order condition, then evaluates on the data; says so when no closed form exists.

    \b
    Example:
      mlederive mle poisson --data 2,0,3,1
      mlederive mle bernoulli --data 1,0,1,1 --format json
    """
    from .mle import NoClosedForm, solve_mle

    fmt = _chosen_format(fmt, fragment, output, force)
    try:
        values = [float(v) for v in data.split(",") if v.strip()]
    except ValueError:
        raise BadInput("--data %s: give numbers separated by commas, e.g. --data 1,0,1" % data) from None
    if not values:
        raise BadInput("--data: give at least one observation, e.g. --data 1,0,1")
    known = {}
    for item in params:
        name, sep, text = item.partition("=")
        try:
            known[name.strip()] = float(text) if sep else None
        except ValueError:
            known[name.strip()] = None
        if known[name.strip()] is None:
            raise BadInput("--param %s: write NAME=NUMBER, e.g. --param k=1.5" % item)
    try:
        result = solve_mle(family, values, known)
        if fmt == "terminal":
            from .render.mle import mle_lines

            click.echo("\n".join(mle_lines(result)))
        else:
            _emit(FORMATS[fmt].render_mle(result, fragment), output, force)
    except NoClosedForm as exc:
        raise BadInput("%s: %s" % (family, exc)) from None
    except MlederiveError as exc:
        raise BadInput(str(exc)) from None
    if not result.verified:
        sys.exit(1)


@cli.command("codegen", context_settings=CONTEXT)
@click.argument("recipe")
@click.option("--target", required=True, type=click.Choice(list(TARGETS)),
              help="; ".join("%s: %s" % (t.name, t.help) for t in TARGETS.values()) + ".")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the module to FILE (atomically).")
@click.option("--force", is_flag=True, help="With -o: overwrite an existing file.")
@click.option("--explain", is_flag=True, help="Show the verified steps from the loss to the code (stable forms, "
              "gradient, Hessian, the helpers' implementations).")
def codegen_command(recipe, target, output, force, explain):
    """Generate verified, numerically stable code for RECIPE's loss: one self-contained module.

    The module imports only the target library and NumPy (and scipy.special where a special
    function is needed), never mlederive. Every form it computes is a verified step (--explain).

    \b
    Example:
      mlederive codegen bernoulli-logit --target pytorch -o bce.py
      mlederive codegen poisson-log --target xgboost -o poisson_objective.py
      mlederive codegen bernoulli-probit --target numpy --explain
    """
    from .codegen import generate

    if output and not force and os.path.exists(output):
        raise BadInput("-o %s: file exists; use --force to overwrite it" % output)
    try:
        generated = generate(recipe, target)
        if explain:
            _explain(generated)
        if generated.verified:
            _emit(generated.code, output, force) if output or not explain else None
    except MlederiveError as exc:
        raise BadInput(str(exc)) from None
    _codegen_summary(generated)
    if not generated.verified:
        sys.exit(1)


def _explain(generated) -> None:
    from rich.console import Console

    from .render.terminal import render_terminal

    console = Console(highlight=False)
    for document in generated.documents:
        render_terminal(document, console)


def _codegen_summary(generated) -> None:
    """What the module computes, on stderr: the Hessian's kind ("Fisher scoring") and the verdict."""
    steps = sum(len(d.steps) for d in generated.documents)
    passed = sum(c.verified for d in generated.documents for c in d.checks)
    click.echo("Hessian: %s" % generated.hessian_line, err=True)
    if generated.verified:
        click.echo("%d/%d steps verified" % (passed, steps), err=True)
    else:
        failed = [str(s.title) for d in generated.documents for s, c in zip(d.steps, d.checks) if not c.verified]
        click.echo("Error: verification failed at: %s; no code written" % ", ".join(failed), err=True)


def _numbers(text: str, option: str, example: str, kind):
    """Comma-separated numbers of an option, or a one-line error saying what to give."""
    try:
        values = [kind(v) for v in text.split(",") if v.strip()]
    except ValueError:
        values = []
    if not values:
        raise BadInput("%s %s: %s" % (option, text, example))
    return values


def _build_exam_with_progress(seed, variants, questions, names, **options):
    from rich.console import Console
    from rich.progress import Progress

    from .exam import build_exam

    console = Console(stderr=True)
    with Progress(console=console, transient=True, disable=not console.is_terminal or variants < 2) as progress:
        task = progress.add_task("variants", total=variants)
        return build_exam(seed, variants, questions, names, progress=lambda: progress.advance(task), **options)


def _compile_all(directory):
    from .pdf import compile_pdf

    for tex in sorted(directory.glob("*.tex")):
        compile_pdf(tex)


def _list_links(fmt: str) -> None:
    from .catalog import link_matrix

    matrix = link_matrix()
    if fmt == "json":
        import json

        click.echo(json.dumps(matrix, indent=2, ensure_ascii=False))
        return
    from rich.console import Console

    from .render.matrix import print_link_matrix

    print_link_matrix(Console(highlight=False), matrix)


@cli.command("list", context_settings=CONTEXT)
@click.option("--format", "fmt", type=click.Choice(LIST_FORMATS), default="terminal", show_default=True,
              help="Output format.")
@click.option("--links", "links", is_flag=True, help="The family × link matrix instead of the recipes.")
def list_command(fmt, links):
    """List the built-in recipes: name, family, link and the loss they lead to.

    With --links: which links each family accepts — C canonical, ✓ valid, ~ valid
    under a constraint on η (derived with a warning), · refused. Any allowed pair
    runs as 'mlederive FAMILY-LINK'.

    \b
    Example:
      mlederive list
      mlederive list --links --format json
    """
    from .catalog import builtin_table

    if links:
        _list_links(fmt)
        return

    rows = builtin_table()
    if fmt == "json":
        import json

        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    from rich import box
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    # names are what a user types next: never cut or wrapped. On a narrow terminal the kind, family
    # and link columns go (a loss recipe's name already says them) and "leads to" wraps.
    wide = console.width >= 110
    table = Table(title="Built-in recipes", box=None if not wide else box.HEAVY_HEAD, pad_edge=wide)
    table.add_column("name", no_wrap=True, min_width=max(len(row["name"]) for row in rows))
    extra = ("kind", "family", "link") if wide else ()
    for col in extra:
        table.add_column(col, no_wrap=True)
    table.add_column("leads to", ratio=1)
    for row in rows:
        table.add_row(row["name"], *(row[c] for c in extra), row["loss"])
    console.print(table)


@cli.command("cache", context_settings=CONTEXT)
@click.option("--clear", is_flag=True, help="Forget every stored outcome.")
def cache_command(clear):
    """Where verified claims are remembered between runs, and how many there are.

    Set MLEDERIVE_CACHE to a file path to move it, or to 'off' to prove everything every time.
    """
    from .verification import cache

    where = cache.location()
    if where is None:
        click.echo("cache: off (MLEDERIVE_CACHE=%s)" % os.environ.get("MLEDERIVE_CACHE", ""))
        return
    if clear:
        cache.clear()
    count = cache.count()
    click.echo("cache: %s (%s)" % (where, "unusable: not readable or writable" if count is None
                                   else "%d stored outcome%s" % (count, "" if count == 1 else "s")))


cli.add_command(grade_command)


def main():
    from .asciiout import degrade_if_needed

    degrade_if_needed()  # PYTHONIOENCODING=ascii: spell η as eta rather than fail
    try:
        cli(prog_name="mlederive")
    except Exception as exc:  # a bug of ours: one line for the user, the traceback on request
        if os.environ.get("MLEDERIVE_DEBUG"):
            raise
        click.echo("Error: internal error (%s: %s); please report it (MLEDERIVE_DEBUG=1 shows the traceback)"
                   % (type(exc).__name__, exc), err=True)
        sys.exit(1)
