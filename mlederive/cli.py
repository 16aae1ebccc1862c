"""The command line: a thin layer over the Python API.

Commands parse arguments, call the library, and translate its exceptions into
one-line errors with exit code 2. Exit codes: 0 derived and verified, 1 a step
failed verification, 2 bad input.
"""
from __future__ import annotations

import sys

import click

from . import __version__
from .errors import MlederiveError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
FORMATS = ("terminal", "json")


class BadInput(click.ClickException):
    """A one-line ``Error: …`` and exit code 2."""

    exit_code = 2


class RecipeGroup(click.Group):
    """``mlederive NAME`` is short for ``mlederive derive NAME``."""

    def resolve_command(self, ctx, args):
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            return "derive", self.commands["derive"], args
        return super().resolve_command(ctx, args)

    def format_usage(self, ctx, formatter):
        formatter.write_usage(ctx.command_path, "[RECIPE | COMMAND] [OPTIONS]")


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


@cli.command("derive", context_settings=CONTEXT)
@click.argument("recipe")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="terminal", show_default=True,
              help="Output format.")
def derive_command(recipe, fmt):
    """Derive and verify the loss and gradient for RECIPE (a name or a .yaml file).

    \b
    Example:
      mlederive derive poisson-log --format json
    """
    from .pipeline import derive

    try:
        d = derive(recipe)
    except MlederiveError as exc:
        raise BadInput(str(exc)) from None
    if fmt == "json":
        from .render.json import render_json

        click.echo(render_json(d))
    else:
        from rich.console import Console

        from .render.terminal import render_terminal

        render_terminal(d, Console(highlight=False))
    if not d.verified:
        failed = [s.title for s, c in zip(d.steps, d.checks) if not c.verified]
        click.echo("Error: verification failed at: %s" % ", ".join(failed), err=True)
        sys.exit(1)


@cli.command("list", context_settings=CONTEXT)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="terminal", show_default=True,
              help="Output format.")
def list_command(fmt):
    """List the built-in recipes: name, family, link and the loss they lead to.

    \b
    Example:
      mlederive list
    """
    from .catalog import builtin_table

    rows = builtin_table()
    if fmt == "json":
        import json

        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Built-in recipes")
    for col in ("name", "family", "link", "loss"):
        table.add_column(col)
    for row in rows:
        table.add_row(row["name"], row["family"], row["link"], row["loss"])
    Console(highlight=False).print(table)


def main():
    cli(prog_name="mlederive")
