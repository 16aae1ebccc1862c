"""What every exam question kind shares: the registry of kinds, the pool they draw from, the symbol sets a paper is
written in, and numbers to 3 significant figures. Adding a question kind is one ``@question_kind`` builder in
:mod:`.kinds`."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

from ..errors import MlederiveError
from ..prose import prose
from ..questions import Numeric
from ..render.common import Name, Notation, plain_text

#: the symbol sets a paper is written in (weights, inputs, targets) — one per paper, used by every question on it,
#: its solution and its key; no input is called z, the logit of the sigmoid question
NOTATIONS = (
    Notation(),
    Notation(Name("w", "w", "w"), Name("x", "x", "x"), Name("y", "y", "y")),
    Notation(Name("w", "w", "w"), Name("u", "u", "u"), Name("t", "t", "t")),
    Notation(Name("beta", "β", r"\beta"), Name("u", "u", "u"), Name("y", "y", "y")),
    Notation(Name("theta", "θ", r"\theta"), Name("v", "v", "v"), Name("t", "t", "t")),
)


def usable_notations(families) -> list:
    """The symbol sets whose letters mean nothing else on a paper about these families (the Student t's t_ν: no
    target called t)."""
    import re

    taken = {m for f in families for m in re.findall(r"(?<![A-Za-zα-ω])([A-Za-zα-ω])(?![A-Za-zα-ω])", f.notation)}
    return [n for n in NOTATIONS if not set(n.letters) & taken] or [NOTATIONS[0]]

MAX_VARIANTS, MAX_QUESTIONS = 500, 30
#: significant figures asked for every number, printed in the key and graded in Moodle
DIGITS = 3
TITLE = "Loss functions from maximum likelihood"


class ExamError(MlederiveError):
    pass


# -- numbers to 3 significant figures -----------------------------------------------------------

def significant(value: float, digits: int = DIGITS) -> str:
    """``value`` to ``digits`` significant figures, trailing zeros kept: 1.50, 0.0589, 233."""
    if value == 0:
        return "0"
    exponent = math.floor(math.log10(abs(value)))
    decimals = max(digits - 1 - exponent, 0)
    text = "%.*f" % (decimals, round(value, decimals))
    if abs(float(text)) >= 10 ** (exponent + 1):  # 9.996 → 10.0: one digit more before the point
        text = "%.*f" % (max(decimals - 1, 0), round(value, max(decimals - 1, 0)))
    return text


def numeric(label, value: float) -> Numeric:
    """A number to give, graded within half a unit of its last asked digit."""
    shown = significant(value)
    exponent = math.floor(math.log10(abs(value))) if value else -DIGITS
    return Numeric(prose("$%s$" % label) if isinstance(label, str) else label, float(shown),
                   0.5 * 10 ** (exponent - DIGITS + 1), shown)


def _numbers_answer(numbers) -> str:
    return "; ".join("%s = %s" % (plain_text(n.label), n.shown) for n in numbers)


# -- the kinds of question ----------------------------------------------------------------------

@dataclass(frozen=True)
class QuestionKind:
    name: str
    #: build(number, rng, pool, notation) -> Question
    build: Callable
    #: draws a likelihood recipe (one without a prior) from the pool
    needs_losses: bool = False
    #: one of these built-in recipes must be in the pool (empty: always available)
    needs: tuple = ()
    #: room to answer on the printed exam, cm
    space: float = 6.0
    #: draws a recipe with several predicted parameters (asked for with --recipes: none is in the default pool)
    needs_several: bool = False

    def available(self, pool: "Pool") -> bool:
        return (not self.needs_losses or bool(pool.losses)) and (not self.needs or any(n in pool.names
                                                                                           for n in self.needs)) \
            and (not self.needs_several or bool(pool.several))


#: name → kind, in the order slots take them; adding a kind is one decorated builder
QUESTION_KINDS: dict[str, QuestionKind] = {}


def question_kind(name: str, needs_losses: bool = False, needs: tuple = (), space: float = 6.0,
                  needs_several: bool = False):
    def register(build):
        QUESTION_KINDS[name] = QuestionKind(name, build, needs_losses, needs, space, needs_several)
        return build

    return register


@dataclass
class Pool:
    """What questions draw from: the recipes named, their derivations, the likelihoods, the MLE families."""

    names: list
    derivations: "_Derivations"
    losses: list
    mle_families: list
    #: the recipes with several predicted parameters (a gradient per parameter)
    several: list = field(default_factory=list)
    #: values already drawn by other variants, per question slot and what was drawn (see :meth:`distinct`)
    drawn: dict = field(default_factory=dict)

    def distinct(self, key, choices, rng):
        """One of ``choices`` that no earlier variant drew for ``key`` (the same slot), while any is left: eight
        papers do not share four values of z."""
        used = self.drawn.setdefault(key, [])
        left = [c for c in choices if c not in used] or list(choices)
        if len(left) == len(choices):
            used.clear()
        value = rng.choice(left)
        used.append(value)
        return value


class _Derivations:
    """Each recipe is derived (and verified) once per exam, whatever the number of variants."""

    def __init__(self, names):
        from ..derivation import derive
        from ..recipe import load_recipe

        self.recipes = {name: load_recipe(name) for name in names}
        self._derive, self._cache = derive, {}

    def __getitem__(self, name):
        if name not in self._cache:
            d = self._derive(self.recipes[name])
            if not d.verified:
                raise ExamError("recipe %s: its derivation failed verification; run 'mlederive %s' to see where"
                                % (name, name))
            self._cache[name] = d
        return self._cache[name]
