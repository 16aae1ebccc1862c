"""Errors the user can fix. The CLI turns them into one line and exit code 2."""


def one_line(text: str) -> str:
    """Control characters (a newline in a YAML key, a tab) shown escaped, so an error stays one line."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in str(text))


class MlederiveError(Exception):
    """Bad input: the message says what, where, and how to fix it."""


class RecipeError(MlederiveError):
    def __init__(self, source: str, field: str | None, problem: str):
        self.source, self.field, self.problem = source, field, problem
        where = source if field is None else "%s: field '%s'" % (source, field)
        super().__init__(one_line("%s: %s" % (where, problem)))
