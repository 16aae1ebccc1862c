"""An exam as values: variants of questions, each made of blocks of prose, math and choices.

:mod:`mlederive.exam` builds them from a seed; :mod:`mlederive.render.exam` turns them into
LaTeX, Markdown, the answer key and Moodle XML. Nothing here computes or renders.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .prose import Prose

# -- blocks: what a question is made of ----------------------------------------------------

@dataclass(frozen=True)
class Para:
    """A paragraph of prose (text, formulas, code), typeset by each format."""

    prose: Prose


@dataclass(frozen=True)
class Display:
    """Displayed math: rows of an aligned block (``&=`` alignment), as LaTeX."""

    rows: tuple


@dataclass(frozen=True)
class Choices:
    """Multiple choice: each option a formula or a sentence (prose); ``correct`` its index."""

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


# -- what a question asks Moodle to grade -----------------------------------------------------

@dataclass(frozen=True)
class Numeric:
    """One number to give: its label (prose), exact-enough value, and the tolerance that grades it."""

    label: Prose
    value: float
    tolerance: float
    #: the value as the key prints it (to the precision the question asks for)
    shown: str


@dataclass(frozen=True)
class Grading:
    """How a question is graded: "numerical" (one or more Numeric), "multichoice" or "essay"."""

    kind: str
    numbers: tuple = ()


@dataclass
class Question:
    number: int
    kind: str
    title: Prose
    prompt: list
    solution: list
    answer: str  # the key's final answer (unicode)
    answer_blocks: list  # the same answer as blocks, shown at the end of the worked solution
    grading: Grading = field(default_factory=lambda: Grading("essay"))
    #: the multiple choice, when there is one (also what Moodle shows as answers)
    choices: Choices | None = None
    points: int = 10
    #: room on the printed exam, in cm (0: none)
    space: float = 0.0
    #: the recipe a derivation question is about (its name, as the exam was given it), for grading the answers
    recipe: str = ""


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
    title: str = "Loss functions from maximum likelihood"
    course: str = ""

    @property
    def total_points(self) -> int:
        return sum(q.points for q in self.variants[0].questions) if self.variants else 0
