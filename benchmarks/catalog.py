"""Benchmark: every allowed family × link pair, and every built-in recipe with several predicted parameters,
derived and verified (run: python benchmarks/catalog.py).

Pairs run in a process pool (one worker per core). Reports the wall time for the
whole catalog, the slowest single step, and any pair that does not verify — twice:
cold (the cache of verified claims off: everything is proved, as the issue measures it)
and warm (a second pass over a cache the first pass filled). A progress bar goes to
stderr when it is a terminal. Not a test: the machine is shared and noisy.
"""
from __future__ import annotations

import os
import sys
import time
from multiprocessing import Pool


def run_pair(pair):
    from mlederive.derivation import derive
    from mlederive.recipe import load_recipe, pair_recipe

    start = time.perf_counter()
    d = derive(pair_recipe("%s-%s" % pair) if pair[1] else load_recipe(pair[0]))
    slowest = max(d.checks, key=lambda c: c.seconds)
    failed = [(s.title, c.detail) for s, c in zip(d.steps, d.checks) if not c.verified]
    methods = sorted({c.method for c in d.checks})
    return pair, time.perf_counter() - start, slowest.seconds, failed, methods


def main():
    from mlederive.families import FAMILIES
    from mlederive.recipe import builtin_names, load_recipe

    pairs = [(f, l) for f, fam in FAMILIES.items() for l in fam.allowed_links()]
    # the recipes with several predicted parameters, as (name, "") entries
    pairs += [(name, "") for name in builtin_names() if getattr(load_recipe(name), "predicted", None)]
    only = sys.argv[1:]
    if only:
        pairs = [p for p in pairs if p[0] in only]
    workers = int(os.environ.get("BENCH_WORKERS", os.cpu_count() or 1))
    import tempfile

    os.environ["MLEDERIVE_CACHE"] = "off"
    run(pairs, workers, "cold, cache off")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["MLEDERIVE_CACHE"] = os.path.join(tmp, "claims.sqlite")
        run(pairs, workers, "filling the cache", quiet=True)
        run(pairs, workers, "warm")


def run(pairs, workers, label, quiet=False):
    from rich.console import Console
    from rich.progress import Progress

    console = Console(stderr=True)
    start = time.perf_counter()
    results = []
    with Pool(workers) as pool, Progress(console=console, transient=True,
                                         disable=not console.is_terminal) as progress:
        task = progress.add_task(label, total=len(pairs))
        for result in pool.imap_unordered(run_pair, pairs):
            results.append(result)
            progress.advance(task)
            if os.environ.get("BENCH_VERBOSE"):
                (f, l), seconds, step_max, failed, methods = result
                progress.console.print("    %-18s %-16s %6.2fs %s%s" % (
                    f, l, seconds, ",".join(methods), " FAILED" if failed else ""), highlight=False)
    if quiet:
        return
    wall = time.perf_counter() - start
    bad = [r for r in results if r[3]]
    for (f, l), seconds, step_max, failed, methods in sorted(results, key=lambda r: -r[1])[:10]:
        print("  %-18s %-16s %6.2fs (slowest step %.2fs) %s" % (f, l, seconds, step_max, ",".join(methods)))
    for (f, l), _, _, failed, _ in bad:
        print("  NOT VERIFIED %s-%s: %s" % (f, l, failed))
    numeric = sum("numeric" in r[4] for r in results)
    print("  with a numeric claim: %s" % (", ".join("-".join(filter(None, r[0])) for r in results if "numeric" in r[4])
                                          or "none"))
    print("catalog (%s cache): %d pairs, %d workers, %.1fs wall; slowest step %.2fs; %d pairs use a numeric check; "
          "%d not verified" % (label, len(results), workers, wall, max(r[2] for r in results), numeric, len(bad)))


if __name__ == "__main__":
    main()
