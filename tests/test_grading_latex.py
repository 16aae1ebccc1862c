"""Reading a student's LaTeX (mlederive.grading.latex) and a submission's steps (mlederive.grading.submission): the
lines textbooks and students write read as they mean them, hostile input is one line of "could not read" with its
column in well under a second, and nothing else ever comes out (a fuzz)."""
from __future__ import annotations

import time

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from mlederive.grading.latex import Unreadable, read
from mlederive.grading.submission import SubmissionError, read_submission, steps_of
from mlederive.symbolic import sigmoid


def s(name):
    return sp.Symbol(name, real=True)


i, n = sp.Symbol("i", integer=True), sp.Symbol("n", integer=True, positive=True)
y, p, eta, sigma, x = s("y_i"), s("p_i"), s("eta_i"), s("sigma"), s("x_i")

READS = {
    # Bishop's Gaussian, with \mathcal (a script letter keeps its mark: 𝓛 is no L), \left…\right and a hat
    r"\mathcal{L}(\theta) = \prod_{i=1}^n \frac{1}{\sqrt{2\pi\sigma^2}} \exp\left(-\frac{(y_i - \hat{y}_i)^2}"
    r"{2\sigma^2}\right)": [s("calL(theta)"), sp.Product(sp.exp(-(y - s("yhat_i")) ** 2 / (2 * sigma ** 2))
                                                      / sp.sqrt(2 * sp.pi * sigma ** 2), (i, 1, n))],
    # a term after Σ_i that still carries i belongs to the sum
    r"\log L(w) = \sum_{i=1}^n y_i \log p_i + (1 - y_i)\log(1 - p_i)": [
        sp.log(s("L(w)")), sp.Sum(y * sp.log(p) + (1 - y) * sp.log(1 - p), (i, 1, n))],
    # \log without parentheses takes the factors up to the next sign
    r"-\frac{n}{2}\log 2\pi\sigma^2 - \frac{1}{2\sigma^2}\sum_i (y_i - w^T x_i)^2": [
        -n / 2 * sp.log(2 * sp.pi * sigma ** 2) - sp.Sum((y - s("dot(w, x_i)")) ** 2, (i, 1, n)) / (2 * sigma ** 2)],
    # σ(…) applied is the logistic function; ∂L/∂w a name's derivative
    r"\frac{\partial L}{\partial w} = \frac{1}{n}\sum_{i=1}^{n} (\sigma(w^\top x_i) - y_i) x_i": [
        sp.Derivative(s("L"), s("w")), sp.Sum((sigmoid(s("dot(w, x_i)")) - y) * x, (i, 1, n)) / n],
    # Murphy's x_i^T β, a dropped constant C, NLL set as letters
    r"NLL(\beta) = \frac{1}{2}\sum_i (y_i - x_i^T \beta)^2 + C": [
        s("NLL(beta)"), sp.Sum((y - s("dot(beta, x_i)")) ** 2, (i, 1, n)) / 2 + s("C")],
    # d/dη as an operator, a full stop after the formula
    r"\frac{d}{d\eta_i} (y_i - \eta_i)^2 = -2(y_i - \eta_i).": [
        sp.Derivative((y - eta) ** 2, eta), -2 * (y - eta)],
    # e^{…}, a conditional density as a name, |…| and ‖…‖; the minus before Σ negates the whole sum
    r"\ell = -\sum_i \log(1 + e^{-z_i}) + \log p(y_i | x_i; \theta) + \|w\|": [
        s("ell"), -sp.Sum(sp.log(1 + sp.exp(-s("z_i"))) + sp.log(s("p(y_i | x_i ; theta)")), (i, 1, n))
        + sp.Abs(s("w"))],
    r"|y_i - \eta_i| / b": [sp.Abs(y - eta) / s("b")],
}


@pytest.mark.parametrize("line", READS, ids=range(len(READS)))
def test_a_line_reads_as_a_student_means_it(line):
    assert read(line) == READS[line]


def test_the_lark_latex_parser_misreads_a_bernoulli_log_likelihood():
    """Why this reader is our own: SymPy's parse_latex (backend "lark") reads y log p + (1 − y) log(1 − p) as a product
    of two logs, and cannot read \\sigma(z) or \\theta^T x at all."""
    pytest.importorskip("lark")
    from sympy.parsing.latex import parse_latex

    line = r"\sum_{i=1}^{n} (y_i \log(p_i) + (1-y_i)\log(1-p_i))"
    theirs = parse_latex(line, backend="lark")
    assert isinstance(theirs, sp.Sum) and theirs.function.is_Mul  # Σ y·log(1 − p)·log(p − y + 1): one product
    assert read(line)[0].function.is_Add
    for unreadable in (r"\sigma(z_i) - y_i", r"\theta^{T} x_i"):
        with pytest.raises(Exception):
            parse_latex(unreadable, backend="lark")
        read(unreadable)


HOSTILE = {
    r"\def\x{1} \x": ("\\def is not a command", 1),
    r"\input{/etc/passwd}": ("\\input is not a command", 1),
    r"\csname foo\endcsname": ("\\csname is not a command", 1),
    r"9^{9^{9^{9}}}": ("a number exponent must be a plain number up to 64", None),
    "x" * 10_000: ("10000 characters long", None),
    r"\frac{1}{2": ("expected '}' here", None),
    r"(y_i - \eta_i": ("expected ')' here", None),
    r"y_i }": ("'}' cannot follow here", 5),
    r"\exp(" * 60 + "x" + ")" * 60: ("nested more than", None),
    "x+" * 301 + "x": ("more than 600 symbols", None),
    "y_i # comment": ("'#' is not part of the math", 5),
    "": ("an empty line", 1),
    r"\text{taking logs, by independence}": ("only words, no formula to grade", 1),
}


@pytest.mark.parametrize("line", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_is_one_line_could_not_read_with_its_column(line):
    start = time.perf_counter()
    with pytest.raises(Unreadable) as info:
        read(line)
    assert time.perf_counter() - start < 5
    message, column = HOSTILE[line]
    assert message in str(info.value) and "\n" not in str(info.value)
    assert column is None or info.value.column == column


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["x", "y_i", "2", "^", "{", "}", "(", ")", "+", "-", "=", "\\frac", "\\sum_i",
                                 "\\log", "\\sigma", "|", "\\|", "_", "\\hat", "9", "^{9}", "\\exp", "\\left(",
                                 "\\right)", "/", "\\cdot", "&", "\\partial", "p(y|x)", "\\theta^T"]), max_size=40))
def test_any_token_soup_reads_or_is_unreadable_never_anything_else(parts):
    start = time.perf_counter()
    try:
        sides = read(" ".join(parts))
        assert all(isinstance(e, sp.Basic) for e in sides)
    except Unreadable as exc:
        assert exc.column >= 1
    assert time.perf_counter() - start < 2


MARKDOWN = r"""# Logistic regression

We assume $y_i \sim \mathrm{Bernoulli}(p_i)$, so
$$L(w) = \prod_{i=1}^n p_i^{y_i}(1 - p_i)^{1 - y_i}$$
Taking logs:
$$
\log L(w) = \sum_{i=1}^n y_i \log p_i + (1 - y_i)\log(1 - p_i)
$$
$-\log L(w) = -\sum_i y_i \log p_i + (1 - y_i)\log(1 - p_i)$.
"""

ALIGN = r"""Some text first.
\begin{align*}
\ell(\theta) &= \sum_i \log p(y_i | x_i) \\
&= \sum_i -\frac{(y_i - \theta^T x_i)^2}{2\sigma^2} - \frac{1}{2}\log(2\pi\sigma^2) \nonumber \\
&= C - \frac{1}{2\sigma^2}\sum_i (y_i - \theta^T x_i)^2
\end{align*}
"""


def test_markdown_steps_are_its_display_formulas_and_formula_lines_in_order():
    steps = steps_of(MARKDOWN)
    assert [st.line for st in steps] == [4, 6, 9]
    assert steps[0].latex.startswith("L(w) =") and steps[1].latex.startswith(r"\log L(w) =")
    assert steps[2].latex.startswith(r"-\log L(w)")  # the inline formula in the sentence is not a step


def test_an_align_chain_continues_its_left_hand_side():
    steps = steps_of(ALIGN)
    assert [st.line for st in steps] == [3, 4, 5]
    assert all(st.latex.startswith(r"\ell(\theta) =") for st in steps)
    assert all(len(read(st.latex)) == 2 for st in steps)


def test_a_file_not_utf8_is_one_line_naming_its_line(tmp_path):
    path = tmp_path / "answer.md"
    path.write_bytes(b"$$L = 1$$\n\n$$\xff\xfe = 2$$\n")
    with pytest.raises(SubmissionError, match=r"line 3 is not UTF-8 text \(byte 0xff\); save the file as UTF-8"):
        read_submission(path)
    big = tmp_path / "big.md"
    big.write_text("$$x$$\n" * 50_000)
    with pytest.raises(SubmissionError, match="a submission is at most"):
        read_submission(big)
