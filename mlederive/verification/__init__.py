"""The verifier: decides, for every step of a document, whether its stated relation holds.

One driver for every document: each step is checked against the step it refers to (by
id), through the claim builder registered for its relation (:mod:`.claims`), and each
claim is decided by the prover (:mod:`.prover`) — symbolically within a time budget, else
at sampled points (:mod:`.sampler`), labelled so. The verdict of each step is a
:class:`~mlederive.documents.Check`; the document itself is never changed.

A step whose reference (or ``also`` step) failed is *not checked*: there is nothing sound
to check it against. A step holding nan or complex infinity never verifies. A bug of
ours inside a claim builder is an :class:`~mlederive.errors.InternalError`, never a
failed step.
"""
from __future__ import annotations

import dataclasses
import time
from dataclasses import replace

import sympy as sp

from ..budget import BudgetExceeded, clock, time_budget
from ..documents import Check, Method, Step
from ..errors import InternalError
from . import cache
from .claims import Malformed, build_claims, display_claims
from .domain import raised_by_sympy
from .nonsmooth import novel_nonsmooth
from .prover import CLAIM_BUDGET, prove

#: seconds of symbolic proving per step; claims left when it runs out go straight to the numeric check
STEP_BUDGET = 1.5
#: seconds for one positivity claim, whatever the step has spent: the lemmas that prove a probit's or cloglog's
#: curvature positive take up to a second, and a positivity claim is never decided by sampling
POSITIVITY_BUDGET = 3.0
#: seconds for a zero claim no sample may decide (the step brings in a log, a root, |·| … its reference lacks): a
#: proof or nothing, so it is not cut short by what the step's other claims spent
NO_SAMPLE_BUDGET = 3.0

_UNDEFINED = (sp.nan, sp.zoo)


def verify(document):
    """The document with ``checks``: one Check per step, in order (a copy; the input is not changed)."""
    checks: dict[str, Check] = {}
    for index, step in enumerate(document.steps):
        ref = document.reference_of(step)
        also = document.step(step.also) if step.also is not None else None
        broken = [s for s in (ref, also) if s is not None and step.relation != "definition"
                  and not checks[s.id].verified]
        if broken:
            checks[step.id] = Check(False, Method.NOT_CHECKED, "it is derived from a step that failed (%s)"
                                    % broken[0].title)
            continue
        checks[step.id] = verify_step(getattr(document, "model", None), step, ref, seed=1000 * index, also=also)
    return replace(document, checks=[checks[s.id] for s in document.steps])


def check_step(document, step: Step) -> Check:
    """Verify one step in the context of ``document`` (its references found there by id), e.g. a replaced one."""
    index = next(n for n, s in enumerate(document.steps) if s.id == step.id)
    context = document.replace_step(step)
    also = context.step(step.also) if step.also is not None else None
    return verify_step(getattr(document, "model", None), step, context.reference_of(step), seed=1000 * index,
                       also=also)


def _undefined(*exprs) -> bool:
    return any(isinstance(e, sp.Basic) and e.has(*_UNDEFINED) for e in exprs)


def verify_step(model, step: Step, ref: Step | None, seed: int = 0, also: Step | None = None) -> Check:
    """Check one step's relation to its reference step (and to ``also``, for a relation that uses two)."""
    start = time.perf_counter()
    if _undefined(step.expr):
        return Check(False, Method.SYMBOLIC, "the step holds an undefined value (nan or complex infinity)")
    if step.relation == "definition" and step.display is None:
        return Check(True, Method.DEFINITION, "stated, not derived")
    if _undefined(*(s.expr for s in (ref, also) if s is not None)):
        return Check(False, Method.SYMBOLIC, "its reference holds an undefined value (nan or complex infinity)")
    key = _step_key(model, step, ref, also, seed) if cache.enabled() else None
    if key is not None:
        hit = cache.lookup_step(key)
        if hit is not None:
            return Check(True, Method(hit["method"]), hit["detail"], time.perf_counter() - start, hit["scope"])
    check = _verify_step(model, step, ref, seed, also, start)
    if key is not None and check.verified:
        cache.store_step(key, {"method": check.method.value, "detail": check.detail, "scope": check.scope})
    return check


def _value_text(value) -> str:
    """A payload value as text for the cache key: SymPy objects by srepr, tuples element by element."""
    if isinstance(value, sp.Basic):
        return sp.srepr(value)
    if isinstance(value, (tuple, list)):
        return "(%s)" % ", ".join(_value_text(v) for v in value)
    return repr(value)


def _step_key(model, step: Step, ref: Step | None, also: Step | None, seed: int) -> str:
    """Everything the step's claims are built from (the code itself is in the cache's fingerprint)."""
    payload = step.payload
    fields = [] if payload is None else [(f.name, getattr(payload, f.name)) for f in dataclasses.fields(payload)]
    return cache.key("step", step.relation, type(payload).__name__, _value_text(fields), sp.srepr(step.expr),
                     "" if step.display is None else sp.srepr(step.display),
                     "" if ref is None else sp.srepr(ref.expr), "" if also is None else sp.srepr(also.expr),
                     str(seed), "" if model is None else model.cache_key)


def _verify_step(model, step: Step, ref: Step | None, seed: int, also: Step | None, start: float) -> Check:
    try:
        with time_budget(2 * STEP_BUDGET):
            claims = build_claims(model, step, ref, also) + display_claims(model, step)
    except BudgetExceeded:
        return Check(False, Method.NUMERIC, "building the claims exceeded the time budget")
    except (Malformed, ValueError, NotImplementedError) as exc:  # the step cannot be what it claims
        return Check(False, Method.SYMBOLIC, "malformed step: %s" % exc, time.perf_counter() - start)
    except Exception as exc:
        if raised_by_sympy(exc):  # SymPy cannot take this step's expression apart: not verified, with the reason
            return Check(False, Method.SYMBOLIC, "undecided: SymPy failed on the step (%s: %s)"
                         % (type(exc).__name__, str(exc)[:120]), time.perf_counter() - start)
        raise InternalError("building the claims of step %r (%s) failed: %s: %s"
                            % (step.id, step.relation, type(exc).__name__, exc)) from exc
    if model is not None:  # a wrong term hidden in a new kink or branch is never accepted on a sample
        references = [e for e in (ref.expr if ref is not None else None, also.expr if also is not None else None)
                      if e is not None]
        why = novel_nonsmooth([step.expr] + ([step.display] if step.display is not None else []), references) \
            if references else ""
        if why:
            claims = [dataclasses.replace(c, no_numeric=why) if c.kind == "zero" else c for c in claims]
    return _decide_all(model, step, claims, seed, start)


def _decide_all(model, step: Step, claims: list, seed: int, start: float) -> Check:
    methods = set()
    deadline = clock() + STEP_BUDGET if model is not None else None
    for n_claim, claim in enumerate(claims):
        budget = CLAIM_BUDGET if deadline is None else min(CLAIM_BUDGET, deadline - clock())
        if claim.kind == "positive":  # a positivity proof (the lemmas of .positivity) has a budget of its own
            budget = POSITIVITY_BUDGET
        elif claim.no_numeric:
            budget = NO_SAMPLE_BUDGET
        out = prove(claim, model, seed=seed + n_claim, budget=budget)
        methods.add(out.method)
        if not out.ok:
            return Check(False, Method(out.method), out.detail or claim.label, time.perf_counter() - start)
    elapsed = time.perf_counter() - start
    if step.relation == "definition":  # stated, not derived: what is proved is that its textbook form is the same
        return Check(True, Method.NUMERIC if "numeric" in methods else Method.SYMBOLIC,
                     "stated, not derived; %s" % "; ".join(c.label for c in claims), elapsed, scope="textbook form")
    if model is not None:
        method = Method.NUMERIC if "numeric" in methods else Method.SYMBOLIC
        return Check(True, method, "%d claim%s: %s" % (len(claims), "" if len(claims) == 1 else "s",
                                                      "; ".join(c.label for c in claims)), elapsed)
    method = Method.NUMERIC if "numeric" in methods else Method.SYMBOLIC if "symbolic" in methods else Method.COMPUTED
    return Check(True, method, "%d claims" % len(claims), elapsed, scope=_scope(step, claims))


def _scope(step: Step, claims: list) -> str:
    """How far an argument's claims reach when that is not said by the step alone: 'any K', or 'K = 4' where a claim
    was checked at one size."""
    return getattr(step.payload, "where", "") or "; ".join(
        c.label.split("(")[-1].rstrip(")") if "(any " in c.label else c.label.replace("equal ", "")
        for c in claims if "(any " in c.label or c.label.startswith("equal at"))
