"""Exams: randomized questions whose worked solutions the engine derives and verifies.

An exam is built from a seed: each variant draws, from its own ``random.Random``, which
family/link pairs it asks about, what the weights, inputs and targets are called, and the
numbers of its data samples. The same seed gives the same exam, byte for byte. Question
kinds are a registry (:data:`QUESTION_KINDS`, one ``@question_kind`` builder each); a
question *slot* has one kind in every variant (slot 2 is an MLE question on every paper),
so a Moodle category, one slot, holds variants of the same question:

``derive``    derive the loss and its gradient (the full verified derivation);
``mle``       the closed-form MLE from a drawn sample (:mod:`mlederive.mle`);
``identify``  which per-observation loss does an assumption lead to (multiple choice, formulas);
``kl``        the two KL divergences of two distributions, and why they differ;
``vanishing`` MSE or cross-entropy on a sigmoid: the gradient at a saturated output.

Numbers are asked, keyed and graded to 3 significant figures (the Moodle tolerance is half a
unit of the third). This module builds questions as values (blocks of prose, math and
choices); :mod:`mlederive.render.exam` turns them into LaTeX, Markdown and Moodle XML.
"""
from __future__ import annotations

import random

from ..questions import Exam, Variant
from . import kinds as _kinds  # noqa: F401  (registers the question kinds)
from .kinds import equivalent
from .registry import (
    DIGITS,
    MAX_QUESTIONS,
    MAX_VARIANTS,
    NOTATIONS,
    QUESTION_KINDS,
    TITLE,
    ExamError,
    Pool,
    QuestionKind,
    _Derivations,
    numeric,
    question_kind,
    significant,
    usable_notations,
)

# -- the exam -----------------------------------------------------------------------------------------

def variant_code(seed, number: int) -> str:
    """A short code per variant (e.g. 'K7Q-4MX') from a one-way hash: it names the variant on the papers and in
    the key without printing the seed, which reproduces every solution."""
    import base64
    import hashlib

    digest = hashlib.sha256(("mlederive-variant:%s:%d" % (seed, number)).encode()).digest()
    letters = base64.b32encode(digest).decode().replace("0", "").replace("1", "")[:6]
    return "%s-%s" % (letters[:3], letters[3:])


def standard_recipes() -> list[str]:
    """The built-in recipes an exam draws from by default: not the custom-density examples, the models with several
    predicted parameters, nor the laws beyond a first course (Cauchy, von Mises, quantile regression): ask for any of
    them with --recipes."""
    from ..recipe import builtin_names, load_recipe

    recipes = {n: load_recipe(n) for n in builtin_names()}
    return [n for n, r in recipes.items()
            if getattr(r, "custom_family", None) is None and getattr(r, "custom_link", None) is None
            and not getattr(r, "predicted", None) and _in_exams(r)]


def _in_exams(recipe) -> bool:
    """A loss recipe's family says whether a default exam draws it; an argument (kind: …) is always drawn."""
    family = getattr(recipe, "family_obj", None)
    return family is None or family().in_exams


def slot_kinds(seed, kinds: list, questions: int) -> list:
    """The kind of each question slot, the same in every variant: the kinds in order from a start the seed picks."""
    import hashlib

    start = int(hashlib.sha256(("mlederive-slots:%s" % seed).encode()).hexdigest(), 16) % len(kinds)
    return [kinds[(start + q) % len(kinds)] for q in range(questions)]


def _points(points, questions: int) -> list[int]:
    if points is None:
        return [10] * questions
    if len(points) == 1:
        return list(points) * questions
    if len(points) != questions:
        raise ExamError("--points: give one number, or one per question (%d), e.g. --points 10,10,5" % questions)
    return list(points)


def build_exam(seed, variants: int, questions: int, recipes=None, progress=None, *, title: str = TITLE,
               course: str = "", points=None, space: bool | float = True) -> Exam:
    """Build every variant in memory (nothing is written here).

    ``points``: one number for every question, or one per question (default 10 each); ``space``: room to answer
    on the printed exam (True: as each kind needs, a number: that many cm for every question, False: none).
    """
    from ..recipe import Recipe

    if not 1 <= variants <= MAX_VARIANTS:
        raise ExamError("--variants %s: give a number from 1 to %d" % (variants, MAX_VARIANTS))
    if not 1 <= questions <= MAX_QUESTIONS:
        raise ExamError("--questions %s: give a number from 1 to %d" % (questions, MAX_QUESTIONS))
    weights = _points(points, questions)
    if any(not 0 < w <= 1000 for w in weights):
        raise ExamError("--points: give whole numbers from 1 to 1000")
    pool = list(recipes) if recipes else standard_recipes()
    if not pool:
        raise ExamError("--recipes: give at least one recipe name, e.g. --recipes bernoulli-logit,poisson-log")
    derivations = _Derivations(pool)  # loads (and so validates) every recipe before any work
    # MAP recipes are left out: the derive/identify questions state a likelihood, not a prior
    loss_pool = [n for n in pool if isinstance(derivations.recipes[n], Recipe) and not derivations.recipes[n].prior
                 and not derivations.recipes[n].predicted]
    several = [n for n in pool if isinstance(derivations.recipes[n], Recipe) and derivations.recipes[n].predicted]
    drawable = ("bernoulli", "gaussian", "poisson")  # the families _sample can draw data for
    mle_families = [f for f in dict.fromkeys(derivations.recipes[n].family for n in loss_pool) if f in drawable] \
        or list(drawable)
    sources = Pool(pool, derivations, loss_pool, mle_families, several)
    kinds = slot_kinds(seed, [k for k in QUESTION_KINDS.values() if k.available(sources)], questions)
    notations = usable_notations([derivations.recipes[n].family_obj() for n in loss_pool])
    built = []
    for v in range(1, variants + 1):
        rng = random.Random("mlederive-exam:%s:%d" % (seed, v))
        notation = rng.choice(notations)
        variant = Variant(v, notation, code=variant_code(seed, v))
        for q, (kind, weight) in enumerate(zip(kinds, weights), start=1):
            question = kind.build(q, rng, sources, notation)
            question.points = weight
            question.space = kind.space if space is True else float(space or 0)
            variant.questions.append(question)
        built.append(variant)
        if progress is not None:
            progress()
    return Exam(str(seed), built, tuple(pool), title or TITLE, course)


__all__ = ["DIGITS", "NOTATIONS", "QUESTION_KINDS", "TITLE", "ExamError", "Pool", "QuestionKind", "build_exam",
           "equivalent", "numeric", "question_kind", "significant", "slot_kinds", "standard_recipes",
           "usable_notations", "variant_code"]
