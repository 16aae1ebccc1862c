"""Terminal rendering at fixed widths, with and without colour."""
import io

import pytest
from conftest import derived
from rich.cells import cell_len  # ŷ is y + a combining hat: one cell, two characters
from rich.console import Console

from mlederive import derive
from mlederive.render.terminal import render_terminal


def render(d, width, **kw):
    buf = io.StringIO()
    render_terminal(d, Console(file=buf, width=width, **kw))
    return buf.getvalue()


def test_narrow_terminal_stays_within_width():
    out = render(derived("categorical-softmax"), 60, color_system=None)
    assert max(cell_len(line) for line in out.splitlines()) <= 60
    assert "Step 10" in out and "cross-entropy" in out


def test_no_color_means_no_escape_codes(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    out = render(derived("bernoulli-logit"), 100, force_terminal=True)
    import re

    assert not re.search(r"\x1b\[(?:\d+;)*(?:3[0-8]|9[0-7])(?:;|m)", out)  # no foreground colours (italic is fine)
    assert "✓" in out


def test_colour_when_allowed():
    out = render(derived("bernoulli-logit"), 100, force_terminal=True, color_system="standard")
    assert "\x1b[" in out


def test_steps_are_numbered_with_relation_and_method():
    out = render(derived("gaussian-identity"), 100, color_system=None)
    for number in range(1, 11):
        assert "Step %d " % number in out
    assert "equal up to a θ-free constant" in out and "verified, symbolic" in out
    assert "do not move the argmax: −n·log σ and −(n/2)·log(2π)." in " ".join(out.split())  # the dropped terms


def test_json_steps_have_stable_ids_and_observation_has_curvature_and_fisher():
    import json

    import sympy as sp

    from mlederive import symbolic as S
    from mlederive.render.json import render_json

    for name in ("poisson-log", "bernoulli-logit", "gaussian-identity"):
        d = derived(name)
        out = json.loads(render_json(d))
        ids = [s["id"] for s in out["steps"]]
        assert len(set(ids)) == len(ids)
        assert {"model", "density", "likelihood", "log-likelihood", "expanded", "drop-constants", "negate",
                "grad-eta", "curvature", "fisher", "grad-theta"} <= set(ids)
        assert out["observation"]["d2loss_deta2"] and out["observation"]["fisher"]
        eta = d.model.eta_obs()
        assert sp.simplify(S.expand_functions(d.curvature_obs - sp.diff(d.grad_eta_obs, eta))) == 0
        assert sp.simplify(S.expand_functions(d.fisher_obs - d.curvature_obs.subs(d.model.y_obs(), d.model.mean()))) == 0
    cat = json.loads(render_json(derived("categorical-softmax")))
    assert cat["observation"]["d2loss_deta2"] is None  # a K × K Hessian: not given per component


def test_console_print_renders_as_the_cli_at_the_console_width():
    d = derived("poisson-log")
    for width in (60, 100):
        printed, cli = io.StringIO(), io.StringIO()
        Console(file=printed, width=width, color_system=None).print(d)
        render_terminal(d, Console(file=cli, width=width, color_system=None, highlight=False))
        assert printed.getvalue() == cli.getvalue()
        assert max(cell_len(line) for line in printed.getvalue().splitlines()) <= width


def _words(text: str) -> list:
    return [w for w in text.replace("\n", " ").split() if w]


@pytest.mark.parametrize("width", [60, 72, 80])
@pytest.mark.parametrize("name", ["categorical-softmax", "bernoulli-probit", "ridge-regression", "lasso-regression",
                                  "beta-logit", "sigmoid-mse-vs-bce", "log-underflow", "poisson-smooth-relu"])
def test_nothing_is_cut_off_at_any_width_from_60(name, width):
    """Every line fits; every word of every justification is on the screen (categorical-softmax's step 9 once lost
    its last 'yₖ' at 80 columns); the long equations the issue names break at their terms, not into ↪ blocks."""
    from rich.cells import cell_len

    from mlederive.render.common import plain_text

    d = derive(name, verify_steps=False)
    text = render(d, width, color_system=None)
    assert max(cell_len(line) for line in text.splitlines()) <= width
    screen = " ".join(_words(text))
    for step in d.steps:
        for word in _words(plain_text(step.justification)):
            assert word in screen, (name, step.id, word)
    if width == 80 and name in ("categorical-softmax", "bernoulli-probit", "ridge-regression", "lasso-regression"):
        assert "↪" not in text, name


def test_a_long_sum_breaks_at_its_terms_and_each_row_is_the_same_value():
    """ridge's step 15 at 80 columns: the data term, the prior's constant and its penalty on rows of their own."""
    d = derive("ridge-regression", verify_steps=False)
    text = render(d, 80, color_system=None)
    step = text[text.index("Step 15"):text.index("Step 16")]
    assert step.count("=") >= 1 and "+ " in step and "↪" not in step
    rows = [line for line in step.splitlines() if "╲" in line or "‾" in line]
    assert len(rows) >= 4  # two Σ signs, on rows of their own


def test_terminal_has_no_raw_tex():
    for name in ("log-underflow", "sigmoid-mse-vs-bce", "categorical-softmax", "kl-mle-equivalence"):
        text = render(derive(name), 100, color_system=None)
        for tex in ("^{", "_{", "\\"):
            assert tex not in text, (name, tex)
        # a subscript unicode cannot lower (K) is written with _ — and then every subscript of its formula is
        assert not ("μ_iK" in text and "μᵢ₁" in text), name


def test_the_json_renderer_reads_the_stable_forms_the_derivation_computed(monkeypatch):
    # renderers only render: observation.stable comes from Derivation.implementation (derived once, with the
    # derivation), and rendering computes nothing more — a second derivation would fail here
    import json

    import mlederive.derivation.implementation as implementation
    from mlederive.render.json import render_json

    d = derive("poisson-log")
    forms = d.implementation
    assert forms.document.verified and forms.hess_kind == "curvature"

    def no_more(*args, **kwargs):
        raise AssertionError("the renderer derived something")

    monkeypatch.setattr(implementation, "forms", no_more)
    monkeypatch.setattr(implementation, "_forms", no_more)
    stable = json.loads(render_json(d))["observation"]["stable"]
    assert stable["hessian_kind"] == "curvature" and stable["verified"] is True


def test_the_json_names_each_symbol_one_way_whatever_ran_before():
    # n was built as Symbol("n", positive=True, integer=True) in mle and in an argument, and as (integer, positive)
    # elsewhere: equal symbols, but SymPy's cache hands out whichever was built first, and srepr prints its keyword
    # order — so the JSON changed with the order the tests ran in
    from mlederive.mle import solve_mle
    from mlederive.render.json import render_json

    solve_mle("poisson", [1, 2, 3])
    derive("log-underflow")
    out = render_json(derive("laplace-log"))
    assert "Symbol('n', integer=True, positive=True)" in out
    assert "Symbol('n', positive=True, integer=True)" not in out
