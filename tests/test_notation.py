"""Our unicode notation (mlederive/render/notation.py) as LaTeX and MathML."""
import xml.etree.ElementTree as ET

import pytest

from mlederive.render.notation import to_latex, to_mathml

CASES = [
    ("y_i | x_i ∼ N(μ_i, σ²)", r"y_{i} \mid x_{i} \sim \mathcal{N}(\mu_{i}, \sigma^{2})"),
    ("μ_i = g⁻¹(η_i)", r"\mu_{i} = g^{-1}(\eta_{i})"),
    ("∂loss/∂μ_i", r"\partial \mathcal{L}/\partial \mu_{i}"),
    ("θᵀx_i", r"\theta^{\top} x_{i}"),
    ("Σ_k y_ik = 1", r"\sum_{k} y_{ik} = 1"),
    ("e^{η_ij}", r"e^{\eta_{ij}}"),
    ("E[y_i] = μ_i", r"\mathbb{E}[y_{i}] = \mu_{i}"),
    ("θ̂_MAP", r"\hat{\theta}_{\mathrm{MAP}}"),
    ("D_KL(p ‖ q)", r"D_{\mathrm{KL}}(p \,\|\, q)"),
    ("‖y − Xw‖²", r"\lVert y - Xw \rVert^{2}"),
    ("|∂L/∂z|", r"\lvert \partial L/\partial z \rvert"),
    ("z = -4", "z = -4"),
    ("p = (4/9, 5/9)", "p = (4/9, 5/9)"),
    ("log(a^b) = b·log a", r"\log(a^{b}) = b \cdot \log a"),
    ("⟨y²⟩ = ȳ", r"\langle y^{2} \rangle = \bar{y}"),
]


@pytest.mark.parametrize("notation, latex", CASES)
def test_latex(notation, latex):
    assert to_latex(notation) == latex


@pytest.mark.parametrize("notation", [c for c, _ in CASES] + ["costs $5 & 100% #1 \\ {x}"])
def test_mathml_is_well_formed_and_latex_has_no_bare_specials(notation):
    ET.fromstring('<math xmlns="http://www.w3.org/1998/Math/MathML">%s</math>' % to_mathml(notation))
    tex = to_latex(notation)
    for special in ("$", "&", "%", "#"):
        assert tex.count(special) == tex.count("\\" + special), (special, tex)


def test_mathml_names_and_scripts():
    out = to_mathml("y_ik ∼ N(μ, σ²)")
    assert "<mi>𝒩</mi>" in out and "<msub><mi>y</mi><mrow><mi>i</mi><mi>k</mi></mrow></msub>" in out
    assert "<msup><mi>σ</mi><mrow><mn>2</mn></mrow></msup>" in out
