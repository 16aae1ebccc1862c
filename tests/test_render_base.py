"""The renderer base: blocks dispatch by class along the MRO, and every renderer covers every kind of block."""
from __future__ import annotations

import dataclasses

import pytest

from mlederive import questions as Q
from mlederive.derivation import derive
from mlederive.render import base
from mlederive.render.exam import ExamLatex, ExamMarkdown, MoodleHtml
from mlederive.render.html import HtmlRenderer
from mlederive.render.latex import LatexRenderer
from mlederive.render.markdown import MarkdownRenderer
from mlederive.render.terminal import TerminalRenderer


class _Shout(base.Renderer):
    def _render_Setting(self, block):
        return block.text.upper()

    def _render_Caution(self, block):
        return None


@dataclasses.dataclass(frozen=True)
class _LoudSetting(base.Setting):
    pass


def test_dispatch_follows_the_class_hierarchy_and_skips_none():
    r = _Shout()
    assert r.render(base.Setting("gaussian")) == "GAUSSIAN"
    assert r.render(_LoudSetting("subclass")) == "SUBCLASS"  # the nearest class along the MRO
    assert r.render_all([base.Caution("x"), base.Setting("y")]) == ["Y"]


def test_an_unknown_block_is_a_type_error_not_silence():
    with pytest.raises(TypeError, match="_Shout cannot render a ResultsHeading"):
        _Shout().render(base.ResultsHeading())


def test_document_blocks_are_in_reading_order():
    d = derive("gaussian-identity")
    kinds = [type(b).__name__ for b in base.document_blocks(d)]
    assert kinds[0] == "Setting" and kinds[-1] == "Summary"
    assert kinds.count("NumberedStep") == len(d.steps)
    assert kinds.index("ResultsHeading") == kinds.index("NumberedStep") + len(d.steps)
    assert [b.number for b in base.document_blocks(d) if isinstance(b, base.NumberedStep)] == \
        list(range(1, len(d.steps) + 1))


DOCUMENT_BLOCKS = (base.Description, base.Setting, base.Caution, base.NumberedStep, base.ResultsHeading,
                   base.Result, base.Table, base.Summary)
EXAM_BLOCKS = (Q.Para, Q.Display, Q.Choices, Q.Worked, Q.Checks)


@pytest.mark.parametrize("renderer", [HtmlRenderer, LatexRenderer, MarkdownRenderer, TerminalRenderer])
def test_every_document_renderer_has_a_method_for_every_block(renderer):
    assert [k.__name__ for k in DOCUMENT_BLOCKS if not hasattr(renderer, "_render_" + k.__name__)] == []


@pytest.mark.parametrize("renderer", [ExamLatex, ExamMarkdown, MoodleHtml])
def test_every_exam_renderer_has_a_method_for_every_block(renderer):
    assert [k.__name__ for k in EXAM_BLOCKS if not hasattr(renderer, "_render_" + k.__name__)] == []


def test_an_unverified_derivation_shows_every_step_and_says_it_is_not_verified():
    from rich.console import Console

    from mlederive.render.latex import render_latex
    from mlederive.render.markdown import render_markdown

    d = derive("gaussian-identity", verify_steps=False)
    console = Console(width=100, record=True, color_system=None)
    console.print(d)
    for text in (render_latex(d), render_markdown(d), console.export_text()):
        assert "Step %d" % len(d.steps) in text
        assert "%d steps derived, not verified" % len(d.steps) in text
        assert "verified, symbolic" not in text
