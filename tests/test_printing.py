"""The textbook printers (mlederive/render/printing.py, mathml.py, inline.py): every printed form is the
expression it prints, and the forms the issue names read as a textbook writes them."""
import functools
import html

import pytest
import sympy as sp

from mlederive import derive
from mlederive import symbolic as S
from mlederive.render.common import display_form, shown
from mlederive.render.inline import prose_math
from mlederive.render.latex import inline_math
from mlederive.render.mathml import TextbookMathMLPrinter
from mlederive.render.printing import arranged, ordered_terms
from mlederive.render.terminal import pretty_equation


@functools.lru_cache(maxsize=None)
def doc(name):
    return derive(name)


def latex_of(name, step_id):
    d = doc(name)
    step = d.step(step_id)
    return inline_math(shown(step, d.checks[d.steps.index(step)]))


def prose_of(name, step_id):
    step = doc(name).step(step_id)
    return prose_math(display_form(shown(step)))


# -- the forms a textbook prints ------------------------------------------------------------------

def test_gaussian_loss_is_y_minus_eta_squared():
    tex = latex_of("gaussian-identity", "loss")
    assert r"y_{i} - \eta_{i}" in tex and r"- \eta_{i} + y_{i}" not in tex


def test_gaussian_density_is_one_over_sigma_root_two_pi_times_exp():
    tex = latex_of("gaussian-identity", "model")
    assert tex.startswith(r"\frac{1}{\sigma \sqrt{2 \pi}} \exp\left(- \frac{\left(y_{i} - \mu_{i}\right)^{2}}")
    assert prose_of("gaussian-identity", "density") == "1/(σ·√(2π))·exp(−(yᵢ − ηᵢ)²/(2σ²))"


def test_bernoulli_logit_gradient_curvature_and_fisher():
    assert prose_of("bernoulli-logit", "grad-eta") == "(σ(ηᵢ) − yᵢ)/n"
    assert prose_of("bernoulli-logit", "curvature") == "σ(ηᵢ)·(1 − σ(ηᵢ))/n"
    assert latex_of("bernoulli-logit", "curvature") == \
        r"\frac{\sigma\left(\eta_{i}\right) \left(1 - \sigma\left(\eta_{i}\right)\right)}{n}"


def test_poisson_log_loss_is_exp_eta_minus_y_eta():
    assert r"e^{\eta_{i}} - y_{i} \eta_{i}" in latex_of("poisson-log", "loss")


def test_categorical_gradient_is_softmax_minus_y():
    assert prose_of("categorical-softmax", "grad-eta") == "(softmax_k(ηᵢ) − yᵢₖ)/n"
    assert r"\operatorname{softmax}_{k}\left(\boldsymbol{\eta}_{i}\right) - y_{ik}" in \
        latex_of("categorical-softmax", "grad-eta")


def test_probit_is_written_with_phi_and_its_curvature_fits_on_two_lines():
    d = doc("bernoulli-probit")
    for step in d.steps:
        assert not shown(step).has(sp.erf, sp.erfinv), step.id
    assert r"\Phi\left(\eta_{i}\right)" in latex_of("bernoulli-probit", "loss")
    assert r"\varphi\left(\eta_{i}\right)" in latex_of("bernoulli-probit", "grad-eta")
    art = pretty_equation("∂²loss/∂η_i²", shown(d.step("curvature")), 96)
    assert "↪" not in art  # one piece: it fits a 100-column terminal without wrapping
    assert max(len(line) for line in art.splitlines()) <= 96


def test_laplace_absolute_error_is_observed_first():
    assert r"\left|y_{i} - \eta_{i}\right|" in latex_of("laplace-identity", "loss")


# -- printing never changes the expression --------------------------------------------------------

SAMPLE = ["gaussian-identity", "bernoulli-logit", "bernoulli-probit", "poisson-log", "categorical-softmax",
          "gamma-inverse", "laplace-log", "negative-binomial-log", "student-t-identity", "lasso-regression"]


def _products(expr):
    return [a for a in sp.preorder_traversal(expr) if isinstance(a, sp.Mul)]


@pytest.mark.parametrize("name", SAMPLE)
def test_a_product_rearranged_for_print_is_the_same_product(name):
    """The one rewrite the printers make (a sign moved into a factor (c − u), an even power of (u − c)
    written of (c − u)) keeps every product's value; the rest is a permutation of its factors."""
    for step in doc(name).steps:
        for product in _products(display_form(step.expr)):
            if not product.is_commutative:  # matrix products are printed by SymPy as they are
                continue
            negative, factors = arranged(product)
            again = (-1 if negative else 1) * sp.Mul(*factors)
            assert sp.cancel(sp.together(again - product)) == 0, (step.id, product)


def test_terms_are_reordered_not_changed():
    e = -S.eta[S.i] + S.y[S.i] - 3 + sp.exp(S.eta[S.i])
    terms = ordered_terms(sp.Add.make_args(e))
    assert sorted(map(str, terms)) == sorted(map(str, sp.Add.make_args(e)))
    assert [t.could_extract_minus_sign() for t in terms] == sorted(t.could_extract_minus_sign() for t in terms)


def test_mathml_names_the_functions_and_prints_no_python():
    y, e = S.y[S.i], S.eta[S.i]
    printer = TextbookMathMLPrinter()
    out = html.unescape(printer.doprint(display_form(S.sigmoid(e) - y + S.Phi(e) * S.phi(e) + sp.loggamma(y + 1))))
    assert "σ" in out and "Φ" in out and "φ" in out and "Γ" in out
    assert "sigmoid" not in out and "loggamma" not in out and "Phi" not in out


def test_prose_math_never_writes_python():
    sigma = sp.Symbol("sigma", positive=True)
    text = prose_math(display_form(sp.sqrt(2 * sp.pi) * sigma ** 2 + sp.log(sp.factorial(S.y[S.i]))
                                   + sp.exp(S.eta[S.i]) ** 3 + sp.Symbol("lambda", positive=True)))
    for bad in ("**", "sqrt(", "factorial(", "sigma", "lambda", "*"):
        assert bad not in text, (bad, text)
