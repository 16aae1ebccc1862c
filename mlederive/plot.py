"""--plot: the sigmoid argument's gradient sizes drawn to a PNG (matplotlib, an optional extra)."""
from __future__ import annotations

import io

from .errors import MlederiveError
from .output import write_file


def plot_gradients(d, path: str, force: bool) -> None:
    """Draw ``d.figure`` (|∂L/∂z| of MSE and BCE against z) to the PNG file ``path``, atomically."""
    if not path.lower().endswith(".png"):
        raise MlederiveError("--plot %s: give a .png file name" % path)
    if d.figure is None:
        raise MlederiveError("--plot applies to sigmoid-mse-vs-bce (a recipe with a figure), not %s" % d.recipe.name)
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise MlederiveError("--plot needs matplotlib; install it with: pip install 'mlederive[plot]'") from None
    fig, ax = plt.subplots(figsize=(7, 4))
    f = d.figure
    ax.semilogy(f["z"], [max(v, 1e-300) for v in f["mse"]], marker="o", label="MSE: |∂L/∂z|")
    ax.semilogy(f["z"], [max(v, 1e-300) for v in f["bce"]], marker="s", label="BCE: |∂L/∂z|")
    ax.set_xlabel("z = θᵀx")
    ax.set_ylabel("|∂L/∂z| (log scale)")
    ax.set_title("Gradient size for y = %d: MSE vanishes where the sigmoid saturates" % f["label"])
    ax.legend()
    ax.grid(True, which="both", alpha=0.3)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    plt.close(fig)
    write_file(path, buffer.getvalue(), force=force)
