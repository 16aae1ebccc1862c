"""An exam as values: variants of questions, each made of blocks of prose, math and choices.

:mod:`mlederive.exam` builds them from a seed; :mod:`mlederive.render.exam` turns them into
LaTeX, Markdown, the answer key and Moodle XML. Nothing here computes or renders.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


# -- blocks: what a question is made of ----------------------------------------------------

@dataclass(frozen=True)
class Para:
    """A paragraph: a sequence of prose strings (unicode) and ``Tex`` math pieces."""

    parts: tuple


@dataclass(frozen=True)
class Tex:
    """Inline math, as LaTeX source."""

    latex: str


@dataclass(frozen=True)
class Display:
    """Displayed math: rows of an aligned block (``&=`` alignment)."""

    rows: tuple


@dataclass(frozen=True)
class Choices:
    options: tuple
    correct: int


@dataclass(frozen=True)
class Worked:
    """A full derivation from the engine, rendered with the variant's notation."""

    derivation: object
    notation: Any  # mlederive.render.common.Notation


@dataclass(frozen=True)
class Checks:
    """Verification marks: (what, verified, method)."""

    items: tuple


@dataclass
class Question:
    number: int
    kind: str
    title: str
    prompt: list
    solution: list
    answer: str  # the key's final answer (unicode)
    answer_blocks: list  # the same answer as blocks, shown at the end of the worked solution
    #: machine-readable answer for Moodle: ("numerical", [(label, value), …]) | ("multichoice", …) | ("essay", …)
    moodle: tuple = ()


@dataclass
class Variant:
    number: int
    notation: Any  # mlederive.render.common.Notation
    questions: list = field(default_factory=list)
    #: what the papers show to tell variants apart: a short code that does not reveal the seed
    code: str = ""


@dataclass
class Exam:
    seed: str
    variants: list
    recipes: tuple
