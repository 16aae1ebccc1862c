"""Rewriting a derived expression into stable primitives (mlederive.primitives).

Each rule is an identity on the model's domain — log σ(z) = −softplus(−z), log Φ(z) = log_ndtr(z),
log(1 − e^{−u}) = log1mexp(u), log(1 + c·e^z) = softplus(z + log c), log Σ_j e^{η_ij} = logsumexp(η_i),
log Γ(z) = log_gamma(z), y·log u = xlogy(y, u), 1 − e^{−u} = −expm1(−u), φ(z)/Φ(z) = mills(z) — and nothing
here is trusted: the code generator states the result as a step, and the verifier proves it equal to the
derived form.
"""
from __future__ import annotations

import sympy as sp

from .. import symbolic as S
from ..primitives import (
    expm1,
    log1mexp,
    log1p,
    log_ndtr,
    logaddexp,
    logsumexp,
    mills,
    softplus,
    xlog1py,
    xlogy,
)


def _exp_argument(e):
    """w when ``e`` is exp(w) (or a product of exponentials e^a·e^b = e^(a + b)), else None."""
    if e.is_Mul and all(isinstance(f, sp.exp) for f in e.args):
        return sp.Add(*[f.args[0] for f in e.args])
    return e.args[0] if isinstance(e, sp.exp) else None


def _log_of_product(term):
    """log(term) for a positive product of factors each with a stable log (σ(z), 1 − σ(z), Φ(z), e^w, a positive
    constant, and their powers), none of them a function of y; None for any other term."""
    out = []
    for f in sp.Mul.make_args(term):
        base, power = f.as_base_exp()
        if f.is_number and f.is_positive:
            out.append(sp.log(f))
        elif isinstance(f, sp.exp):
            out.append(f.args[0])
        elif base.is_Symbol and base.is_positive and power.is_number:  # a known parameter (π of a zero-inflated law)
            out.append(power * sp.log(base))
        elif isinstance(f, expm1) and f.args[0].is_positive:  # log(e^w − 1) = w + log(1 − e^(−w))
            out.append(f.args[0] + log1mexp(f.args[0]))
        elif isinstance(base, sp.exp) and power.is_number:
            out.append(power * base.args[0])
        elif power.is_number and not base.has(S.y) and _stable_log(base) is not None:
            out.append(power * _stable_log(base))
        else:
            return None
    return sp.Add(*out)


def _observed(e) -> tuple:
    """What in ``e`` varies with the observation: y_i and every η (η_i, η_μ,i, η_σ,i …), as their bases."""
    return tuple({a.base for a in e.atoms(sp.Indexed)} | {S.eta, S.y})


def _coefficient_exp(e):
    """(c, w) when ``e`` is c·exp(w) with c a positive constant free of the observation, else None."""
    c, rest = e.as_independent(*_observed(e), as_Add=False)
    w = _exp_argument(rest)
    if w is None or c.is_positive is not True:
        return None
    return c, w


def _stable_log(arg):
    """log(arg) in stable primitives, or None where no rule applies."""
    if isinstance(arg, S.sigmoid):
        return -softplus(-arg.args[0])
    if isinstance(arg, S.Phi):
        return log_ndtr(arg.args[0])
    if isinstance(arg, sp.gamma):  # log Γ(z) without Γ's overflow past z ≈ 171
        return sp.loggamma(arg.args[0])
    if isinstance(arg, sp.factorial):  # log y! = log Γ(y + 1): y! overflows past y = 170
        return sp.loggamma(arg.args[0] + 1)
    if isinstance(arg, sp.Sum) and isinstance(arg.function, sp.exp) and len(arg.limits) == 1:
        index, lo, hi = arg.limits[0]
        inner = arg.function.args[0]
        if (lo, hi) == (1, S.K) and isinstance(inner, sp.Indexed) and inner.indices[-1] == index:
            return logsumexp(inner.base, inner.indices[0])
    rest = sp.expand(1 - arg)  # arg = 1 − rest
    if isinstance(rest, S.sigmoid):
        return -softplus(rest.args[0])
    if isinstance(rest, S.Phi):
        return log_ndtr(-rest.args[0])
    w = _exp_argument(rest)
    if w is not None:
        return log1mexp(-w)
    more = sp.expand(arg - 1)  # arg = 1 + more
    found = _coefficient_exp(more)
    if found is not None:
        c, w = found
        return softplus(w + sp.log(c)) if c != 1 else softplus(w)
    if arg.is_Add and sp.S.One in arg.args and not more.is_Add:
        return log1p(more)
    if arg.is_Add and len(arg.args) == 2 and not any(t.is_number for t in arg.args):
        logs = [_log_of_product(t) for t in arg.args]
        if all(v is not None for v in logs):  # log(A + B) = logaddexp(log A, log B), neither exponentiated
            return logaddexp(*logs)
    return None


def _stable_add(expr):
    """1 − e^w as −expm1(w), e^w − 1 as expm1(w), 1 − σ(z) as σ(−z), 1 − Φ(z) as Φ(−z); None where no rule fits."""
    if len(expr.args) != 2:
        return None
    for one in (sp.S.One, sp.S.NegativeOne):
        if one not in expr.args:
            continue
        rest = sp.expand(one - expr)  # expr = one − rest
        sign = 1 if one == 1 else -1  # expr = sign·(1 − sign·rest)
        rest = sign * rest
        if isinstance(rest, (S.sigmoid, S.Phi)):  # 1 − σ(z) = σ(−z), 1 − Φ(z) = Φ(−z): no cancellation near 1
            return sign * rest.func(-rest.args[0])
        w = _exp_argument(rest)
        if w is not None:  # 1 − e^w = −expm1(w)
            return -sign * expm1(w)
    return None


def _mills_ratio(expr):
    """A product with φ(z)^a and Φ(z)^(−b): min(a, b) factors of φ/Φ become mills(z) (and φ(z)/(1 − Φ(z)) mills(−z))."""
    factors = sp.Mul.make_args(expr)
    phis = {}
    for f in factors:
        base, power = f.as_base_exp()
        if isinstance(base, S.phi) and power.is_Integer and power > 0:
            phis[base.args[0]] = phis.get(base.args[0], 0) + int(power)
    if not phis:
        return None
    out, changed = [], False
    for f in factors:
        base, power = f.as_base_exp()
        z, sign, flip = None, 1, 1
        if isinstance(base, S.Phi):
            z = base.args[0]
        elif isinstance(base, sp.Add):
            rest, minus = sp.expand(1 - base), sp.expand(1 + base)
            if isinstance(rest, S.Phi):  # 1 − Φ(z) = Φ(−z)
                z, sign = rest.args[0], -1
            elif isinstance(minus, S.Phi):  # Φ(z) − 1 = −Φ(−z)
                z, sign, flip = minus.args[0], -1, -1
        if z is not None and power.is_Integer and power < 0 and phis.get(z, 0) > 0:
            used = min(-int(power), phis[z])
            phis[z] -= used
            out.append(flip ** used * mills(sign * z) ** used * base ** (power + used))
            changed = True
        else:
            out.append(f)
    if not changed:
        return None
    kept = [f for f in out if not isinstance(f.as_base_exp()[0], S.phi)]  # the φ factors, less those used:
    return sp.Mul(*kept) * sp.Mul(*[S.phi(z) ** left for z, left in phis.items() if left])


def _zero_safe(term):
    """c·p·log u (c·p·log1p v) with p the target y_i or 1 − y_i (0 at a perfect prediction, where u can be 0 too) as
    c·xlogy(p, u) (c·xlog1py(p, v)); None where that is not the form."""
    logs = [f for f in sp.Mul.make_args(term) if isinstance(f, (sp.log, log1p))]
    y = [a for a in term.atoms(sp.Indexed) if a.base == S.y and len(a.indices) == 1]
    if len(logs) != 1 or len(y) != 1:
        return None
    rest = term / logs[0]
    for p in (y[0], 1 - y[0], y[0] - 1):
        c = sp.cancel(rest / p)
        if not c.has(y[0]) and not c.has(sp.log):
            return c * (xlogy if isinstance(logs[0], sp.log) else xlog1py)(p, logs[0].args[0])
    return None


def _small_gamma(arg):
    """log Γ(c·m) with m a mean that can underflow (Φ(η), σ(η), e^η) as log Γ(1 + c·m) − log c − log m, log m then
    stable (Γ(x + 1) = x·Γ(x)): log Γ(φ·Φ(−40)) is 804.6…, not log Γ(0) = ∞. None for any other argument."""
    c, m = arg.as_independent(*_observed(arg), as_Add=False)
    if not isinstance(m, (S.Phi, S.sigmoid, sp.exp)) or c.is_positive is not True:
        return None
    log_m = _stable_log(m) if not isinstance(m, sp.exp) else m.args[0]
    return sp.loggamma(1 + arg) - sp.log(c) - log_m


def _double_exponential(e) -> bool:
    """e^(e^η) somewhere in ``e``: it overflows at η ≈ 6.6, long before anything else does."""
    return any(p.has(sp.exp) for p in e.atoms(sp.exp) for p in p.args)


def _paired(terms: list) -> list:
    """The terms of a sum with 1 − σ(z), 1 − Φ(z), 1 − e^w taken together where they occur (σ(−z) …); else those
    with a double exponential and the rest, as two terms (π·e^(e^η) and 1 − π)."""
    for one in (t for t in terms if t in (sp.S.One, sp.S.NegativeOne)):
        for t in terms:
            together = _stable_add(one + t) if t is not one else None
            if together is not None:
                return [together] + [u for u in terms if u is not one and u is not t]
    double = [t for t in terms if _double_exponential(t)]
    rest = [t for t in terms if not _double_exponential(t)]
    return [sp.Add(*double), sp.Add(*rest)] if double and rest else terms


def _over_sum(expr):
    """N/(A + B)^k with a double exponential in A as Σ_j exp(log N_j − k·logaddexp(log A, log B)): no term overflows
    (the zero-inflated Poisson's Fisher information, with e^(e^η_λ) above and below). None where that is not the
    form."""
    for f in sp.Mul.make_args(expr):
        base, power = f.as_base_exp()
        if not (base.is_Add and power.is_Integer and power < 0 and _double_exponential(base)):
            continue
        terms = _paired(list(base.args))
        logs = [_log_of_product(t) for t in terms]
        if len(terms) != 2 or any(v is None for v in logs):
            return None
        scale = sp.exp(power * logaddexp(*logs))
        out = []
        for t in sp.Add.make_args(sp.expand(expr / f)):
            c, rest = t.as_coeff_Mul()
            log_rest = _log_of_product(rest)
            if log_rest is None:
                return None
            out.append(c * sp.exp(log_rest + power * logaddexp(*logs)))
        return sp.Add(*out) if scale is not None else None
    return None


def _complements(expr):
    """c·σ(z) + c·σ(−z) as c, and c·softplus(z) − c·softplus(−z) as c·z: identities that shorten the forms built by
    differentiating a logaddexp. None where no pair occurs."""
    terms = list(sp.Add.make_args(expr))
    for n, t in enumerate(terms):
        c, f = t.as_independent(S.sigmoid, softplus, as_Add=False)
        if not isinstance(f, (S.sigmoid, softplus)):
            continue
        sign = 1 if isinstance(f, S.sigmoid) else -1
        partner = sign * c * f.func(-f.args[0])
        if partner in terms[n + 1:]:
            rest = [u for k, u in enumerate(terms) if k != n and k != n + 1 + terms[n + 1:].index(partner)]
            return sp.Add(c if sign == 1 else c * f.args[0], *rest)
    return None


def _apply(expr, applies, rule):
    """``expr`` with ``rule(e)`` put in for every subexpression e that ``applies`` selects and the rule rewrites
    (bottom-up; the rule runs once per candidate)."""
    def rewritten(e):
        out = rule(e)
        return e if out is None else out

    return expr.replace(applies, rewritten)


def _factored_arguments(expr):
    """ψ(e^φ − e^φ·σ(η)) as ψ(e^φ·σ(−η)): a special function's argument with its common factor taken out, so that
    the rules see 1 − σ(η) (no cancellation where σ(η) is near 1); and ψ′(a)·σ(η) − ψ′(a) as ψ′(a)·(σ(η) − 1),
    the same for the terms that share a ψ or ψ′ (ψ′(a) is huge where a is tiny: the difference would cancel)."""
    expr = expr.replace(lambda e: isinstance(e, (sp.polygamma, sp.loggamma, sp.gamma)) and e.args[-1].is_Add,
                        lambda e: e.func(*e.args[:-1], sp.factor_terms(e.args[-1])))
    functions = sorted(expr.atoms(sp.polygamma), key=sp.default_sort_key)
    if not functions:
        return expr
    return expr.replace(lambda e: e.is_Add and any(f in e.args or any(f in t.args for t in e.args)
                                                   for f in functions),
                        lambda e: sp.collect(e, functions, func=sp.factor))


def stabilise(expr: sp.Expr, collect: bool = False, small_gamma: bool = True) -> sp.Expr:
    """``expr`` with every rule applied where it matches (bottom-up); an identity on the model's domain. ``collect``:
    terms that share a ψ or ψ′ are taken together first (the forms of several predicted parameters; one parameter's
    forms keep the layout their golden files record). ``small_gamma``: log Γ(c·m) of a mean that can underflow
    rewritten through Γ(x + 1) = x·Γ(x) (a metric, which needs no such margins, keeps log Γ)."""
    if collect:
        expr = _factored_arguments(expr)
    expr = _apply(expr, lambda e: isinstance(e, sp.log), lambda e: _stable_log(e.args[0]))
    expr = _apply(expr, lambda e: e.is_Mul, _mills_ratio)
    expr = _apply(expr, lambda e: e.is_Add, _stable_add)
    if small_gamma:
        expr = _apply(expr, lambda e: isinstance(e, sp.loggamma), lambda e: _small_gamma(e.args[0]))
    expr = _apply(expr, lambda e: e.is_Mul, _zero_safe)
    if _double_exponential(expr):
        expr = _apply(expr, lambda e: e.is_Mul, _over_sum)
    expr = _apply(expr, lambda e: e.is_Add, _complements)
    return expr
