"""What a reader gets is typeset, never transliterated code: no output of any format — terminal, LaTeX,
Markdown, JSON's human-readable fields, exams and Moodle — holds a ⟨U+…⟩ placeholder, Python syntax (``**``,
``sqrt(``, ``factorial(``) or a Greek letter spelled as a word."""
import io
import json
import re

import pytest
from conftest import code_tokens, without_code
from golden_cases import DOCUMENTS
from rich.console import Console

from mlederive import derive
from mlederive.render.json import render_json
from mlederive.render.latex import render_latex
from mlederive.render.markdown import render_markdown
from mlederive.render.terminal import render_terminal

#: a Greek letter's name as a word (not a LaTeX command, not part of a recipe name, not a library's keyword=)
GREEK_WORD = re.compile(r"(?<![\\A-Za-z-])(alpha|beta|gamma|delta|epsilon|eta|theta|lambda|mu|nu|sigma|tau|phi|"
                        r"rho|omega|yhat|ybar|Phi)(?![A-Za-z=-])")
CODE = ("⟨U+", "sqrt(", "factorial(", "loggamma", "erfinv(")
POWER = re.compile(r"[\w)]\*\*[\w(]")  # x**2 (Markdown's **bold** is not Python)


def problems(text: str) -> list:
    found = [c for c in CODE if c in text] + ["**"] * bool(POWER.search(text))
    return found + ["Greek word %r" % m.group(0) for m in GREEK_WORD.finditer(text)]


def _json_text(d) -> str:
    data = json.loads(render_json(d))
    words = [data.get("title", ""), data.get("loss_name") or "", *data.get("warnings", [])]
    for step in data["steps"]:
        words += [step["title"], step["justification"], step["latex"]]
    for t in data["tables"]:
        words += [t["title"], *t["headers"], *[c for row in t["rows"] for c in row]]
    words += [r["label"] for r in data.get("results", [])]
    return "\n".join(words)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_format_is_typeset(name):
    d = derive(name)
    buffer = io.StringIO()
    render_terminal(d, Console(file=buffer, width=100, color_system=None))
    for fmt, text in (("terminal", buffer.getvalue()), ("latex", render_latex(d)), ("markdown", render_markdown(d)),
                      ("json", _json_text(d))):
        text = without_code(text, code_tokens(d))  # library calls are Python, and typeset as code
        assert not problems(text), (fmt, problems(text))


def test_exam_files_are_typeset(tmp_path):
    from mlederive.exam import build_exam
    from mlederive.render.exam import exam_files, moodle_xml

    exam = build_exam("typeset", 4, 5)
    files = exam_files(exam)
    files["moodle.xml"] = moodle_xml(exam)
    for name, text in files.items():
        assert not problems(text), (name, problems(text))
    # the MLE questions name their estimates with a hat that typesets (λ̂ was a placeholder once)
    tex = "\n".join(t for n, t in files.items() if n.endswith(".tex"))
    assert r"\hat{" in tex and "U+0302" not in tex


def test_the_checks_find_what_they_look_for():
    assert problems("x**2 + sqrt(y)") == ["sqrt(", "**"] and problems("**Setting.** bold") == []
    assert problems(r"$\sigma$ and sigma") == ["Greek word 'sigma'"]
    assert problems("beta-logit, the Beta family, a ⟨U+0302⟩") == ["⟨U+"]
