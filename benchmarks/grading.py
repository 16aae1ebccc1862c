"""Benchmark: grading (run: python benchmarks/grading.py).

One submission of 6 steps graded in-process (the recipe derived once, as a class is graded), two cross-entropy
submissions (decided on the softmax's 2 rows × 3 classes), and a class of 200 submissions — the Gaussian corpus of tests/grading_corpus copied 25 times over, each copy with its own file name —
graded by `mlederive grade DIR/*.md --workers 2` from the command line, the recipe's derivation included. The cache of
verified claims is off: every relation is proved afresh. Not a test: the machine is shared and noisy.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "grading_corpus"


def main():
    os.environ["MLEDERIVE_CACHE"] = "off"  # every relation proved, none looked up (the class's copies too)
    from mlederive.derivation import derive
    from mlederive.grading.grade import grade
    from mlederive.grading.submission import read_submission

    derivation = derive("gaussian-identity")
    lines = read_submission(CORPUS / "gaussian_six_steps.md")
    grade(lines, derivation)  # imports and caches warm, as in a class
    times = []
    for _ in range(5):
        start = time.perf_counter()
        grade(lines, derivation)
        times.append(time.perf_counter() - start)
    print("one submission (%d steps), in-process: median %.2f s" % (len(lines), sorted(times)[2]))
    softmax = derive("categorical-softmax")  # cross-entropy: the relations decided on 2 rows × 3 classes
    for name in ("categorical_lecture_correct.md", "categorical_murphy_correct.md"):
        lines = read_submission(CORPUS / name)
        grade(lines, softmax)
        start = time.perf_counter()
        grade(lines, softmax)
        print("a cross-entropy submission (%s, %d steps), in-process: %.2f s" % (name, len(lines),
                                                                              time.perf_counter() - start))
    sources = sorted(CORPUS.glob("gaussian_*.md"))
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(200):
            shutil.copy(sources[k % len(sources)], Path(tmp) / ("student-%03d.md" % k))
        start = time.perf_counter()
        done = subprocess.run([shutil.which("mlederive") or "mlederive", "grade", *sorted(map(str, Path(tmp).glob("*.md"))),
                               "--recipe", "gaussian-identity", "--format", "csv", "--workers", "2"],
                              capture_output=True, text=True)
        wall = time.perf_counter() - start
    rows = done.stdout.strip().splitlines()[1:]
    print("a class of 200 submissions, 2 workers, from the command line: %.1f s (%d rows, exit %d)"
          % (wall, len(rows), done.returncode))


if __name__ == "__main__":
    main()
