"""The table behind 'mlederive list': each built-in recipe and the loss it derives.

The loss column is derived (recognition proves the per-observation loss equal
to a named form); the step-by-step verification is skipped here to keep the
listing quick — 'mlederive NAME' runs it.
"""
from __future__ import annotations


def builtin_table() -> list[dict]:
    from .arguments import ArgumentRecipe, summary
    from .derivation import derive
    from .recipe import builtin_names, load_recipe
    from .render.common import plain_text

    rows = []
    for name in builtin_names():
        recipe = load_recipe(name)
        if isinstance(recipe, ArgumentRecipe):
            rows.append({"name": name, "title": recipe.title, "kind": recipe.kind, "family": "—", "link": "—",
                         "loss": summary(recipe.kind)})
            continue
        d = derive(recipe, verify_steps=False)
        rows.append({"name": name, "title": recipe.title, "kind": "loss", "family": recipe.family, "link": recipe.link,
                     "prior": recipe.prior or None,
                     "loss": (d.loss_name or "(no textbook name)")
                     + (" + %s" % plain_text(d.posterior.penalty) if d.posterior is not None else "")})
    return rows


def link_matrix() -> dict:
    """family → link → {status, constraint, reason}: which pairs make sense, worked out from ranges."""
    from .families import FAMILIES
    from .links import LINKS

    matrix = {}
    for fname, family in FAMILIES.items():
        row = {}
        for lname, link in LINKS.items():
            pairing = family.pairing(link)
            row[lname] = {"status": pairing.status, "constraint": pairing.constraint, "reason": pairing.reason}
        matrix[fname] = row
    return matrix
