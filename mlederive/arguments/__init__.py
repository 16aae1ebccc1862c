"""The reference articles' other arguments, as verified step-by-step documents.

A recipe with ``kind: NAME`` (instead of a family and a link) asks for one of
these arguments. Each kind is one module with a small declarative class: its
recipe options (with defaults, so a user can copy a built-in recipe and change
them) and a ``build`` that returns an :class:`~mlederive.steps.Argument` —
steps whose relations the verifier checks like any derivation's, results,
tables computed from the verified expressions, and extra JSON fields.

Kinds: ``sigmoid-mse-vs-bce``, ``kl-mle-equivalence``, ``kl-coin``, ``log-underflow``, ``loss-verdict``,
``focal-loss``, ``label-smoothing``, ``multilabel-bernoulli``,
``ordinal-logit``.
"""
from __future__ import annotations

import functools

from ..errors import RecipeError, did_you_mean
from .kinds import ArgumentKind, ArgumentRecipe, Option  # noqa: F401  (the package's API)


@functools.cache
def registry() -> dict:
    """Kind name → the kind, each kind one module. Imported on first use, not with the package: derive() imports
    the package for every recipe, and the kinds' modules cost 70 ms of the main job's cold start."""
    from .coin import KLCoin
    from .focal import FocalLoss
    from .kl import KLMLEEquivalence
    from .multilabel import MultilabelBernoulli
    from .ordinal import OrdinalLogit
    from .sigmoid import SigmoidMSEvsBCE
    from .smoothing import LabelSmoothing
    from .underflow import LogUnderflow
    from .verdict import LossVerdict

    return {k.kind: k for k in (SigmoidMSEvsBCE(), KLMLEEquivalence(), KLCoin(), LogUnderflow(), LossVerdict(), FocalLoss(),
                                         LabelSmoothing(), MultilabelBernoulli(), OrdinalLogit())}


ARGUMENT_KEYS = ("name", "title", "description", "kind")


def parse_argument(data: dict, source: str, name: str) -> ArgumentRecipe:
    """Validate an argument recipe (``kind:`` given) after the common fields were checked."""

    known = registry()
    kind = data["kind"]
    if kind not in known:
        raise RecipeError(source, "kind", "unknown kind '%s'.%s Allowed: loss, %s."
                          % (kind, did_you_mean(kind, known), ", ".join(known)))
    spec = known[kind]
    options = {}
    for key in data:
        if key in ARGUMENT_KEYS:
            continue
        if key not in spec.options:
            allowed = ", ".join(list(ARGUMENT_KEYS) + list(spec.options))
            raise RecipeError(source, str(key), "not a field of kind %s.%s Allowed fields: %s."
                              % (kind, did_you_mean(str(key), spec.options), allowed))
    for key, option in spec.options.items():
        try:
            options[key] = option.parse(data.get(key, option.default))
        except ValueError as exc:
            raise RecipeError(source, key, "%s (%s)." % (exc, option.what)) from None
    return ArgumentRecipe(name=name, title=data["title"].strip(), kind=kind,
                          description=(data.get("description") or "").strip(), options=options, source=source)


def build(recipe: ArgumentRecipe):
    """The argument's document, unverified (mlederive.verification checks it)."""
    return registry()[recipe.kind].build(recipe)


def summary(kind: str) -> str:
    return registry()[kind].summary
