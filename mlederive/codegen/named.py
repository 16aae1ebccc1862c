"""Helpers for the named functions of robust and quantile losses, one per library: ρ_τ, Huber's ρ_δ and its
normaliser Z(δ), each written as its definition (what the verifier writes the named function out to), so there is
nothing to prove about them — and, being calls, they print without the parenthesis puzzles of an inline formula.
"""
from __future__ import annotations

#: the array module, the error function and √(2π) of each library
_SPELLING = {
    "numpy": ("numpy", "scipy.special.erf", "numpy.sqrt(2 * numpy.pi)"),
    "jax": ("jax.numpy", "jax.scipy.special.erf", "jax.numpy.sqrt(2 * jax.numpy.pi)"),
    "pytorch": ("torch", "torch.erf", "math.sqrt(2 * math.pi)"),
}

_TEXT = {
    "pinball": ('def _pinball(tau, u):\n'
                '    """The check function ρ_τ(u) = ½(|u| + (2τ − 1)u), which is max(τu, (τ − 1)u)."""\n'
                '    return ({np}.abs(u) + (2 * tau - 1) * u) / 2\n'),
    "huber": ('def _huber(delta, u):\n'
              '    """Huber\'s ρ_δ(u): u²/2 within ±δ, δ(|u| − δ/2) beyond — m(|u| − m/2) with m = min(|u|, δ)."""\n'
              '    m = {np}.minimum({np}.abs(u), delta)\n'
              '    return m * ({np}.abs(u) - m / 2)\n'),
    "HuberNormaliser": ('def _huber_normaliser(delta):\n'
                        '    """Z(δ) = √(2π)(2Φ(δ) − 1) + 2e^(−δ²/2)/δ, the normaliser of Huber\'s density."""\n'
                        '    return {root} * {erf}(delta / {root2}) + 2 * {np}.exp(-delta ** 2 / 2) / delta\n'),
}

#: how the code printers call them (mlederive.codegen.printers.CALLS)
CALLS = {"pinball": "_pinball({0}, {1})", "huber": "_huber({0}, {1})", "HuberNormaliser": "_huber_normaliser({0})"}


def helper_text(name: str, library: str) -> str | None:
    """The helper for the named function ``name`` in ``library``, or None if it has none."""
    if name not in _TEXT:
        return None
    np, erf, root = _SPELLING[library]
    root2 = "math.sqrt(2)" if library == "pytorch" else "%s.sqrt(2)" % np
    return _TEXT[name].format(np=np, erf=erf, root=root, root2=root2)
