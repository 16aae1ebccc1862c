"""Generating a module: the verified forms, the helpers' implementations, the parameters, the layout."""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from sympy.printing.codeprinter import PrintMethodNotImplementedError

from .. import symbolic as S
from ..derivation.implementation import CodegenError, Forms, forms
from ..documents import Argument, StepBuilder
from ..errors import MlederiveError
from ..prose import prose
from ..relations import Equality
from .conventions import python_name
from .intercept import intercept
from .layouts import Module, Parameter
from .printers import IMPLEMENTATIONS, helpers_used
from .targets import TARGETS


@dataclass(frozen=True)
class Generated:
    """A generated module and everything it was printed from."""

    target: str
    code: str
    forms: Forms
    #: the helpers' implementations, verified (an Argument document), or None when the code uses none
    implementations: Argument | None

    @property
    def verified(self) -> bool:
        return self.forms.document.verified and (self.implementations is None or self.implementations.verified)

    @property
    def documents(self) -> list:
        return [self.forms.document] + ([self.implementations] if self.implementations is not None else [])

    @property
    def hessian_line(self) -> str:
        """What the module's Hessian is and why, in one line (the terminal's summary)."""
        from .docstring import hessian_line

        return hessian_line(self.forms)


@dataclass(frozen=True)
class _ImplementationsRecipe:
    name: str
    title: str
    kind: str = "implementations"


def _on(condition, first: bool):
    """Values that put a variable on one side of ``condition`` (z ≤ c: z = c − t, t ≥ 0; otherwise z = c + t,
    t > 0) — the branch's claim is then proved where it is taken; None for a condition of another form."""
    if not isinstance(condition, (sp.LessThan, sp.StrictLessThan)) or not condition.lhs.is_Symbol:
        return None
    var, bound = condition.lhs, condition.rhs
    if first:
        return {var: bound - sp.Symbol("t", nonnegative=True)}
    return {var: bound + sp.Symbol("t", positive=True)}


def implementations(*exprs) -> Argument | None:
    """The helpers ``exprs`` use, each implementation proved equal to the primitive's definition — a piecewise
    one branch by branch, each on its own condition."""
    from ..verification import verify

    used = helpers_used(*exprs)
    if not used:
        return None
    b = StepBuilder()
    for cls in used:
        var, impl = IMPLEMENTATIONS[cls]
        definition = b.add(prose("$%s$", cls(var)), prose("Its definition."), cls.__name__, cls.__name__,
                           cls(var).elementary(), "definition", id="%s-definition" % cls.__name__)
        branches = impl.args if isinstance(impl, sp.Piecewise) else ((impl, sp.true),)
        first = branches[0][1]
        for n, (branch, condition) in enumerate(branches, start=1):
            where = "" if first == sp.true else (" where $%s$" % S.inline(first) if n == 1 else " otherwise")
            side = None if first == sp.true else _on(first, n == 1)
            b.add(prose("$%s$ as computed%s" % ("%s", where), cls(var)),
                  prose("The same function in primitives exact where this branch is taken."), cls.__name__,
                  cls.__name__, branch, "equal", Equality(concrete=side, sample=side is not None),
                  id="%s-branch-%d" % (cls.__name__, n), reference=definition)
    doc = Argument(_ImplementationsRecipe("helpers", "How the helpers of the generated code are computed"),
                   "each implementation proved equal to the definition", b.steps, [])
    return verify(doc)


def _parameters(recipe, f: Forms, exprs) -> tuple:
    """The family's parameters ``exprs`` use, each with the recipe's value as its default — none where the recipe
    gives none or learns it: a required keyword (a silent 1.0 would make a Student-t a Cauchy)."""
    family = f.document.model.family
    used = set().union(*(e.free_symbols for e in exprs))
    return tuple(Parameter(python_name(p.name), p.symbol, None if recipe.parameters.get(p.name) == "learned"
                           else recipe.values.get(p.name), p.meaning)
                 for p in family.params if p.symbol in used)


def generate(spec, target: str) -> Generated:
    """The module for ``target`` (a name in :data:`~.targets.TARGETS`) from a recipe name, path or Recipe."""
    from ..arguments import ArgumentRecipe
    from ..recipe import Recipe, load_recipe
    from .docstring import docstring

    if target not in TARGETS:
        raise CodegenError("--target %s: choose one of %s" % (target, ", ".join(TARGETS)))
    recipe = spec if isinstance(spec, (Recipe, ArgumentRecipe)) else load_recipe(str(spec))
    if isinstance(recipe, ArgumentRecipe):
        raise CodegenError("%s is one of the articles' arguments (kind: %s), not a loss: codegen takes a loss recipe "
                           "such as bernoulli-logit" % (recipe.name, recipe.kind))
    if getattr(recipe, "predicted", None):  # several predicted parameters: η has a column per parameter
        from .several import generate_several

        return generate_several(recipe, target)
    t = TARGETS[target]
    family = recipe.family_obj()
    fixed = [name for name, state in recipe.parameters.items() if state == "learned"] if t.boosting else []
    if fixed:  # a booster learns η alone: what the recipe learns with θ is known here
        from dataclasses import replace

        recipe = replace(recipe, parameters={name: "known" for name in recipe.parameters})
    f, builtin = forms(recipe, boosting=t.boosting), None
    if target == "pytorch":  # the built-in loss where the derivation's is proved equal to it (a step of f's document)
        from .builtin import torch_builtin

        f, builtin = torch_builtin(f)
    ic = intercept(f.document.model) if t.boosting and not family.one_hot else None
    margin_exprs = () if ic is None else tuple(e for e in (ic.margin, ic.estimate) if e is not None)
    params = _parameters(recipe, f, (f.loss, f.grad, f.hess, *margin_exprs))
    metric_params = _parameters(recipe, f, (f.nll,)) if f.nll is not None else ()
    module = Module(docstring(recipe, t, f, params, ic, fixed, metric_params), f, params, ic, family.one_hot,
                    metric_params, family, builtin)
    try:
        code = t.render(module)
    except PrintMethodNotImplementedError as exc:  # a function of a custom density the library does not have
        what = str(exc).split(":")[-1].split("\n")[0].strip()
        raise CodegenError("--target %s: %s has no %s function for %s%s" % (
            target, t.library, what or "printable", recipe.name,
            "" if target == "numpy" else "; try --target numpy")) from None
    compile(code, "<generated>", "exec")  # our own bug, if any, shows here rather than in the user's session
    return Generated(target, code, f, implementations(f.loss, f.grad, f.hess))


__all__ = ["CodegenError", "Generated", "MlederiveError", "TARGETS", "generate", "implementations"]
