"""Output on a terminal that cannot show Unicode (PYTHONIOENCODING=ascii, an old console): degrade, never crash.

A codec error handler spells the symbols a derivation prints in ASCII — η → eta, σ → sigma,
· → *, ≤ → <=, ∂ → d, Σ → sum — and anything else as '?'. It is installed on stdout and
stderr only when their encoding cannot encode the symbols mlederive prints.
"""
from __future__ import annotations

import codecs
import sys

NAME = "mlederive-ascii"

SPELLED = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "eps", "η": "eta", "θ": "theta", "κ": "kappa",
    "λ": "lambda", "μ": "mu", "ν": "nu", "π": "pi", "ρ": "rho", "σ": "sigma", "τ": "tau", "φ": "phi",
    "χ": "chi", "ψ": "psi", "ω": "omega", "Γ": "Gamma", "Δ": "Delta", "Θ": "Theta", "Λ": "Lambda",
    "Σ": "sum", "Π": "prod", "Φ": "Phi", "Ω": "Omega", "·": "*", "×": "x", "−": "-", "–": "-", "—": "--",
    "≤": "<=", "≥": ">=", "≠": "!=", "≈": "~", "→": "->", "←": "<-", "⇒": "=>", "∂": "d", "∇": "grad",
    "∞": "inf", "√": "sqrt", "∑": "sum", "∏": "prod", "∈": " in ", "ℓ": "l", "ŷ": "y^", "…": "...",
    "‖": "||", "²": "^2", "³": "^3", "¹": "^1", "⁻": "^-", "ᵀ": "^T", "₀": "0", "₁": "1", "₂": "2", "₃": "3",
    "ᵢ": "_i", "ⱼ": "_j", "ₖ": "_k", "ₙ": "_n", "✓": "OK", "✗": "FAIL", "‘": "'", "’": "'", "“": '"', "”": '"',
    "\u0302": "^", "\u0303": "~", "\u0304": "-", "′": "'", "│": "|", "─": "-", "━": "=", "┃": "|",
    "∼": "~", "⟨": "<", "⟩": ">", "ȳ": "ybar", "ϕ": "phi", "⊤": "^T", "⁰": "^0", "⁴": "^4",
    "ᵤ": "_u", "ₓ": "_x", "ₘ": "_m", "ₚ": "_p", "ₛ": "_s", "ₜ": "_t", "ₗ": "_l", "ₐ": "_a", "ₑ": "_e", "ₒ": "_o",
    "ᵣ": "_r", "ᵥ": "_v", "ₕ": "_h", "↪": ">",
}


def _spell(error: UnicodeEncodeError):
    bad = error.object[error.start:error.end]
    return "".join(SPELLED.get(ch, "?") for ch in bad), error.end


codecs.register_error(NAME, _spell)


def degrade_if_needed(*streams) -> None:
    """Install the handler on each stream whose encoding cannot print mlederive's symbols."""
    for stream in streams or (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None) or "ascii"
        try:
            "ηθσ·≤∂Σ✓".encode(encoding)
        except (UnicodeEncodeError, LookupError):
            reconfigure = getattr(stream, "reconfigure", None)
            if reconfigure is not None:
                reconfigure(errors=NAME)
