"""The renderer base: a document is a sequence of blocks, and a renderer has one method per kind of block.

As SymPy's printers dispatch ``_print_<Class>`` along the class's MRO, a renderer dispatches
``_render_<Class>``: the LaTeX, Markdown and terminal renderers of a derivation, and the
exam renderers (whose blocks are :mod:`mlederive.questions`' paragraphs, displays, choices…),
only say how each kind of block is written. The order of the blocks is decided once, here,
by :func:`document_blocks`. Adding an output format is one subclass in one module; adding a
kind of block is one dataclass here (or in :mod:`mlederive.questions`) and one method per format.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..documents import Check, Result, Step, Table
from ..prose import Prose, from_text


@dataclass(frozen=True)
class Description:
    """The recipe's own description: its words, with its ``$…$`` mathematics typeset like ours."""

    text: Prose


@dataclass(frozen=True)
class Setting:
    """What is assumed: the document's subtitle."""

    text: str


@dataclass(frozen=True)
class Caution:
    """A warning attached to the document (e.g. an ill-posed custom density)."""

    text: str


@dataclass(frozen=True)
class NumberedStep:
    """A step with its number in the document and its check (None before verification)."""

    number: int
    step: Step
    check: Check | None


@dataclass(frozen=True)
class ResultsHeading:
    """Where the results begin."""


@dataclass(frozen=True)
class Summary:
    """The closing line: how many steps verified, by which method."""

    document: Any


def document_blocks(d) -> list:
    """A derivation (or an argument) as blocks, in reading order."""
    blocks: list = []
    if getattr(d.recipe, "description", None):
        blocks.append(Description(from_text(" ".join(d.recipe.description.split()))))
    blocks.append(Setting(d.subtitle))
    blocks += [Caution(w) for w in d.warnings]
    checks = d.checks or [None] * len(d.steps)
    blocks += [NumberedStep(n, s, c) for n, (s, c) in enumerate(zip(d.steps, checks), start=1)]
    blocks.append(ResultsHeading())
    blocks += list(d.results)
    blocks += list(d.tables)
    blocks.append(Summary(d))
    return blocks


class Renderer:
    """Renders blocks by their class: ``_render_<Class>`` for the nearest class along the MRO.

    A method may return None: that kind of block has no place in this format.
    """

    def render(self, block):
        for cls in type(block).__mro__:
            method = getattr(self, "_render_" + cls.__name__, None)
            if method is not None:
                return method(block)
        raise TypeError("%s cannot render a %s" % (type(self).__name__, type(block).__name__))

    def render_all(self, blocks) -> list:
        """Each block rendered, in order, leaving out those this format has no place for."""
        return [out for out in (self.render(b) for b in blocks) if out is not None]


__all__ = ["Caution", "Description", "NumberedStep", "Renderer", "Result", "ResultsHeading", "Setting", "Summary",
           "Table", "document_blocks"]
