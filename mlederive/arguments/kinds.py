"""What an argument kind is made of: its recipe, its options and their parsers (no eval: numbers, or "a/b" fractions
read by fractions.Fraction). The kind modules import this module, never the package, so the package can import them
without a circle."""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable


@dataclass(frozen=True)
class ArgumentRecipe:
    name: str
    title: str
    kind: str
    description: str = ""
    options: dict = field(default_factory=dict)
    source: str = "<recipe>"


@dataclass(frozen=True)
class Option:
    """One recipe option of an argument: a default and a parser that raises ValueError with the fix."""

    default: Any
    what: str
    parse: Callable[[Any], Any]


class ArgumentKind:
    kind: str = ""
    summary: str = ""  # one line for 'mlederive list'
    options: dict[str, Option] = {}

    def build(self, recipe: ArgumentRecipe):
        raise NotImplementedError


# -- option parsers ------------------------------------------------------------------------------

def number(value) -> Fraction:
    if isinstance(value, bool):
        raise ValueError("must be a number, got %r" % (value,))
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(str(value))
    if isinstance(value, str) and len(value) <= 40:
        try:
            return Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            pass
    raise ValueError("must be a number such as 0.5 or a fraction such as \"1/3\", got %r" % (value,))


def probability(value) -> Fraction:
    p = number(value)
    if not 0 < p < 1:
        raise ValueError("must be strictly between 0 and 1, got %s" % value)
    return p


def distribution(value) -> tuple:
    if not isinstance(value, list) or not 2 <= len(value) <= 12:
        raise ValueError("must be a list of 2 to 12 probabilities, e.g. [\"1/2\", \"1/2\"]")
    ps = tuple(number(v) for v in value)
    if any(p <= 0 for p in ps):
        raise ValueError("every probability must be positive (a zero makes the KL divergence infinite)")
    if sum(ps) != 1:
        raise ValueError("the probabilities must sum to 1 exactly, they sum to %s; use fractions like \"1/3\""
                         % sum(ps))
    return ps


def integer(low: int, high: int):
    def parse(value) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError("must be a whole number from %d to %d, got %r" % (low, high, value))
        return value
    return parse


def integers(low: int, high: int, most: int):
    one = integer(low, high)

    def parse(value) -> tuple:
        if not isinstance(value, list) or not 1 <= len(value) <= most:
            raise ValueError("must be a list of 1 to %d whole numbers" % most)
        return tuple(one(v) for v in value)
    return parse
