"""Shared by the codegen tests: generated modules loaded as a user would, points of a model's domain, and an
independent 50-digit reference for a loss (SymPy/mpmath on the derivation's own formula, not on the code)."""
from __future__ import annotations

import ast
import functools
import random
import types

import sympy as sp

from mlederive import symbolic as S
from mlederive.codegen import generate

ALLOWED_IMPORTS = {"numpy", "scipy.special", "math", "torch", "jax", "jax.numpy", "jax.scipy.special"}


@functools.lru_cache(maxsize=None)
def generated(spec: str, target: str):
    return generate(spec, target)


def load(code: str, name: str = "generated_loss") -> types.ModuleType:
    """The module's text executed as a module of its own (what `import` of the written file does)."""
    module = types.ModuleType(name)
    exec(compile(code, name + ".py", "exec"), module.__dict__)
    return module


@functools.lru_cache(maxsize=None)
def module_for(spec: str, target: str) -> types.ModuleType:
    return load(generated(spec, target).code, "%s_%s" % (spec.replace("-", "_"), target))


def imports_of(code: str) -> set:
    names = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add(node.module)
    return names


def domain_points(model, count: int, seed: int = 0) -> list[tuple[float, float]]:
    """(η, y) pairs from the middle of the model's domain: μ from the mean domains, η = g(μ), y from the support."""
    rng = random.Random(seed)
    mu_sym = sp.Symbol("mu", real=True)
    g = sp.lambdify(mu_sym, model.link(mu_sym), "mpmath")
    out = []
    while len(out) < count:
        mu = model.family.sample_mean(rng)
        if not (model.link.mean_domain.contains(mu) is sp.true):
            continue
        eta = float(g(mu))
        y = float(model.family.sample_y(rng))
        support = model.family.support
        if support.free_symbols:  # an end that is a parameter (the Tobit's c): its open value, every third row on it
            low = float(support.inf.subs({s: OPEN_VALUES.get(s.name, 1.0) for s in support.free_symbols}))
            y = low if len(out) % 3 == 0 else max(y, low + abs(y))
        out.append((eta, y))
    return out


def reference(expr: sp.Expr, eta: float, y: float, params: dict | None = None, digits: int = 1000):
    """``expr`` (one observation, in y_i and η_i) at the point: the derivation's formula written out in elementary
    functions and evaluated by mpmath with ``digits`` digits — enough that 1 − Φ(40) ≈ 10⁻³⁴⁹ and 1 − σ(800)
    survive the cancellation; independent of the generated code and of its stable primitives."""
    import mpmath

    e, t = sp.Symbol("eta_", real=True), sp.Symbol("y_", real=True)
    names = sorted(params or {}, key=str)
    plain = S.expand_functions(expr).xreplace({S.eta[S.i]: e, S.y[S.i]: t})
    f = sp.lambdify([e, t] + names, plain, "mpmath")
    with mpmath.workdps(digits):
        value = f(mpmath.mpf(float(eta)), mpmath.mpf(float(y)), *[mpmath.mpf(params[p]) for p in names])
        return float(value) if mpmath.im(value) == 0 else complex(value)


def _required_keywords(function) -> list[str]:
    import inspect

    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return []
    return [p.name for p in parameters if p.kind is p.KEYWORD_ONLY and p.default is p.empty]


#: the value these tests give a parameter the recipe leaves open: 1.0, inside each one's domain (π < 1); the Tobit's c 0
OPEN_VALUES = {"pi": 0.3, "tau": 0.3, "p": 1.5, "c": 0.0}  # inside their intervals (0, 1), (0, 1), (1, 2); c any


@functools.lru_cache(maxsize=None)
def bound_module(spec: str, target: str) -> types.SimpleNamespace:
    """The module with every parameter the recipe leaves open given a value (OPEN_VALUES, else 1.0), and
    ``objective``/``metric`` made with them where the module cannot offer them ready-made. Tests of the calling
    conventions use the module itself (module_for)."""
    module = module_for(spec, target)
    out = {}
    for name, item in vars(module).items():
        required = _required_keywords(item) if callable(item) and not isinstance(item, type) else []
        out[name] = functools.partial(item, **{k: OPEN_VALUES.get(k, 1.0) for k in required}) if required else item
    for made in ("objective", "metric"):
        if made not in out and "make_" + made in out:
            out[made] = out["make_" + made]()
    return types.SimpleNamespace(**out)
