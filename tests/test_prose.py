"""Prose (mlederive/prose.py): templates become runs of text, mathematics and code, and no text run of any
document carries mathematics — every formula is a run a renderer typesets."""
import re

import pytest
import sympy as sp
from conftest import ARGUMENTS, BUILTINS, CUSTOM

from mlederive import derive
from mlederive import symbolic as S
from mlederive.prose import Code, Math, Prose, TeX, Text, as_prose, join, prose


def test_a_template_splits_into_text_math_and_code():
    factor = 2 * sp.Symbol("sigma", positive=True) ** 2 / S.n
    p = prose("Multiply by $%s$ (%s reduction); see `nn.MSELoss(%s)` and $θ$.", factor, "mean", "reduction='sum'")
    assert p.runs == (Text("Multiply by "), Math((factor,)), Text(" (mean reduction); see "),
                      Code("nn.MSELoss(reduction='sum')"), Text(" and "), Math(("θ",)), Text("."))
    assert str(p) == "Multiply by 2*sigma**2/n (mean reduction); see nn.MSELoss(reduction='sum') and θ."


def test_arguments_outside_math_keep_their_kind():
    e = S.eta[S.i]
    p = prose("%s and %s and %s and %s", e, "words", prose("$x$"), TeX(r"\bar{y}", "ȳ"))
    assert [type(r) for r in p.runs] == [Math, Text, Math, Text, Math]
    assert p.math[-1].parts == (TeX(r"\bar{y}", "ȳ"),)
    assert prose("$z = %d$", -4).runs == (Math(("z = ", "-4")),)


@pytest.mark.parametrize("template, args", [("$x", ()), ("`code", ()), ("%s %s", (1,)), ("none", (1,))])
def test_a_bad_template_is_an_error_of_ours(template, args):
    with pytest.raises(ValueError):
        prose(template, *args)


def test_a_recipe_string_is_text_never_a_template():
    assert as_prose("costs $5 and 100%s").runs == (Text("costs $5 and 100%s"),)
    assert str(join(["a", sp.Symbol("b"), "c"], ", ", " and ")) == "a, b and c"
    assert isinstance(prose("a") + "b", Prose) and str(prose("a") + "b") == "ab"


#: what a text run must not contain: mathematics belongs in a Math run
MATH_IN_TEXT = re.compile(r"[αβγδεζηθικλμνξπρστυφχψωΓΔΘΛΞΠΦΨΩ∂∇Σ∏≤≥≠≈∼·²³⁻¹ᵀ_^ŷ]")


def _prose_of(d):
    for step in d.steps:
        yield step.id, step.title
        yield step.id, step.justification
        yield from ((step.id, n) for n in step.notes)
    for r in d.results:
        yield "result", r.label
    for t in d.tables:
        yield "table", t.title
        for row in (t.headers,) + tuple(t.rows):
            yield from (("table", as_prose(c)) for c in row)
    yield from (("warning", as_prose(w)) for w in d.warnings)


@pytest.mark.parametrize("name", BUILTINS + CUSTOM + ARGUMENTS + ["bernoulli-probit", "poisson-identity",
                                                                   "negative-binomial-log", "student-t-identity"])
def test_no_text_run_carries_mathematics(name):
    d = derive(name, verify_steps=False)
    for where, p in _prose_of(d):
        for run in as_prose(p).runs:
            if isinstance(run, Text):
                assert not MATH_IN_TEXT.search(run.text), (where, run.text)
