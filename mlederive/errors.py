"""Errors the user can fix. The CLI turns them into one line and exit code 2."""


class MlederiveError(Exception):
    """Bad input: the message says what, where, and how to fix it."""


class RecipeError(MlederiveError):
    def __init__(self, source: str, field: str | None, problem: str):
        self.source, self.field, self.problem = source, field, problem
        where = source if field is None else "%s: field '%s'" % (source, field)
        super().__init__("%s: %s" % (where, problem))
