"""A student's names in the model's (mlederive.grading.notation): what a left-hand side says a line is, and an exam
variant's letters put back to the engine's."""
from __future__ import annotations

import pytest

from mlederive.grading.latex import read
from mlederive.grading.notation import left_side_kind, renamed

SIDES = {
    r"L(\theta)": "likelihood", r"p(\mathcal{D} \mid w)": "likelihood", r"\log L(\theta)": "log-likelihood",
    r"\ln L": "log-likelihood", r"\ell(\theta)": "log-likelihood", r"\log p(\mathcal{D} | \theta)": "log-likelihood",
    r"-\log L(\theta)": "loss", r"-\log p(\mathcal{D} \mid w)": "loss", r"J(\theta)": "loss", r"E(w)": "loss",
    r"\mathrm{NLL}(w)": "loss", r"\mathrm{MSE}": "loss", r"\nabla_w J": "gradient",
    r"\frac{\partial J}{\partial w}": "gradient",
    # 𝓛 is the loss in one book (and in this tool's own solutions) and the likelihood in another: no label
    r"\mathcal{L}(\theta)": None, r"\mathcal{L}_{CE}": None, r"p(y_i \mid x_i)": None,
}


@pytest.mark.parametrize("side", SIDES)
def test_what_a_left_hand_side_says_a_line_is(side):
    assert left_side_kind(read(side + " = 1")[0]) == SIDES[side]


def test_a_variants_letters_are_read_as_the_engines():
    names = {"t": "y", "u": "x"}
    for written, engine in ((r"\hat{t}_i", "yhat_i"), (r"w^T u_i", "dot(w, x_i)"), (r"u_i^T \beta", "dot(beta, x_i)"),
                            (r"t_i", "y_i"), (r"\sigma", "sigma")):
        assert str(renamed(read(written)[0], names)) == engine
    assert str(renamed(read(r"t_i")[0], None)) == "t_i"  # no variant: t is no name of the model's
