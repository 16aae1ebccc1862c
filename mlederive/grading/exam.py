"""Grading the answers to an exam's question (``mlederive grade --exam DIR --question N``): the exam's manifest
(``exam.json``, written by ``mlederive exam``), the variant read from the code a submission carries, the question's
recipe, the variant's letters and the question's points.

A submission names its variant by its code (``Variant: K7Q-4MX``, as printed on the paper): exactly one of the exam's
codes must appear in it. A submission with question headings (``## Question 2``, ``\\section*{Question 2}``,
``Question 2.``) is graded on the formulas under question N's heading; one without, on all of them.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

MANIFEST = "exam.json"
#: a variant code as the papers print it (base32 letters and digits, 3 + 3)
CODE = re.compile(r"(?<![A-Z0-9])([A-Z2-7]{3}-[A-Z2-7]{3})(?![A-Z0-9])")
HEADING = re.compile(r"^\s*(?:#+\s*|\\(?:sub)*section\*?\{\s*|\*\*)?(?:question|q\.?)\s*(\d+)\b", re.I | re.M)
#: the question kinds graded step by step: a derivation of one linear predictor's loss and gradient
GRADED = ("derive",)
#: the engine's names for what a variant may rename (its weights' letter names nothing in a derivation's formulas)
ENGINE = {"inputs": "x", "target": "y"}


@dataclass(frozen=True)
class Assignment:
    """What one submission is graded against."""

    recipe: str
    names: dict  # the variant's letters → the engine's ({"t": "y", "u": "x"})
    points: float | None
    code: str | None = None


def read_manifest(directory) -> dict:
    """The manifest of the exam in ``directory``, checked, or a ValueError (one line)."""
    path = Path(directory) / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError("--exam %s: no %s there; give the directory `mlederive exam -o DIR` wrote (an exam written "
                         "before the manifest existed: generate it again, same seed)" % (directory, MANIFEST)) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError("--exam %s: %s cannot be read (%s)" % (directory, MANIFEST, exc)) from None
    if not isinstance(data, dict) or data.get("mlederive_exam") != 1 or not isinstance(data.get("variants"), list):
        raise ValueError("--exam %s: %s is not an exam manifest mlederive wrote" % (directory, MANIFEST))
    return data


def _variant(manifest: dict, text: str, path) -> dict:
    codes = {v["code"]: v for v in manifest["variants"]}
    found = list(dict.fromkeys(c for c in CODE.findall(text) if c in codes))
    if not found:
        example = next(iter(codes), "ABC-DEF")
        raise ValueError("%s: no variant code of this exam in it; add the line `Variant: %s` with the code printed on "
                         "the student's paper" % (path, example))
    if len(found) > 1:
        raise ValueError("%s: the codes of %d variants in it (%s); keep only the one on the student's paper"
                         % (path, len(found), ", ".join(found)))
    return codes[found[0]]


def assignment(manifest: dict, text: str, question: int, path) -> Assignment:
    """The recipe, letters and points a submission to ``question`` is graded with, by the variant its code names."""
    variant = _variant(manifest, text, path)
    asked = next((q for q in variant["questions"] if q["number"] == question), None)
    if asked is None:
        raise ValueError("--question %d: variant %s has questions 1 to %d" % (question, variant["code"],
                                                                              len(variant["questions"])))
    if asked["kind"] not in GRADED or not asked.get("recipe"):
        raise ValueError("--question %d: in variant %s it is \u201c%s\u201d; grading reads derivations of a loss and "
                         "its gradient (the \u201cDerive a loss\u201d questions)" % (question, variant["code"],
                                                                                  asked.get("title", asked["kind"])))
    letters = variant.get("notation") or {}
    names = {letters[k]: v for k, v in ENGINE.items() if letters.get(k, v) != v}
    return Assignment(asked["recipe"], names, asked["points"], variant["code"])


def section(text: str, question: int) -> tuple[int, int] | None:
    """The lines (first, last; 1-based) under question ``question``'s heading, or None where the text has no
    question headings (all of it is the answer)."""
    heads = [(int(m.group(1)), text.count("\n", 0, m.start()) + 1) for m in HEADING.finditer(text)]
    if not heads:
        return None
    for k, (number, line) in enumerate(heads):
        if number == question:
            end = heads[k + 1][1] - 1 if k + 1 < len(heads) else text.count("\n") + 1
            return line, end
    return 0, -1  # headings, but not this question's: no answer to it
