"""The README's table "the loss you use → the assumption behind it": every recipe it names derives that loss with
every step verified, and the focal loss's row is what it says (its exp(−loss) does not normalise)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from mlederive.derivation import derive
from mlederive.recipe import load_recipe

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README.split("## The loss you use → the assumption behind it")[1].split("\n## ")[0]
ROWS = [line.split(" | ") for line in SECTION.splitlines() if line.startswith("| ") and not line.startswith("|---")][1:]


def test_the_table_covers_the_new_laws():
    recipes = {re.sub(r"[`| ]", "", row[-1]) for row in ROWS}
    assert {"quantile-regression", "huber-regression", "tweedie-log", "cauchy-identity", "von-mises",
            "focal-loss", "label-smoothing", "loss-verdict"} <= recipes


def _recipe(cell):
    """`name` or [`docs/verdicts/x.yaml`](…) → the recipe a user would pass."""
    link = re.search(r"\(([^)]+\.yaml)\)", cell)
    return str(ROOT / link.group(1)) if link else cell.strip("`| ")


@pytest.mark.parametrize("row", [r for r in ROWS if "`" in r[-1]], ids=lambda r: r[-1].strip("`| ")[-40:])
def test_each_recipe_in_the_table_derives_with_every_step_verified(row):
    d = derive(load_recipe(_recipe(row[-1])))
    assert d.verified


@pytest.mark.parametrize("row", [r for r in ROWS if "**none**" in r[2]], ids=lambda r: r[0][:30])
def test_each_none_row_is_a_derived_no(row):
    """A row that says **none** names a recipe whose document concludes so."""
    d = derive(load_recipe(_recipe(row[-1])))
    assert d.verified and d.json["likelihood"] is False


def test_the_focal_loss_is_no_likelihood():
    """Σ_y exp(−ℓ(y, p)) over y ∈ {0, 1} for ℓ = −(1 − p_t)² log p_t: p^((1 − p)²) + (1 − p)^(p²) — 1.68 at p = ½,
    1.15 at p = 0.9 (as the table says); at γ = 0 (the BCE) it is 1 for every p."""
    def total(p, gamma):
        return p ** ((1 - p) ** gamma) + (1 - p) ** (p ** gamma)

    assert total(0.5, 2) == pytest.approx(1.68, abs=0.005) and total(0.9, 2) == pytest.approx(1.15, abs=0.005)
    assert all(total(p, 0) == pytest.approx(1.0) for p in (0.1, 0.5, 0.9))
    row = next(r for r in ROWS if r[0].startswith("| focal loss"))
    assert "1.68 at c = 1" in row[2] and "moves at p = 0.9 even at c = 4" in row[2]
    assert total(0.9, 2) != pytest.approx(1.0) and 2 * 0.5 ** (4 / 4) == 1.0  # at c = 4: Z(½) = h, Z(0.9) ≠ h
