"""Errors: bad input the user can fix (one line, exit 2), and our own bugs (internal, exit 1).

A pipeline bug — a KeyError in a step builder, a TypeError in a claim builder — is an
:class:`InternalError`, never shown as a failed verification: a bug in our code must
not look like a wrong derivation.
"""
import difflib


def one_line(text: str) -> str:
    """Control characters (a newline in a YAML key, a tab) shown escaped, so an error stays one line."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in str(text))


def did_you_mean(word: str, options) -> str:
    """`` Did you mean 'x'?`` for a near miss among ``options``, else the empty string."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return " Did you mean '%s'?" % close[0] if close else ""


class MlederiveError(Exception):
    """Bad input: the message says what, where, and how to fix it."""


class RecipeError(MlederiveError):
    def __init__(self, source: str, field: str | None, problem: str):
        self.source, self.field, self.problem = source, field, problem
        where = source if field is None else "%s: field '%s'" % (source, field)
        super().__init__(one_line("%s: %s" % (where, problem)))


class InternalError(Exception):
    """A bug in mlederive (not in the user's input, not in the derivation being checked)."""
