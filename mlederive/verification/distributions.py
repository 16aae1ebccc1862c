"""δ terms as distributions: written in one variable, f(v)·δ⁽ᵏ⁾(v − v₀) as Σ_m (−1)ᵐ·C(k, m)·f⁽ᵐ⁾(v₀)·δ⁽ᵏ⁻ᵐ⁾(v − v₀),
so that two distributions are equal exactly when their coefficients are (x·δ′(x) is −δ(x), δ(2x) is δ(x)/2, δ(g(x))
is Σ δ(x − r)/|g′(r)| over the roots of g). Nothing here proves anything: the prover decides the coefficients."""
from __future__ import annotations

import sympy as sp


def _variable_of(expr):
    """The variable a distribution is read in: the target y_i where the claim has one (δ comes from |y − μ|), else
    the first indexed or plain symbol."""
    atoms = sorted(expr.atoms(sp.Indexed), key=sp.default_sort_key)
    ys = [a for a in atoms if a.base.label.name == "y"]
    if ys:
        return ys[0]
    others = atoms + sorted((s for s in expr.free_symbols if not isinstance(s, (sp.Indexed, sp.IndexedBase, sp.Idx))),
                            key=sp.default_sort_key)
    return others[0] if others else None


def _located(delta, v):
    """δ⁽ᵏ⁾(a) as (v₀, k, c) with δ⁽ᵏ⁾(a) = c·δ⁽ᵏ⁾(v − v₀) as distributions in ``v``: a = α(v − v₀) gives
    c = 1/(|α|·αᵏ); a nonlinear a (k = 0 only) one term per real root r, c = 1/|a′(r)|. None where neither fits."""
    arg, order = delta.args[0], (int(delta.args[1]) if len(delta.args) > 1 else 0)
    slope = sp.diff(arg, v)
    if sp.diff(arg, v, 2) == 0 and slope != 0:
        root = sp.cancel(v - arg / slope)
        return [(root, order, 1 / (sp.Abs(slope) * slope ** order))]
    if order != 0:
        return None
    roots = sp.solve(arg, v)
    if not roots:
        return None
    return [(r, 0, 1 / sp.Abs(slope.xreplace({v: r}))) for r in roots if r.is_real is not False]


def split_distributions(expr: sp.Expr):
    """(regular part, {(v₀, order): coefficient}, v) of a sum of terms c·δ⁽ᵏ⁾(a) and δ-free terms, as distributions in
    one variable v: each f(v)·δ⁽ᵏ⁾(v − v₀) written as Σ_m (−1)ᵐ·C(k, m)·f⁽ᵐ⁾(v₀)·δ⁽ᵏ⁻ᵐ⁾(v − v₀), so that x·δ′(x) is
    −δ(x) and 2δ(x) is −2x·δ′(x): two distributions are equal exactly when these coefficients are.

    Raises ValueError for a δ this cannot take apart (inside a function, two in one product, no variable).
    """
    expr = sp.expand(expr)
    v = _variable_of(expr)
    regular, groups = [], {}
    for term in sp.Add.make_args(expr):
        deltas = [f for f in sp.Mul.make_args(term) if isinstance(f, sp.DiracDelta)]
        if not deltas:
            if term.has(sp.DiracDelta):
                raise ValueError("a DiracDelta inside %s" % type(term).__name__)
            regular.append(term)
            continue
        if len(deltas) > 1 or (term / deltas[0]).has(sp.DiracDelta) or v is None:
            raise ValueError("a product of DiracDeltas" if v is not None else "no variable to read δ in")
        located = _located(deltas[0], v)
        if located is None:
            raise ValueError("δ of %s is not one this can locate" % deltas[0].args[0])
        coefficient = term / deltas[0]
        for root, order, scale in located:
            f = coefficient * scale
            for m in range(order + 1):
                at = sp.diff(f, v, m).xreplace({v: root}) if m else f.xreplace({v: root})
                key = (sp.expand(root), order - m)
                groups[key] = groups.get(key, 0) + (-1) ** m * sp.binomial(order, m) * at
    return sp.Add(*regular), groups, v
