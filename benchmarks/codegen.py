"""Benchmark: generated code for the whole catalog (run: python benchmarks/codegen.py).

1. Time: every allowed family × link pair generated for every target (155 × 5 modules, the categorical's
   boosting objectives multi-class), each derivation and its code steps verified,
   with the cache of verified claims off, in a process pool (one worker per core).
2. Stability: each pair's NumPy loss, gradient and Hessian at far-out margins (η = ±5, ±40, ±800 where the link
   takes them, y at two points of the support) against a 1000-digit mpmath evaluation of the derivation's own
   formula — and, for comparison, the naive formula (the derivation's expressions printed by SymPy's NumPy
   printer as they stand). A value counts as right when it is within 1e-6 relative (plus 1e-15 absolute: σ(40) − 1
   is 0.0 in float64, −4·10⁻¹⁸ exactly) of the reference, or both overflow float64 the same way.

Not a test: the machine is shared and noisy; the README reports one dated run.
"""
from __future__ import annotations

import os
import time
from collections import Counter
from multiprocessing import Pool

TARGETS = ("numpy", "jax", "pytorch", "xgboost", "lightgbm")
SAMPLE_Y = {"binary": (0.0, 1.0), "counts": (0.0, 3.0), "positive": (0.5, 3.0), "real": (-1.0, 2.0),
            "unit": (0.2, 0.7)}
ETAS = (-800.0, -40.0, -5.0, 5.0, 40.0, 800.0)


def generate_pair(spec):
    from mlederive.codegen import generate

    out, start = [], time.perf_counter()
    for target in TARGETS:
        t = time.perf_counter()
        g = generate(spec, target)
        numeric = any(c.method.value == "numeric" for doc in (g.forms.document, g.implementations) if doc is not None
                      for c in (doc.checks or ()))
        out.append((target, time.perf_counter() - t, g.verified, g.forms.hess_kind, numeric))
    return spec, time.perf_counter() - start, out


def _support(family) -> str:
    import sympy as sp

    if family.support == sp.FiniteSet(0, 1):
        return "binary"
    if family.support == sp.S.Naturals0:
        return "counts"
    if family.support.is_subset(sp.Interval(0, 1)):
        return "unit"
    return "positive" if family.support.is_subset(sp.Interval(0, sp.oo)) else "real"


def _inside(region, value) -> bool:
    """``value`` (an mpmath number) in ``region`` (an interval, or the whole line), compared at full precision."""
    import mpmath
    import sympy as sp

    if not isinstance(region, sp.Interval):
        return True
    lo, hi = (mpmath.mpf(str(sp.N(v))) if v.is_finite else (mpmath.inf if v > 0 else -mpmath.inf)
              for v in (region.start, region.end))
    return (value > lo if region.left_open else value >= lo) and (value < hi if region.right_open else value <= hi)


def _right(value, truth) -> bool:
    import math

    if isinstance(truth, complex) or math.isnan(truth):
        return False
    if math.isinf(truth) or abs(truth) > 1.7e308:
        return math.isinf(value) and (value > 0) == (truth > 0)
    if abs(truth) < 1e-300:  # below what float64 holds: 0 or a subnormal is right
        return abs(value) < 1e-290
    return math.isfinite(value) and abs(value - truth) <= 1e-6 * abs(truth) + 1e-15


def stability_pair(spec):
    """(points, right generated, right naive) for loss, grad and hess together, at the far-out points."""
    import warnings

    import mpmath
    import numpy as np
    import sympy as sp
    from sympy.printing.numpy import SciPyPrinter  # noqa: F401  (lambdify's scipy module)

    from mlederive import symbolic as S
    from mlederive.codegen import generate

    warnings.simplefilter("ignore")
    g = generate(spec, "numpy")
    namespace = {}
    exec(compile(g.code, spec, "exec"), namespace)
    d = g.forms.document
    model = d.model
    e, t = sp.Symbol("eta_", real=True), sp.Symbol("y_", real=True)
    params = {s: 1.0 for s in model.params.values()}
    # the derivation's own forms (no stable primitive in them): the reference is independent of the code
    hessian = d.fisher_obs if g.forms.hess_kind == "fisher" else d.curvature_obs
    exprs = (d.loss_summand, d.grad_eta_obs, hessian if hessian is not None else sp.S.One)

    def plain(expr):
        return S.expand_functions(expr).xreplace({S.eta[S.i]: e, S.y[S.i]: t, **params})

    naive = [sp.lambdify([e, t], plain(x), ["scipy", "numpy"]) for x in exprs]
    exact = [sp.lambdify([e, t], plain(x), "mpmath") for x in exprs]
    ours = [namespace["loss"], namespace["grad"], namespace["hess"]]
    tally = Counter()
    mu = sp.Symbol("mu", real=True)
    inverse = sp.lambdify(mu, S.expand_functions(model.link.inverse(mu)), "mpmath")
    for eta in ETAS:
        if not model.link.eta_domain.contains(eta):
            continue
        with mpmath.workdps(1000):  # Φ(40) = 1 − 10⁻³⁴⁹ is inside (0, 1): it takes the digits to see it
            try:
                if not _inside(model.family.mean_domain, inverse(mpmath.mpf(eta))):
                    continue
            except (ValueError, ZeroDivisionError):
                continue
        for y in SAMPLE_Y[_support(model.family)]:
            for n, (mine, bare, truth) in enumerate(zip(ours, naive, exact)):
                if n == 2 and g.forms.hess_kind == "surrogate":
                    continue
                with mpmath.workdps(1000):
                    try:
                        ref = truth(mpmath.mpf(eta), mpmath.mpf(y))
                        ref = float(ref) if mpmath.im(ref) == 0 else complex(ref)
                    except (ValueError, ZeroDivisionError, OverflowError):
                        continue
                tally["points"] += 1
                tally["ours"] += _right(float(np.asarray(mine(np.array([eta]), np.array([y])))[0]), ref)
                try:
                    tally["naive"] += _right(float(np.asarray(bare(np.float64(eta), np.float64(y)))), ref)
                except (ValueError, ZeroDivisionError, OverflowError, TypeError):
                    pass
    return spec, tally


def main():
    from mlederive.recipe import pair_names

    os.environ["MLEDERIVE_CACHE"] = "off"
    scalar = [p for p in pair_names() if not p.startswith("categorical")]  # softmax at ±1000: tests/test_codegen.py
    specs = pair_names()
    workers = int(os.environ.get("BENCH_WORKERS", os.cpu_count() or 1))
    start = time.perf_counter()
    with Pool(workers) as pool:
        results = pool.map(generate_pair, specs, chunksize=1)
    wall = time.perf_counter() - start
    modules = sum(len(r[2]) for r in results)
    unverified = [(s, t) for s, _, out in results for t, _, ok, _, _ in out if not ok]
    numeric = sorted({s for s, _, out in results for *_, uses in out if uses})
    slowest = max(results, key=lambda r: r[1])
    kinds = Counter(kind for _, _, out in results for t, _, _, kind, _ in out if t == "numpy")
    boosting = Counter(kind for _, _, out in results for t, _, _, kind, _ in out if t == "xgboost")
    print("codegen: %d modules for %d pairs in %.1f s wall (%d workers, cache off); slowest pair %s %.2f s; "
          "unverified: %s; pairs with a numeric check in their code's documents: %s"
          % (modules, len(specs), wall, workers, slowest[0], slowest[1], unverified or "none", numeric or "none"))
    print("  Hessians of the NumPy code: %s" % dict(kinds))
    print("  Hessians of the boosting objectives: %s" % dict(boosting))
    start = time.perf_counter()
    with Pool(workers) as pool:
        tallies = pool.map(stability_pair, scalar, chunksize=1)
    total = sum((t for _, t in tallies), Counter())
    worse = sorted(s for s, t in tallies if t["ours"] < t["points"])
    print("stability: %d far-out values (loss, gradient, Hessian) over %d pairs: generated code right at %d, the "
          "naive formula at %d (%.1f s)" % (total["points"], len(scalar), total["ours"], total["naive"],
                                           time.perf_counter() - start))
    print("  pairs where the generated code is not right at every far-out point: %s" % (", ".join(worse) or "none"))


if __name__ == "__main__":
    main()
