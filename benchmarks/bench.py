"""Benchmarks for the README (run: python benchmarks/bench.py). Not a test: machines are noisy.

Every measurement runs with the cache of verified claims off (MLEDERIVE_CACHE=off), so each run
proves everything; the cold start is measured a second time with a warm cache.

1. Cold start: `mlederive gaussian-identity` as a new process vs `python -c "import sympy"`
   (the issue's floor) and vs FLOOR_SCRIPT, the smallest SymPy program that does the same
   kind of work (build the Gaussian log-density, differentiate, pretty-print: SymPy loads
   more of itself lazily on the first sum and the first printed product). Interleaved,
   median of N runs each; reported as ratios within one run.
2. In-process: each built-in recipe derived and verified, wall time (median of 3).
3. Exam: `mlederive exam --seed S --variants 30 --questions 4 -o DIR` as a new process
   (LaTeX, Markdown and key; no --pdf), median of 3 seeds.
"""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time

RUNS = int(os.environ.get("BENCH_RUNS", "7"))
os.environ["MLEDERIVE_CACHE"] = "off"


def timed(cmd):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


FLOOR_SCRIPT = """
import sympy as sp
y, m = sp.symbols("y mu", real=True)
s = sp.Symbol("sigma", positive=True)
p = sp.exp(-(y - m)**2 / (2*s**2)) / (sp.sqrt(2*sp.pi)*s)
l = sp.expand_log(sp.log(p), force=True)
print(sp.pretty(l)); print(sp.pretty(sp.diff(-l, m)))
"""


def cold_start():
    exe = shutil.which("mlederive") or os.path.join(os.path.dirname(sys.executable), "mlederive")
    imports, script, ours = [], [], []
    for _ in range(RUNS):  # interleave so load on the machine hits all alike
        imports.append(timed([sys.executable, "-c", "import sympy"]))
        script.append(timed([sys.executable, "-c", FLOOR_SCRIPT]))
        ours.append(timed([exe, "gaussian-identity"]))
    f, s, o = (statistics.median(x) for x in (imports, script, ours))
    print("cold start (median of %d): import sympy %.3fs, minimal SymPy script %.3fs (%.2fx), "
          "mlederive gaussian-identity %.3fs (%.2fx import sympy, %.2fx minimal script)"
          % (RUNS, f, s, s / f, o, o / f, o / s))
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["MLEDERIVE_CACHE"] = os.path.join(tmp, "claims.sqlite")
        timed([exe, "gaussian-identity"])  # fill the cache
        warm, imports = [], []
        for _ in range(RUNS):
            imports.append(timed([sys.executable, "-c", "import sympy"]))
            warm.append(timed([exe, "gaussian-identity"]))
        os.environ["MLEDERIVE_CACHE"] = "off"
    f, w = statistics.median(imports), statistics.median(warm)
    print("  with a warm cache of verified claims: %.3fs (%.2fx import sympy)" % (w, w / f))


def in_process():
    from sympy.core.cache import clear_cache

    from mlederive.derivation import derive
    from mlederive.recipe import builtin_names, load_recipe

    print("in-process derive + verify (SymPy cache cleared before each run; median of 3):")
    for name in builtin_names():
        recipe = load_recipe(name)
        times = []
        for _ in range(3):
            clear_cache()
            start = time.perf_counter()
            d = derive(recipe)
            times.append(time.perf_counter() - start)
            assert d.verified, name
        print("  %-34s %.2fs" % (name, statistics.median(times)))


def exam():
    import tempfile

    exe = shutil.which("mlederive") or os.path.join(os.path.dirname(sys.executable), "mlederive")
    times = []
    for seed in range(3):
        with tempfile.TemporaryDirectory() as tmp:
            times.append(timed([exe, "exam", "--seed", str(seed), "--variants", "30", "--questions", "4",
                                "-o", os.path.join(tmp, "exam")]))
    print("exam, 30 variants x 4 questions, .tex + .md + key.csv (median of 3 seeds): %.1fs"
          % statistics.median(times))


if __name__ == "__main__":
    which = sys.argv[1:] or ["cold", "in-process", "exam"]
    if "cold" in which:
        cold_start()
    if "in-process" in which:
        in_process()
    if "exam" in which:
        exam()
