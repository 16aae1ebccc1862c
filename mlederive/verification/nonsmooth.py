"""Which parts of a claim a sample can miss: functions with a kink, a jump, a pole or a branch.

A step that brings in such a part its reference does not have is never accepted on a sample (mlederive.verification):
a wrong term can sit in the kink or on the other branch, where no sampled point looks.
"""
from __future__ import annotations

import sympy as sp

from .. import symbolic as S

#: functions whose value depends on a branch or that have a kink, jump or pole a sample can miss
NONSMOOTH = (sp.log, sp.Abs, sp.sign, sp.Max, sp.Min, sp.Heaviside, sp.Piecewise, sp.floor, sp.ceiling,
             sp.DiracDelta, sp.atan2, sp.arg, sp.re, sp.im, sp.asin, sp.acos, sp.LambertW)


def nonsmooth_parts(expr) -> set:
    """The non-smooth and branch-dependent applications in ``expr`` that mention a variable — a log, a root (a
    non-integer power), |·|, sgn, max, min, a step, a piecewise — with our named functions written out, so that
    log σ(η) and log(1/(1 + e^{−η})) are one."""
    if not isinstance(expr, sp.Basic):
        return set()
    plain = _one_exponential(S.expand_functions(expr))
    found = {e for e in plain.atoms(*NONSMOOTH) if e.free_symbols}
    found |= {p for p in plain.atoms(sp.Pow) if p.free_symbols and p.exp.is_number and not p.exp.is_integer}
    return found


def _one_exponential(expr):
    """e^a·e^b as e^(a + b) (an identity everywhere): log(e^a·e^b + 1) and log(e^(a + b) + 1) are one part."""
    def merged(e):
        exps = [f for f in e.args if isinstance(f, sp.exp)]
        rest = [f for f in e.args if not isinstance(f, sp.exp)]
        return sp.Mul(*rest) * sp.exp(sp.Add(*[f.args[0] for f in exps]))

    return expr.replace(lambda e: e.is_Mul and sum(isinstance(f, sp.exp) for f in e.args) > 1, merged)


def novel_nonsmooth(step_exprs, reference_exprs) -> str:
    """Why a numeric check may not judge a step: the non-smooth or branch-dependent parts it has and its references
    do not ("" when there are none)."""
    ours = set().union(*(nonsmooth_parts(e) for e in step_exprs))
    theirs = set().union(*(nonsmooth_parts(e) for e in reference_exprs))
    new = sorted((str(e) for e in ours - theirs), key=len)
    return "the step brings in %s, which its reference does not have" % ", ".join(new[:3]) if new else ""
