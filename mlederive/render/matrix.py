"""The family × link matrix for the terminal (``mlederive list --links``)."""
from __future__ import annotations

from rich.table import Table

#: one mark per pairing status
SYMBOLS = {"canonical": "C", "valid": "✓", "constrained": "~", "refused": "·"}

_SHORT = {"identity": "id", "logit": "lgt", "probit": "prob", "cloglog": "clog", "loglog": "llog",
          "cauchit": "cau", "inverse": "1/μ", "inverse-squared": "1/μ²", "softplus": "s+", "softmax": "smax"}


def print_link_matrix(console, matrix: dict) -> None:
    """``matrix``: family → link → {"status", "constraint"} (mlederive.catalog.link_matrix)."""
    links = list(next(iter(matrix.values())))
    table = Table(title="Family × link: C canonical, ✓ valid, ~ constrained, · refused", box=None,
                  padding=(0, 1, 0, 0), pad_edge=False)
    table.add_column("family", no_wrap=True, min_width=max(map(len, matrix)))
    for name in links:
        table.add_column(_SHORT.get(name, name), justify="center")
    for family, row in matrix.items():
        table.add_row(family, *(SYMBOLS[row[name]["status"]] for name in links))
    console.print(table)
    console.print(", ".join("%s %s" % (_SHORT[name], name) for name in links if name in _SHORT), style="dim")
    notes = ["%s-%s: %s" % (f, link, cell["constraint"]) for f, row in matrix.items() for link, cell in row.items()
             if cell["status"] == "constrained"]
    console.print("Constraints (~): " + "; ".join(notes), style="dim")
