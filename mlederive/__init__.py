"""mlederive: where a loss function comes from, derived and machine-checked.

    >>> from mlederive import derive
    >>> d = derive("bernoulli-logit")
    >>> d.verified
    True
"""
__version__ = "0.1.0"

__all__ = ["derive", "__version__"]


def derive(recipe, verify_steps: bool = True):
    """Derive the loss and gradient for a built-in recipe name, a recipe path, or a Recipe."""
    from .pipeline import derive as _derive

    return _derive(recipe, verify_steps=verify_steps)
