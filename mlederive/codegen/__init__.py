"""From derivation to code: verified, numerically stable loss code for NumPy, JAX and PyTorch, and
gradient-boosting objectives for XGBoost and LightGBM.

    >>> from mlederive.codegen import generate
    >>> g = generate("bernoulli-probit", "xgboost")
    >>> g.verified, g.forms.hess_kind
    (True, 'fisher')

:func:`generate` derives the recipe, appends the steps from the loss to what the code computes
(:mod:`.document`: the boosting scale, the stable form, the gradient and the Hessian), verifies them all,
checks the implementation of every helper the code uses (:func:`implementations`, each branch of a
piecewise one on its own), and prints one self-contained module (:mod:`.targets`) that imports only the
target library and NumPy (and ``scipy.special`` where a special function is needed).
"""


def generate(spec, target: str):
    """The module for ``target`` (see :data:`.targets.TARGETS`) from a recipe name, path or Recipe: a
    :class:`.generator.Generated` with the code, the verified forms and the helpers' checked implementations."""
    from .generator import generate as _generate

    return _generate(spec, target)


def implementations(*exprs):
    """The helpers ``exprs`` use, each implementation proved equal to the primitive's definition (an Argument)."""
    from .generator import implementations as _implementations

    return _implementations(*exprs)


__all__ = ["generate", "implementations"]
