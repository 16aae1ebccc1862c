"""The documents whose every output is pinned byte for byte under tests/golden/.

Each case is derived once and rendered in every format a user gets: the terminal at
width 100 with no colour, JSON, LaTeX, Markdown and HTML; and two exam sets (every file
``mlederive exam`` writes, Moodle XML included). The golden files were recorded
before the redesign of the engine's inside (issue 10); a change to any of them is
deliberate and goes into a commit of its own.

Regenerate (only after a deliberate change of output):

    python tests/golden_cases.py            # writes tests/golden/
    python tests/golden_cases.py NAME ...   # only these cases (code-SPEC-TARGET for a generated module)
"""
from __future__ import annotations

import io
import os
import sys
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"

BUILTINS = [
    "gaussian-identity", "gaussian-identity-learned-sigma", "bernoulli-logit", "categorical-softmax",
    "laplace-identity", "poisson-log", "ridge-regression", "lasso-regression",
    "rayleigh-log", "poisson-smooth-relu",
    "sigmoid-mse-vs-bce", "kl-mle-equivalence", "kl-coin", "log-underflow",
]

#: 23 family-link pairs: every family and every link at least once (softmax through categorical-softmax)
PAIRS = [
    "bernoulli-probit", "bernoulli-cloglog", "beta-cauchit", "bernoulli-loglog", "binomial-logit",
    "poisson-identity", "poisson-sqrt", "poisson-softplus", "exponential-inverse", "gamma-log",
    "gamma-inverse", "inverse-gaussian-inverse-squared", "negative-binomial-log", "beta-logit",
    "gaussian-log", "student-t-identity", "log-normal-identity", "geometric-log", "weibull-log",
    "poisson-cloglog",
    # once left out because their display or verification method depended on timing (fixed)
    "bernoulli-cauchit", "laplace-log", "laplace-inverse-squared",
]

DOCUMENTS = BUILTINS + PAIRS

#: (seed, variants, questions) of the pinned exam sets
EXAMS = [("1", 2, 5), ("2026", 3, 4)]

#: generated modules pinned byte for byte (mlederive codegen): every target, every kind of Hessian and helper
CODE = [("bernoulli-probit", "numpy"), ("bernoulli-cloglog", "jax"), ("bernoulli-logit", "pytorch"),
        ("negative-binomial-log", "xgboost"), ("laplace-identity", "lightgbm"), ("categorical-softmax", "xgboost"),
        ("student-t-identity", "numpy"), ("weibull-log", "lightgbm")]


def _terminal(doc) -> str:
    from rich.console import Console

    from mlederive.render.terminal import render_terminal

    buffer = io.StringIO()
    console = Console(file=buffer, width=100, no_color=True, highlight=False, force_terminal=False,
                      color_system=None, legacy_windows=False, _environ={})
    render_terminal(doc, console)
    return buffer.getvalue()


def render_document(name: str) -> dict[str, str]:
    """Every output of one derived (and verified) document: file name → text."""
    from mlederive import derive
    from mlederive.render.html import render_html
    from mlederive.render.json import render_json
    from mlederive.render.latex import render_latex
    from mlederive.render.markdown import render_markdown

    doc = derive(name)
    return {
        "%s.terminal.txt" % name: _terminal(doc),
        "%s.json" % name: render_json(doc) + "\n",
        "%s.tex" % name: render_latex(doc),
        "%s.md" % name: render_markdown(doc),
        "%s.html" % name: render_html(doc),
    }


def render_exam(seed: str, variants: int, questions: int) -> dict[str, str]:
    from mlederive.exam import build_exam
    from mlederive.render.exam import exam_files, moodle_xml

    exam = build_exam(seed, variants, questions)
    files = exam_files(exam)
    files["moodle.xml"] = moodle_xml(exam)
    return {"exam-seed-%s/%s" % (seed, name): text for name, text in files.items()}


def render_code(spec: str, target: str) -> dict[str, str]:
    from mlederive.codegen import generate

    return {"code/%s.%s.py" % (spec, target): generate(spec, target).code}


def exam_case(seed: str):
    return next(case for case in EXAMS if case[0] == seed)


def write(files: dict[str, str]) -> None:
    for name, text in files.items():
        path = GOLDEN / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def main(argv):
    os.environ["MLEDERIVE_CACHE"] = "off"
    names = argv or DOCUMENTS + ["exam-%s" % seed for seed, _, _ in EXAMS] + ["code-%s-%s" % c for c in CODE]
    for name in names:
        if name.startswith("code-"):
            write(render_code(*next(c for c in CODE if "code-%s-%s" % c == name)))
        elif name.startswith("exam-"):
            write(render_exam(*exam_case(name[len("exam-"):])))
        else:
            write(render_document(name))
        print("wrote", name, file=sys.stderr)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent.parent))
    main(sys.argv[1:])
