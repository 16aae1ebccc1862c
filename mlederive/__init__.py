"""mlederive: where a loss function comes from, derived and machine-checked.

    >>> from mlederive import derive, verify
    >>> d = derive("bernoulli-logit")
    >>> d.verified
    True

``derive(recipe, verify_steps=False)`` gives the unverified document; ``verify(document)``
returns a copy with one check per step — so a step replaced with ``dataclasses.replace``
(``document.replace_step(step)``) is checked like any other.
"""
from .version import __version__

__all__ = ["derive", "verify", "__version__"]


def derive(recipe, verify_steps: bool = True):
    """Derive the loss and gradient for a built-in recipe name, a recipe path, or a Recipe."""
    from . import render  # noqa: F401  (registers the terminal renderer: console.print(document) works)
    from .derivation import derive as _derive

    return _derive(recipe, verify_steps=verify_steps)


def verify(document):
    """A copy of ``document`` with ``checks``: one verdict per step."""
    from . import render  # noqa: F401
    from .verification import verify as _verify

    return _verify(document)
