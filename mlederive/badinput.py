"""The command line's one kind of refusal: a one-line ``Error: …`` and exit code 2 (shared by every command)."""
from __future__ import annotations

import click


class BadInput(click.ClickException):
    """A one-line ``Error: …`` and exit code 2."""

    exit_code = 2

    def __init__(self, message: str):
        from .errors import one_line

        super().__init__(one_line(message))
