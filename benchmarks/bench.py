"""Benchmarks for the README (run: python benchmarks/bench.py). Not a test: machines are noisy.

1. Cold start: `mlederive gaussian-identity` as a new process vs `python -c "import sympy"`
   (the floor), interleaved, median of N runs each; reported as a ratio within one run.
2. In-process: each built-in recipe derived and verified, wall time (median of 3).
"""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time

RUNS = int(os.environ.get("BENCH_RUNS", "7"))


def timed(cmd):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def cold_start():
    exe = shutil.which("mlederive") or os.path.join(os.path.dirname(sys.executable), "mlederive")
    floor, ours = [], []
    for _ in range(RUNS):  # interleave so load on the machine hits both alike
        floor.append(timed([sys.executable, "-c", "import sympy"]))
        ours.append(timed([exe, "gaussian-identity"]))
    f, o = statistics.median(floor), statistics.median(ours)
    print("cold start (median of %d): import sympy %.3fs, mlederive gaussian-identity %.3fs, ratio %.2f"
          % (RUNS, f, o, o / f))


def in_process():
    from sympy.core.cache import clear_cache

    from mlederive.pipeline import derive
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


if __name__ == "__main__":
    cold_start()
    in_process()
