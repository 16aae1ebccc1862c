"""The HTML page (mlederive/render/html.py): self-contained, well-formed, MathML — and laid out as mathematics
by a real browser (headless Chromium): fractions stacked, subscripts lowered, nothing wider than the page."""
import json
import re
import xml.etree.ElementTree as ET

import pytest
from conftest import (
    ARGUMENTS,
    BEYOND,
    BUILTINS,
    CUSTOM,
    code_tokens,
    run_chromium,
    without_code,
)

from mlederive import derive
from mlederive.render.html import render_html, render_html_body


def parse(page: str):
    return ET.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", page))


@pytest.mark.parametrize("name", BUILTINS + CUSTOM + ARGUMENTS + BEYOND + ["bernoulli-probit", "gamma-log"])
def test_a_page_is_well_formed_self_contained_mathml(name):
    d = derive(name)
    page = render_html(d)
    root = parse(page)  # well-formed XML: every element closed, no named entity
    assert not root.findall(".//script") and "http://" not in page and "https://" not in page  # no network, no JS
    maths = root.findall(".//math")
    assert len([m for m in maths if m.get("display") == "block"]) >= len(d.steps)
    text = "".join(root.itertext())
    for bad in ("sqrt(", "**", "⟨U+", "<mi>sigma</mi>", "<mi>yhat</mi>", "product("):
        assert bad not in without_code(page, code_tokens(d)), bad
    assert ("✓" in text) is d.verified


def test_notebook_reprs_are_the_page_body_the_latex_body_and_markdown():
    d = derive("bernoulli-logit")
    assert d._repr_html_() == render_html_body(d) and "<math" in d._repr_html_() and "<html" not in d._repr_html_()
    assert d._repr_latex_().startswith(r"\noindent\textbf{Setting.}") and r"\documentclass" not in d._repr_latex_()
    assert d._repr_markdown_().startswith("**Setting.**")
    a = derive("kl-coin")
    assert "<math" in a._repr_html_() and a._repr_markdown_()


MEASURE = """
<script>
const box = e => e.getBoundingClientRect();
const maths = [...document.querySelectorAll('math')];
const fracs = [...document.querySelectorAll('mfrac')];
const subs = [...document.querySelectorAll('msub')];
const size = parseFloat(getComputedStyle(document.querySelector('.mlederive')).fontSize);
const report = {
  maths: maths.length,
  empty: maths.filter(m => box(m).width === 0 || box(m).height === 0).length,
  stacked: fracs.filter(f => box(f).height > 1.6 * size).length,
  lowered: subs.filter(s => box(s.children[1]).bottom > box(s.children[0]).bottom).length,
  subs: subs.length,
  pageWidth: document.documentElement.scrollWidth, windowWidth: window.innerWidth,
  column: box(document.querySelector('.mlederive')).width, fontSize: size,
};
const pre = document.createElement('pre'); pre.id = 'report'; pre.textContent = JSON.stringify(report);
document.body.appendChild(pre);
</script>
"""


@pytest.mark.parametrize("name", ["gaussian-identity", "categorical-softmax", "ridge-regression"])
def test_chromium_lays_the_mathematics_out(name, tmp_path):
    page = tmp_path / "page.html"
    page.write_text(render_html(derive(name)).replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    out = run_chromium(tmp_path, "--window-size=900,1200", "--virtual-time-budget=3000", "--dump-dom",
                       page.as_uri())
    assert out.returncode == 0, out.stderr[-2000:]
    report = json.loads(re.search(r'<pre id="report">(.*?)</pre>', out.stdout).group(1))
    assert report["maths"] > 20 and report["empty"] == 0
    assert report["stacked"] >= 3  # fractions drawn as fractions: MathML, not text
    assert report["lowered"] == report["subs"] > 20  # every subscript below its base
    assert report["pageWidth"] <= report["windowWidth"]  # no formula widens the page (long ones scroll)
    assert report["column"] <= (46 + 2 * 1.2) * report["fontSize"] + 1  # 46em of text and its padding


def test_chromium_renders_a_screenshot_and_prints_a_pdf(tmp_path):
    page = tmp_path / "bernoulli-probit.html"
    page.write_text(render_html(derive("bernoulli-probit")), encoding="utf-8")
    shot = tmp_path / "shot.png"
    out = run_chromium(tmp_path, "--window-size=1000,2000", "--screenshot=%s" % shot, page.as_uri())
    assert out.returncode == 0 and shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 50_000
    pdf = tmp_path / "page.pdf"
    out = run_chromium(tmp_path, "--no-pdf-header-footer", "--print-to-pdf=%s" % pdf, page.as_uri())
    assert out.returncode == 0 and pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 20_000


def test_mle_page(tmp_path):
    from mlederive.mle import solve_mle
    from mlederive.render.mle import render_mle_html

    page = render_mle_html(solve_mle("gaussian", [1, 2, 4]))
    root = parse(page)
    text = "".join(root.itertext())
    assert root.findall(".//math") and "ȳ" in text and "⟨y²⟩" in text and "sigma" not in text


def test_script_letters_slashes_and_inverses_are_typeset_as_a_browser_shows_them():
    """Chromium ignores mathvariant="script" (ℒ showed as L, the likelihood's letter); "∂ℒ / ∂η_i" had operator
    space around its slash; the ridge solution's exponent was an ASCII <mn>-1</mn> and its identity a 𝕀."""
    page = render_html(derive("ridge-regression"))
    assert 'mathvariant="script"' not in page and "<mi>ℒ</mi>" in page
    assert "<mo>/</mo>" not in page and '<mo lspace="0" rspace="0">/</mo>' in page
    assert "<mn>-1</mn>" not in page and "<mrow><mo>−</mo><mn>1</mn></mrow></msup>" in page
    assert "&#x1D540;" not in page and "𝕀" not in page


def test_text_columns_are_left_aligned_even_under_a_notebooks_stylesheet():
    body = derive("bernoulli-logit")._repr_html_()
    cells = re.findall(r"<t[dh] ([^>]*)>", body)
    assert cells and all('style="text-align: left"' in c or 'style="text-align: right"' in c for c in cells)


def test_punctuation_after_a_formula_never_starts_a_line():
    # "… c₄ = 1.)" broke before ".)" in Chromium: the formula and the punctuation after it are one unbreakable span
    from mlederive.prose import prose
    from mlederive.render.html import STYLE, html_prose

    out = html_prose(prose("The sample has $c_4 = 1$.) And $n$, then $k$ is free"))
    assert re.search(r'<span class="nobr"><math>.*?</math>\.\)</span> And', out), out
    assert re.search(r'<span class="nobr"><math><mrow><mi>n</mi></mrow></math>,</span> then', out), out
    assert '<math><mrow><mi>k</mi></mrow></math> is free' in out and out.count("nobr") == 2  # no punctuation: no span
    assert ".mlederive .nobr { white-space: nowrap; }" in STYLE
