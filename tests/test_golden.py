"""Every output of the pinned documents and exams equals its golden file, byte for byte.

The golden files (tests/golden/) hold the terminal at width 100, JSON (with every
step's verification method), LaTeX, Markdown and two exam sets. See
tests/golden_cases.py for what is pinned and how to regenerate after a deliberate change.
"""
import difflib

import pytest
from golden_cases import (
    CODE,
    DOCUMENTS,
    EXAMS,
    GOLDEN,
    render_code,
    render_document,
    render_exam,
)


def _differences(files: dict[str, str]) -> list[str]:
    return [name for name, text in files.items()
            if not (GOLDEN / name).exists() or (GOLDEN / name).read_text(encoding="utf-8") != text]


def _render_twice_if_needed(render):
    """Render; on a mismatch render once more. Budgets count CPU time, so load alone does not change a verdict,
    but a proof that finishes near its budget on one CPU may not on a slower one; a real change of output differs
    both times and still fails."""
    files = render()
    return render() if _differences(files) else files


def _compare(files: dict[str, str]) -> None:
    assert files, "nothing rendered"
    for name, text in files.items():
        path = GOLDEN / name
        assert path.exists(), "no golden file %s: regenerate with python tests/golden_cases.py" % name
        expected = path.read_text(encoding="utf-8")
        if text != expected:
            diff = "".join(difflib.unified_diff(expected.splitlines(True), text.splitlines(True),
                                                "golden/" + name, "now/" + name, n=2))
            pytest.fail("%s differs from its golden file:\n%s" % (name, diff[:6000]))


@pytest.mark.parametrize("name", DOCUMENTS)
def test_document_outputs_match_golden(name):
    _compare(_render_twice_if_needed(lambda: render_document(name)))


@pytest.mark.parametrize("seed, variants, questions", EXAMS)
def test_exam_files_match_golden(seed, variants, questions):
    files = _render_twice_if_needed(lambda: render_exam(seed, variants, questions))
    _compare(files)
    # and no file of the pinned set went missing
    pinned = {p.relative_to(GOLDEN).as_posix() for p in (GOLDEN / ("exam-seed-%s" % seed)).iterdir()}
    assert pinned == set(files)


@pytest.mark.parametrize("spec, target", CODE)
def test_generated_code_matches_golden(spec, target):
    _compare(_render_twice_if_needed(lambda: render_code(spec, target)))
