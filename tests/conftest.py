import functools
import os

# Every test run proves everything afresh: no outcomes from an earlier run (mlederive.cache).
os.environ["MLEDERIVE_CACHE"] = "off"

import pytest  # noqa: E402
import sympy as sp

from mlederive import derive
from mlederive import symbolic as S

BUILTINS = [
    "gaussian-identity",
    "gaussian-identity-learned-sigma",
    "bernoulli-logit",
    "categorical-softmax",
    "laplace-identity",
    "poisson-log",
    "ridge-regression",
    "lasso-regression",
]

#: built-in examples of a user-defined family and a user-defined link
CUSTOM = ["rayleigh-log", "poisson-smooth-relu"]

#: built-in recipes with several predicted parameters (distributional regression)
DISTRIBUTIONAL = ["heteroscedastic-gaussian", "student-t-location-scale", "laplace-location-scale", "gamma-mean-shape",
                  "beta-mean-precision", "negative-binomial-mean-dispersion", "zero-inflated-poisson"]

#: built-in recipes whose law lies outside the exponential-dispersion table: heavy tails, angles, quantiles
BEYOND = ["cauchy-identity", "von-mises", "quantile-regression", "huber-regression", "tweedie-log", "tobit"]

#: built-in recipes of the articles' other arguments (kind: …)
ARGUMENTS = ["sigmoid-mse-vs-bce", "kl-mle-equivalence", "kl-coin", "log-underflow", "focal-loss", "label-smoothing",
             "loss-verdict", "multilabel-bernoulli", "ordinal-logit"]


@functools.lru_cache(maxsize=None)
def derived(name):
    """Each built-in recipe derived and verified once per test session."""
    return derive(name)


@pytest.fixture(params=BUILTINS)
def builtin(request):
    return derived(request.param)


def unrolled_equal(a, b, size=4, classes=3):
    """Independent of the verifier: write sums out for a concrete n (and K) and simplify."""
    subs = {S.n: size, S.K: classes}
    diff = (a - b).subs(subs).doit()
    diff = S.expand_functions(diff)
    return sp.simplify(sp.expand_log(diff, force=True)) == 0


def pdflatex_or_skip():
    """Real pdflatex. CI sets MLEDERIVE_REQUIRE_PDFLATEX=1, where a missing pdflatex is a failure."""
    import os
    import shutil

    exe = shutil.which("pdflatex")
    if exe is None:
        if os.environ.get("MLEDERIVE_REQUIRE_PDFLATEX"):
            pytest.fail("pdflatex is required (MLEDERIVE_REQUIRE_PDFLATEX is set) but not on PATH")
        pytest.skip("pdflatex not installed (.ci/run installs it)")
    return exe


def compile_tex(path):
    """Compile with pdflatex; return the log text. Fails the test on any LaTeX error."""
    import subprocess

    exe = pdflatex_or_skip()
    proc = subprocess.run([exe, "-interaction=nonstopmode", "-halt-on-error", path.name], cwd=path.parent,
                          capture_output=True, timeout=180)
    log = path.with_suffix(".log").read_text(errors="replace")
    assert proc.returncode == 0, "pdflatex failed on %s:\n%s" % (path.name, log[-3000:])
    assert path.with_suffix(".pdf").stat().st_size > 1000
    return log


def chromium_or_skip():
    """Real headless Chromium (Debian's chromium). CI sets MLEDERIVE_REQUIRE_CHROMIUM=1: missing is a failure."""
    import os
    import shutil

    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        if os.environ.get("MLEDERIVE_REQUIRE_CHROMIUM"):
            pytest.fail("chromium is required (MLEDERIVE_REQUIRE_CHROMIUM is set) but not on PATH")
        pytest.skip("chromium not installed (.ci/run installs it)")
    return exe


def run_chromium(tmp_path, *args, timeout=120):
    """Headless Chromium with the closed network of this machine in mind; returns the completed process."""
    import subprocess

    exe = chromium_or_skip()
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--hide-scrollbars", "--user-data-dir=%s" % (tmp_path / "chromium-profile")]
    return subprocess.run([exe, *flags, *args], capture_output=True, text=True, timeout=timeout)


def pages_as_png(pdf, directory, resolution=60):
    """Every page of a PDF as a PNG with poppler's pdftoppm (what a reader sees), and the PDF's text (pdftotext)."""
    import shutil
    import subprocess

    if shutil.which("pdftoppm") is None:
        if os.environ.get("MLEDERIVE_REQUIRE_PDFLATEX"):
            pytest.fail("pdftoppm (poppler-utils) is required on CI")
        pytest.skip("poppler-utils not installed (.ci/run installs it)")
    subprocess.run(["pdftoppm", "-png", "-r", str(resolution), str(pdf), str(directory / pdf.stem)], check=True,
                   timeout=120)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return sorted(directory.glob(pdf.stem + "*.png")), text


def code_tokens(doc) -> set:
    """Every whitespace-separated piece of the document's code runs (library calls: Python, where `**` and
    `sigma` belong), so that checks for Python syntax in the typeset text can leave code alone."""
    from mlederive.prose import Code, Prose

    def runs(value):
        if isinstance(value, Prose):
            yield from value.runs
        elif isinstance(value, (tuple, list)):
            for v in value:
                yield from runs(v)

    pieces = []
    for step in doc.steps:
        pieces += [step.title, step.justification, *step.notes]
    for table in getattr(doc, "tables", []):
        pieces += [table.title, *table.headers, *[cell for row in table.rows for cell in row]]
    pieces += list(getattr(doc, "warnings", []))
    return {token for run in runs(pieces) if isinstance(run, Code) for token in run.text.split()}


def without_code(text: str, tokens: set) -> str:
    """``text`` with every whitespace-separated token that is (part of) a code run removed (a wrapped call
    breaks at its spaces, so it is matched piece by piece)."""
    import re

    text = re.sub(r"<code>.*?</code>", " ", text, flags=re.S)  # HTML
    text = re.sub(r"\\texttt\{(?:[^{}]|\{[^{}]*\})*\}", " ", text)  # LaTeX
    text = re.sub(r"`[^`\n]+`", " ", text)  # Markdown
    def is_code(t):
        t = t.strip()
        return bool(t) and (t in tokens or t.strip("()[],.;:") in tokens)

    return " ".join(t for t in text.split(" ") if not is_code(t))
