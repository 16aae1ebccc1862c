"""The verifier: decides, for every step, whether its stated relation holds.

Each relation turns into *claims* — expressions that must vanish identically
(or be positive) on the model's domain. A claim is proved symbolically when a
short sequence of targeted rewrites reaches zero within a time budget; when
SymPy cannot decide in time, it is checked numerically at ≥ 20 random points
of the domain and reported as ``numeric``, never as proved. Claims are made on
one observation's term (the summand) and again on the whole sample unrolled
for n = 3, with η_i produced by a small concrete predictor so that "θ-free"
and "gradient" are checked against the real parameters.
"""
from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass

import sympy as sp

from . import symbolic as S
from .budget import BudgetExceeded, time_budget
from .links import inverse_residuals
from .predictors import GradF
from .steps import Check, Derivation, Step

UNROLL_SIZE = 3
NUMERIC_POINTS = 20
#: seconds SymPy may spend on one claim before the numeric fallback
CLAIM_BUDGET = 1.0
#: seconds of symbolic proving per step; claims left when it runs out go straight to the numeric check
STEP_BUDGET = 1.5


@dataclass(frozen=True)
class Claim:
    kind: str  # "zero" | "positive" | "fact" (already decided by exact or IEEE arithmetic: expr is a bool)
    expr: sp.Expr
    label: str


@dataclass(frozen=True)
class Outcome:
    ok: bool
    method: str
    detail: str = ""


# -- proving a single claim -------------------------------------------------------------------

def _is_zero(e) -> bool:
    # Structural test only: asking SymPy's assumption system (e.is_zero) costs more than the rewrites.
    return e == 0


def _by_observation(expr: sp.Expr) -> list:
    """The additive terms of ``expr`` grouped by the observations (rows j of y_j, η_j, x_jc …) they mention.

    Terms that share a row are in one group; terms that mention no row form their own.
    When every group is identically zero, so is the sum — and each group is the size of one
    observation's term, where ``together``/``cancel`` do not have to build a common denominator
    across the whole sample.
    """
    terms = []
    for term in sp.Add.make_args(expr):  # c·(a + b) → c·a + c·b at the top level only
        terms.extend(sp.Add.make_args(sp.expand(term, deep=False, mul=True, multinomial=False, power_exp=False,
                                                power_base=False, log=False)) if term.is_Mul else (term,))
    groups: list[tuple[set, list]] = []
    for term in terms:
        rows = {a.indices[0] for a in term.atoms(sp.Indexed) if a.indices[0].is_Integer}
        merged = [g for g in groups if g[0] & rows] if rows else [g for g in groups if not g[0]]
        rows_all, members = set(rows), [term]
        for g in merged:
            groups.remove(g)
            rows_all |= g[0]
            members += g[1]
        groups.append((rows_all, members))
    return [sp.Add(*members) for _, members in groups]


def _symbolic_zero(expr: sp.Expr, budget: float) -> tuple[bool, bool]:
    """(proved, used_force). Observation by observation when the claim separates, else whole."""
    if _is_zero(expr):
        return True, False
    deadline = time.perf_counter() + budget
    parts = _by_observation(expr)
    if len(parts) > 1:
        forced, proved_forms = False, set()
        for part in parts:
            form = _as_first_observation(part)
            if form in proved_forms:  # the same as a group already proved, up to renaming the row
                continue
            proved, used_force = _rewrite_to_zero(part, deadline)
            if not proved:
                break
            forced |= used_force
            proved_forms.add(form)
        else:
            return True, forced
    return _rewrite_to_zero(expr, deadline)


def _as_first_observation(part: sp.Expr) -> sp.Expr:
    """A one-observation group renamed to row 1 (y_3, x_3c → y_1, x_1c), so equal groups compare equal.

    Renaming free symbols bijectively maps an identity to an identity, so a group equal to an
    already proved one after renaming needs no proof of its own.
    """
    atoms = part.atoms(sp.Indexed)
    rows = {a.indices[0] for a in atoms if a.indices[0].is_Integer}
    if len(rows) != 1:
        return part
    return part.xreplace({a: a.base[(sp.Integer(1),) + a.indices[1:]] for a in atoms if a.indices[0] in rows})


def _rewrite_to_zero(expr: sp.Expr, deadline: float) -> tuple[bool, bool]:
    """(proved, used_force). Cheap targeted rewrites first, a bounded simplify last."""
    if _is_zero(expr):
        return True, False
    attempts = [
        (False, lambda e: sp.expand(e)),
        (True, lambda e: sp.expand(sp.expand_log(e, force=True))),
        (False, lambda e: sp.cancel(sp.together(sp.expand(S.expand_functions(e))))),
        (True, lambda e: sp.cancel(sp.expand(sp.expand_log(S.expand_functions(e), force=True)))),
        (True, lambda e: sp.simplify(sp.expand_log(S.expand_functions(e), force=True))),
    ]
    for used_force, attempt in attempts:
        left = deadline - time.perf_counter()
        if left <= 0:
            break
        try:
            with time_budget(left):
                if _is_zero(attempt(expr)):
                    return True, used_force
        except BudgetExceeded:
            break
        except (AttributeError, TypeError, ValueError, NotImplementedError, RecursionError, ZeroDivisionError):
            continue  # a rewrite SymPy cannot do on this expression (or a SymPy bug): not a proof, try the next
    return False, False


def _inside(region: sp.Set, value: float) -> bool:
    """``value ∈ region`` with float comparisons (SymPy's Set.contains is slow in a sampling loop)."""
    if region == sp.S.Reals:
        return True
    if isinstance(region, sp.Union):
        return any(_inside(part, value) for part in region.args)
    if isinstance(region, sp.Interval):
        lo, hi = float(region.start), float(region.end)
        above = value > lo if region.left_open else value >= lo
        below = value < hi if region.right_open else value <= hi
        return above and below
    return bool(region.contains(value))


def _sampler(model, rng: random.Random):
    """Assign a value from the model's domain to every free quantity of an expression."""
    fam, link = model.family, model.link

    def mean_value():
        """A mean the family allows and the link can produce (e.g. in (0, 1) for poisson-probit)."""
        for _ in range(50):
            m = fam.sample_mean(rng)
            if _inside(link.mean_domain, m) and _inside(fam.mean_domain, m):
                return sp.Float(m, 30)
        return sp.Float(rng.uniform(0.05, 0.95), 30)

    def value_for(atom, row_onehot):
        if isinstance(atom, sp.Indexed):
            base = atom.base.label.name
            if base == "y":
                if model.vector:
                    row = atom.indices[0]
                    if row not in row_onehot:
                        hot = rng.randrange(model.classes)
                        row_onehot[row] = [1 if c == hot else 0 for c in range(model.classes)]
                    return sp.Integer(row_onehot[row][int(atom.indices[1]) - 1])
                v = fam.sample_y(rng)
                return sp.Integer(int(v)) if fam.discrete else sp.Float(v, 30)
            if base == "eta":
                if model.vector:
                    return sp.Float(rng.uniform(-2, 2), 30)
                return sp.N(link(mean_value()), 30)
            if base == "mu":
                return mean_value()
            return sp.Float(rng.uniform(-1.5, 1.5), 30)  # x and anything else
        if isinstance(atom, GradF):
            return sp.Float(rng.uniform(-1.5, 1.5), 30)
        if atom == S.n:
            return sp.Integer(rng.randint(1, 6))
        if atom.is_positive:
            return sp.Float(rng.uniform(0.5, 2.5), 30)
        if atom.is_integer:
            return sp.Integer(rng.randint(0, 5))
        return sp.Float(rng.uniform(-1.5, 1.5), 30)

    theta_1, theta_2 = sp.Symbol("theta_1", real=True), sp.Symbol("theta_2", real=True)

    def land_in_domain(values):
        """Unrolled linear predictor: choose x_j1 so that η_j = θ₁x_j1 + θ₂x_j2 is a valid η for the pair
        (inside any constraint such as η > 0), exactly as a sampled η_i would be."""
        if model.vector or model.predictor.name != "linear" or theta_1 not in values or theta_2 not in values:
            return values
        values[theta_1] = sp.Float(rng.choice((-1, 1)) * rng.uniform(0.5, 1.5), 30)
        for atom in [a for a in values if isinstance(a, sp.Indexed) and a.base == S.x and len(a.indices) == 2
                     and a.indices[1] == 1]:
            row = atom.indices[0]
            target = sp.N(link(mean_value()), 30)
            values[atom] = (target - values[theta_2] * values.get(S.x[row, 2], 0)) / values[theta_1]
        return values

    atom_cache: dict = {}

    def atoms_of(expr):
        if expr not in atom_cache:  # the same claim is sampled at many points: find its atoms once
            atoms = list(expr.atoms(sp.Indexed)) + list(expr.atoms(GradF))
            atoms += [s for s in expr.free_symbols if not isinstance(s, (sp.Indexed, sp.IndexedBase, sp.Idx))
                      and not any(s in a.free_symbols for a in atoms)]
            atom_cache[expr] = sorted(atoms, key=sp.default_sort_key)
        return atom_cache[expr]

    def sample(expr):
        onehot: dict = {}
        return land_in_domain({a: value_for(a, onehot) for a in atoms_of(expr)})

    return sample


def _evaluate(expr, values):
    v = expr.xreplace(values)
    v = S.expand_functions(v).doit().evalf(30)
    if not v.is_number:
        return None
    try:
        c = complex(v)
    except TypeError:  # something stayed symbolic (an unevaluated function): not a point we can use
        return None
    if not all(map(math.isfinite, (c.real, c.imag))) or abs(c.imag) > 1e-12 * (1 + abs(c.real)):
        return None
    return c.real


def _plain_sampler(rng: random.Random):
    """Values for expressions without a model: by each symbol's assumptions (positive → (0.05, 2.5))."""

    def value_for(atom):
        ref = atom.base.label if isinstance(atom, sp.Indexed) else atom
        if ref.is_integer:
            return sp.Integer(rng.randint(1, 6))
        if ref.is_positive:
            return sp.Float(rng.uniform(0.05, 2.5), 30)
        return sp.Float(rng.uniform(-2.5, 2.5), 30)

    def sample(expr):
        # opaque functions (q_θ(k): "any model probability") get a value per distinct argument
        opaque = sorted((f for f in expr.atoms(sp.Function) if getattr(type(f), "opaque", False)),
                        key=sp.default_sort_key)
        values = {f: sp.Float(rng.uniform(0.05, 0.95), 30) for f in opaque}
        atoms = list(expr.atoms(sp.Indexed))
        atoms += [s for s in expr.free_symbols if not isinstance(s, (sp.Indexed, sp.IndexedBase, sp.Idx))
                  and not any(s in a.free_symbols for a in atoms)]
        # a fixed order, so the seeded points do not depend on the process's hash seed
        values.update({a: value_for(a) for a in sorted(atoms, key=sp.default_sort_key)})
        return values

    return sample


class _Points:
    """A claim's expression evaluated at sampled points: (value, Σ|term|) per point, or None.

    Compiled once into mpmath closures (mlederive.evaluate) at 30 digits; an expression with
    something the evaluator does not know (an unevaluated Sum, a rare special function) goes
    through SymPy's substitution and evalf instead, term by term.
    """

    def __init__(self, expr, keys):
        import mpmath

        from .evaluate import Evaluator, Unsupported

        self.expr, self.keys, self.mp = expr, keys, mpmath
        try:
            self.fast = Evaluator(expr, keys)
        except Unsupported:
            self.fast = None

    def __call__(self, values):
        if self.fast is not None:
            with self.mp.workdps(30):
                out = self.fast.with_magnitude([values[k] for k in self.keys])
            if out is None:
                return None
            value, size = out
        else:
            parts = [_evaluate(t, values) for t in sp.Add.make_args(self.expr)]
            if any(p is None for p in parts):
                return None
            value, size = complex(math.fsum(parts)), sum(map(abs, parts))
        if abs(value.imag) > 1e-12 * (1 + abs(value.real)):
            return None
        return value.real, size


def _numeric(claim: Claim, model, points: int, seed: int) -> tuple[bool, str]:
    rng = random.Random(seed)
    sample = _sampler(model, rng) if model is not None else _plain_sampler(rng)
    good, tries = 0, 0
    evaluate = None
    while good < points and tries < points * 6:
        tries += 1
        values = sample(claim.expr)
        if evaluate is None:
            evaluate = _Points(claim.expr, list(values))
        out = evaluate(values)
        if out is None:
            continue
        v, size = out
        if claim.kind == "zero":
            # the size of the terms sets the tolerance: cancellation of large terms leaves rounding
            if abs(v) > 1e-9 * (1 + abs(v) + size):
                return False, "%s: nonzero (%.3g) at a sampled point" % (claim.label, v)
        elif not v > 0:
            return False, "%s: not positive (%.3g) at a sampled point" % (claim.label, v)
        good += 1
    if good < points:
        return False, "%s: only %d of %d numeric points could be evaluated" % (claim.label, good, points)
    return True, ""


def prove(claim: Claim, model, seed: int = 0, budget: float = CLAIM_BUDGET) -> Outcome:
    """Decide one claim: symbolically within ``budget`` seconds, else numerically (labelled so).

    Successes are remembered in the on-disk cache (mlederive.cache), keyed by the exact
    expression, the model and the seed; failures are always recomputed.
    """
    if claim.kind == "fact":  # decided by exact or IEEE arithmetic done in the claim itself
        return Outcome(bool(claim.expr), "computed", "" if claim.expr else claim.label + ": false")
    from . import cache

    if not cache.enabled():
        return _decide(claim, model, seed, budget)
    key = cache.key(claim.kind, sp.srepr(claim.expr), str(seed), model.cache_key if model is not None else "")
    method = cache.lookup(key)
    if method is not None:
        return Outcome(True, method, "cached")
    out = _decide(claim, model, seed, budget)
    if out.ok:
        cache.store(key, out.method)
    return out


def _decide(claim: Claim, model, seed: int, budget: float) -> Outcome:
    expr = claim.expr
    if claim.kind == "zero" and budget > 0:
        proved, used_force = _symbolic_zero(expr, budget)
        if proved:
            if used_force:
                # force=True splits logs assuming positive arguments; corroborate on real points.
                ok, why = _numeric(claim, model, 8, seed)
                if not ok:
                    return Outcome(False, "symbolic", why)
            return Outcome(True, "symbolic")
    elif claim.kind == "positive":
        if expr.is_positive is True or S.expand_functions(expr).is_positive is True:
            return Outcome(True, "symbolic")
        try:  # σ(η)(1 − σ(η)) becomes e^{−η}/(1 + e^{−η})², visibly positive
            with time_budget(max(budget, 0.2)):
                if sp.cancel(sp.together(S.expand_functions(expr))).is_positive is True:
                    return Outcome(True, "symbolic")
        except BudgetExceeded:
            pass
    ok, why = _numeric(claim, model, NUMERIC_POINTS, seed)
    return Outcome(ok, "numeric", why)


# -- the relations ------------------------------------------------------------------------

def _summand(expr):
    """One observation's term of a sum (or factor of a product) over the sample; a prior's penalty is left out."""
    return S.to_factor(expr) if isinstance(expr, sp.Product) else S.to_summand(_split_penalty(expr)[0])


def _split_penalty(expr):
    """(data terms, penalty terms) of an objective: a prior's terms mention the weights θ_j (or θ), or d."""
    data, penalty = [], []
    for term in sp.Add.make_args(expr):
        (penalty if term.has(S.weights.label) or term.has(S.d) else data).append(term)
    return sp.Add(*data), sp.Add(*penalty)


class _Claims:
    """Builds the claims of one step against its reference."""

    def __init__(self, model, step: Step, ref: Step | None, also: Step | None = None):
        self.model, self.step, self.ref, self.also = model, step, ref, also
        self.out: list[Claim] = []

    def zero(self, expr, label):
        self.out.append(Claim("zero", expr, label))

    def positive(self, expr, label):
        self.out.append(Claim("positive", expr, label))

    # concrete forms
    def c(self, expr, **kw):
        return self.model.concretize(expr, **kw)

    def unrolled(self, expr, k_value=None):
        return self.model.concretize(expr, size=UNROLL_SIZE, k_value=k_value)

    def theta_instance(self):
        return self.model.predictor.concrete(UNROLL_SIZE, self.model.classes if self.model.vector else None)


def _claims_definition(cl: _Claims):
    return


def _claims_substitution(cl: _Claims):
    m, step, ref = cl.model, cl.step, cl.ref
    inverse = step.data["inverse"]
    cl.zero(cl.c(step.expr - ref.expr.xreplace({m.mu_obs(): inverse})), "density with μ = g⁻¹(η)")
    if m.vector:
        mus = [cl.c(inverse, k_value=c) for c in range(1, m.classes + 1)]
        etas = [e for e, _ in m.eta_components()]
    else:
        mus, etas = [inverse], [m.eta_obs()]
    for r in inverse_residuals(m.link, mus, etas):
        cl.zero(r, "g(g⁻¹(η)) = η")


def _claims_iid_product(cl: _Claims):
    cl.zero(cl.c(S.to_factor(cl.step.expr) - cl.ref.expr), "factor of the product = one observation's density")


def _claims_log(cl: _Claims):
    cl.zero(cl.c(_summand(cl.step.expr) - sp.log(_summand(cl.ref.expr))), "summand = log of factor")
    cl.zero(cl.unrolled(cl.step.expr) - sp.log(cl.unrolled(cl.ref.expr)), "unrolled, n=%d" % UNROLL_SIZE)


def _claims_equal(cl: _Claims):
    cl.zero(cl.c(_summand(cl.step.expr) - _summand(cl.ref.expr)), "summands equal")
    cl.zero(cl.unrolled(cl.step.expr - cl.ref.expr), "unrolled, n=%d" % UNROLL_SIZE)


def _claims_negated(cl: _Claims):
    cl.zero(cl.c(_summand(cl.step.expr) + _summand(cl.ref.expr)), "summands opposite")
    cl.zero(cl.unrolled(cl.step.expr + cl.ref.expr), "unrolled, n=%d" % UNROLL_SIZE)


def _claims_constant_dropped(cl: _Claims):
    m = cl.model
    diff = cl.c(_summand(cl.ref.expr) - _summand(cl.step.expr))
    for p in m.summand_learned():
        cl.zero(sp.diff(diff, p), "dropped part free of %s" % p)
    dropped = cl.step.data.get("dropped")
    if dropped is not None:
        listed = cl.c(S.to_summand(sp.Add(*dropped)))
        cl.zero(diff - listed, "dropped terms are exactly the difference")
    eta_values, comps = cl.theta_instance()
    whole = cl.unrolled(cl.ref.expr - cl.step.expr).xreplace(eta_values)
    for t, _, _ in comps:
        cl.zero(sp.diff(whole, t), "unrolled n=%d: free of %s" % (UNROLL_SIZE, t))
    for p in m.learned_params():
        cl.zero(sp.diff(whole, p), "unrolled n=%d: free of %s" % (UNROLL_SIZE, p))


def _claims_rescaled(cl: _Claims):
    """step = c·reference, with the stated factor c proved free of θ and of the data, and positive."""
    m = cl.model
    factor = cl.step.data.get("factor")
    if factor is None:  # no stated factor: the ratio is the factor
        factor = sp.cancel(cl.c(_summand(cl.step.expr)) / cl.c(_summand(cl.ref.expr)))
    cl.zero(cl.c(_summand(cl.step.expr) - factor * _summand(cl.ref.expr)), "summand = factor × reference")
    for v in m.summand_learned() + m.y_components():
        cl.zero(sp.diff(factor, v), "factor free of %s" % v)
    cl.positive(factor, "factor positive")
    eta_values, comps = cl.theta_instance()
    whole = (cl.unrolled(cl.step.expr) - factor.subs(S.n, UNROLL_SIZE) * cl.unrolled(cl.ref.expr)).xreplace(eta_values)
    cl.zero(whole, "unrolled n=%d: step = factor × reference" % UNROLL_SIZE)


def _chain_rule(whole, eta_values, t):
    """∂whole/∂t where every η_j in ``whole`` is the concrete predictor ``eta_values[η_j]`` of θ.

    Σ_j ∂whole/∂η_j · ∂η_j/∂t, with η_j left as free symbols: the derivative of the loss
    in η is taken on its own (short) form instead of on the loss with θ·x substituted,
    where SymPy's expressions — and the proof that the claim matches — grow with every
    term. An identity in free η_j implies it along η_j = f_θ(x_j), which is the claim.
    """
    total = sp.S.Zero
    for e, f in eta_values.items():
        if whole.has(e):
            total += sp.diff(whole, e) * sp.diff(f, t)
    return total + (sp.diff(whole, t) if whole.has(t) else 0)


def _claims_derivative(cl: _Claims):
    m, step = cl.model, cl.step
    wrt = step.data["wrt"]
    if wrt == "eta2":  # the curvature: the reference is the ∂/∂η step
        e = m.eta_obs()
        cl.zero(cl.c(step.expr) - sp.diff(cl.c(cl.ref.expr), e), "∂²ℓ_i/∂%s²" % e)
        if step.data.get("convex"):
            cl.positive(cl.c(step.expr), "curvature positive (convex)")
        return
    r = _summand(cl.ref.expr)
    if wrt == "eta":
        for e, kk in m.eta_components():
            claimed = cl.c(step.expr, k_value=kk)
            cl.zero(claimed - sp.diff(cl.c(r), e), "∂ℓ_i/∂%s" % e)
        chain = step.data.get("chain")
        if chain is not None:
            dl_dmu, dmu_deta = chain
            mean = m.mean()
            cl.zero((dl_dmu * dmu_deta).xreplace({m.mu_obs(): mean}) - step.expr, "chain-rule factors multiply to the claim")
            cl.zero(dmu_deta.xreplace({m.mu_obs(): mean}) - sp.diff(mean, m.eta_obs()), "dμ/dη of the link")
        return
    if wrt == "theta":
        jac = m.predictor.jacobian(S.i)
        s = _summand(step.expr)
        for e, kk in m.eta_components():
            cl.zero(cl.c(s, k_value=kk) - sp.diff(cl.c(r), e) * jac, "summand = ∂ℓ_i/∂η_i · ∂η_i/∂θ")
        eta_values, comps = cl.theta_instance()
        loss = cl.unrolled(cl.ref.expr)
        for t, jsubs, kk in comps:
            claimed = cl.unrolled(step.expr, k_value=kk).xreplace(jsubs)
            cl.zero(claimed - _chain_rule(loss, eta_values, t), "unrolled n=%d: ∂L/∂%s" % (UNROLL_SIZE, t))
        return
    p = m.params[wrt]
    cl.zero(cl.c(S.to_summand(step.expr) - sp.diff(r, p)), "summand = ∂ℓ_i/∂%s" % p)
    cl.zero(cl.unrolled(step.expr) - sp.diff(cl.unrolled(cl.ref.expr), p), "unrolled n=%d: ∂L/∂%s" % (UNROLL_SIZE, p))


def _claims_expectation(cl: _Claims):
    """E_y[f(y)] = f(μ) needs f linear in y: prove that, then the substitution."""
    m = cl.model
    f = cl.c(cl.ref.expr)
    y_i = m.y_obs()
    cl.zero(sp.diff(f, y_i, 2), "linear in %s" % y_i)
    cl.zero(cl.c(cl.step.expr) - f.subs(y_i, cl.c(cl.step.data["mean"])), "y replaced by its mean μ = g⁻¹(η)")


def _claims_negative_log(cl: _Claims):
    """−log of a product over the weights, at d = 2 written out."""
    cl.zero(cl.c(cl.step.expr) + sp.log(cl.c(cl.ref.expr)), "step = −log(reference) at d = 2")


def _claims_bayes(cl: _Claims):
    """−log posterior + const = the reference's negative log-likelihood + the ``also`` step's −log prior."""
    if cl.also is None:
        raise ValueError("the bayes relation needs the negative log-prior step (also)")
    step, ref = cl.step.expr, cl.ref.expr
    cl.zero(cl.c(_summand(step) - _summand(ref)), "data terms are the negative log-likelihood's")
    cl.zero(cl.c(_split_penalty(step)[1] - _split_penalty(ref)[1]) - cl.c(cl.also.expr), "the rest is −log p(θ) (d = 2)")
    cl.zero(cl.unrolled(step) - cl.unrolled(ref) - cl.c(cl.also.expr), "unrolled n=%d, d = 2" % UNROLL_SIZE)


def _concrete_point(formula) -> tuple[list, sp.Expr]:
    """θ̂ as a matrix formula in X (n × d) and y, made concrete at n = 3, d = 2.

    Returns (numerators, denominator): θ̂_c = numerators[c] / denominator, the denominator
    being det of the inverted matrix (adj(M)/det(M): polynomials, nothing to simplify).
    """
    from .predictors import CONCRETE_DIM

    rows, cols = UNROLL_SIZE, CONCRETE_DIM
    dets = []

    def explicit(e):
        if isinstance(e, sp.MatrixSymbol):
            if e.shape[1] == 1:
                return sp.Matrix(rows, 1, lambda r, c: S.y[r + 1])
            return sp.Matrix(rows, cols, lambda r, c: S.x[r + 1, c + 1])
        if isinstance(e, sp.Identity):
            return sp.eye(cols)
        if isinstance(e, sp.Transpose):
            return explicit(e.arg).T
        if isinstance(e, sp.Inverse):  # adj(M), with det(M) kept aside; M.inv() would first simplify
            m = explicit(e.arg)
            dets.append(m.det(method="berkowitz"))
            return m.adjugate(method="berkowitz")
        if isinstance(e, sp.MatMul):
            scalar, out = sp.S.One, None
            for a in e.args:
                if a.is_Matrix:
                    out = explicit(a) if out is None else out * explicit(a)
                else:
                    scalar *= a
            return scalar * out
        if isinstance(e, sp.MatAdd):
            return sum((explicit(a) for a in e.args[1:]), explicit(e.args[0]))
        raise ValueError("cannot evaluate %s in the stated θ̂" % type(e).__name__)

    numerators = list(explicit(formula))
    return numerators, sp.Mul(*dets)


def _claims_stationary(cl: _Claims):
    """The stated θ̂ zeroes the reference loss's gradient in every weight; the Hessian there is positive definite.

    The loss written out for n = 3 is quadratic in θ: its Hessian H is proved free of θ, so the
    gradient is exactly g(θ) = g(0) + Hθ. With θ̂ = N/D (D = det of the inverted matrix, positive
    for full-rank X), g(θ̂) = 0 is D·g(0) + H·N = 0: a polynomial identity, no fractions.
    """
    eta_values, comps = cl.theta_instance()
    whole = cl.unrolled(cl.ref.expr).xreplace(eta_values)
    thetas = [t for t, _, _ in comps]
    numerators, det = _concrete_point(cl.step.expr)
    grad = [sp.diff(whole, t) for t in thetas]
    hess = sp.Matrix(len(thetas), len(thetas), lambda r, c: sp.diff(grad[r], thetas[c]))
    for entry in dict.fromkeys(hess):  # distinct entries, in a fixed order (seeds follow the claim order)
        for t in thetas:
            cl.zero(sp.diff(entry, t), "the loss is quadratic in θ: its Hessian is free of %s" % t)
    at_zero = {t: 0 for t in thetas}
    for r, t in enumerate(thetas):
        claim = det * grad[r].xreplace(at_zero) + sum(hess[r, c] * numerators[c] for c in range(len(thetas)))
        cl.zero(claim, "unrolled n=%d: det·∂L/∂%s = 0 at θ̂" % (UNROLL_SIZE, t))
    cl.positive(det, "the inverted matrix has a positive determinant (X of full rank)")
    cl.positive(hess[0, 0], "Hessian: leading entry positive")
    cl.positive(hess.det(), "Hessian: determinant positive (a minimum)")


CLAIMS = {
    "definition": _claims_definition,
    "negative-log": _claims_negative_log,
    "bayes": _claims_bayes,
    "stationary": _claims_stationary,
    "expectation": _claims_expectation,
    "substitution": _claims_substitution,
    "iid-product": _claims_iid_product,
    "log": _claims_log,
    "equal": _claims_equal,
    "constant-dropped": _claims_constant_dropped,
    "negated": _claims_negated,
    "rescaled": _claims_rescaled,
    "derivative": _claims_derivative,
}


def claims_for(model, step: Step, ref: Step | None, also: Step | None = None) -> list[Claim]:
    cl = _Claims(model, step, ref, also)
    CLAIMS[step.relation](cl)
    return cl.out


def verify_step(model, step: Step, ref: Step | None, seed: int = 0, also: Step | None = None) -> Check:
    """Check one step's relation to its reference step (and to ``also``, for a relation that uses two)."""
    start = time.perf_counter()
    if step.relation == "definition":
        return Check(True, "definition", "stated, not derived")
    try:
        with time_budget(2 * STEP_BUDGET):
            claims = claims_for(model, step, ref, also)
    except (ValueError, TypeError, KeyError) as exc:  # malformed step: it cannot be what it claims
        return Check(False, "symbolic", "malformed step: %s" % exc, time.perf_counter() - start)
    except BudgetExceeded:
        return Check(False, "numeric", "building the claims exceeded the time budget")
    methods = set()
    deadline = start + STEP_BUDGET
    for n_claim, claim in enumerate(claims):
        budget = min(CLAIM_BUDGET, deadline - time.perf_counter())
        out = prove(claim, model, seed=seed + n_claim, budget=budget)
        methods.add(out.method)
        if not out.ok:
            return Check(False, out.method, out.detail or claim.label, time.perf_counter() - start)
    method = "numeric" if "numeric" in methods else "symbolic"
    detail = "%d claims (summand and unrolled n=%d)" % (len(claims), UNROLL_SIZE)
    return Check(True, method, detail, time.perf_counter() - start)


def verify(derivation: Derivation) -> Derivation:
    """Fill ``derivation.checks`` with one Check per step, in order."""
    checks = []
    for index, step in enumerate(derivation.steps):
        ref_index = index - 1 if step.reference is None else step.reference
        ref = derivation.steps[ref_index] if ref_index >= 0 else None
        also = derivation.steps[step.also] if step.also is not None else None
        checks.append(verify_step(derivation.model, step, ref, seed=1000 * index, also=also))
    derivation.checks = checks
    return derivation


def quick_reject(claim: Claim, model) -> bool:
    """True when three random points already show the claim false (cheap pre-filter)."""
    ok, _ = _numeric(claim, model, 3, seed=7)
    return not ok


# -- documents without a model: the articles' arguments ------------------------------------------
#
# Steps of an Argument state their facts in ``step.data``; each relation below
# turns them into claims, exactly as for derivations, and the same provers decide.

def _zero(expr, label):
    return Claim("zero", expr, label)


def _concrete(expr, data):
    """Fix the step's stated concrete sizes (K, n) and sample values, writing sums out in between."""
    subs = data.get("concrete")
    if subs:
        expr = expr.subs(subs)
    if expr.has(sp.Sum, sp.Product):
        expr = S.write_out(expr)
    return expr.subs(subs) if subs else expr


def _one_sum(expr):
    """Σ_j c_j·Sum(f_j, L) with one set of limits L → the summand Σ_j c_j·f_j (None if not of that form)."""
    limits, body = None, []
    for term in sp.Add.make_args(sp.expand(expr)):
        coeff, sums = sp.S.One, []
        for factor in sp.Mul.make_args(term):
            if isinstance(factor, sp.Sum):
                sums.append(factor)
            else:
                coeff *= factor
        if len(sums) != 1:
            return None
        if limits is None:
            limits = sums[0].limits
        if sums[0].limits != limits or any(coeff.has(v) for v, _, _ in limits):
            return None
        body.append(coeff * sums[0].function)
    return sp.Add(*body) if limits is not None else None


def _plain_equal(step, ref):
    # "of": the step equals an expression built from its reference (e.g. (1/N)·log of it), shown in its lhs
    diff = step.expr - step.data.get("of", ref.expr)
    if "concrete" in step.data:
        summand = _one_sum(diff) if not step.data.get("sample") else None
        if summand is not None:  # provable for a symbolic size: one sum, so its summand must vanish
            return [_zero(summand, "equal summand by summand (symbolic %s)" % ", ".join(
                str(hi) for _, _, hi in _limits(diff)))]
        where = ", ".join("%s = %s" % (k, v) for k, v in step.data["concrete"].items()
                          if isinstance(k, sp.Symbol))
        return [_zero(_concrete(diff, step.data), "equal at %s" % where)]
    return [_zero(diff, "equal")]


def _limits(expr):
    return next(iter(expr.atoms(sp.Sum))).limits


def _plain_derivative(step, ref):
    of = step.data.get("of", ref.expr if ref is not None else None)
    claimed = step.expr.subs(step.data.get("view", {}))  # e.g. ŷ written for σ(θx)
    return [_zero(claimed - sp.diff(of, step.data["wrt"]), "derivative by %s" % step.data["wrt"])]


def _plain_substitution(step, ref):
    # xreplace, not subs: the substitution may name a summation index (p[k] → c[k]/n inside Σ_k)
    return [_zero(_concrete(step.expr - ref.expr.xreplace(step.data["subs"]), step.data), "substitution")]


def _plain_constant_dropped(step, ref):
    diff = ref.expr - step.expr
    return [_zero(sp.diff(diff, t).doit(), "difference free of %s" % t) for t in step.data["theta"]]


def _plain_rescaled(step, ref):
    ratio = sp.cancel(step.expr / ref.expr)
    claims = [_zero(sp.diff(ratio, t), "factor free of %s" % t) for t in step.data["theta"]]
    return claims + [Claim("positive", ratio, "factor positive")]


def _plain_negated(step, ref):
    return [_zero(_concrete(step.expr + ref.expr, step.data), "negated")]


def _plain_limit(step, ref):
    of, var, point = step.data["of"], step.data["var"], step.data["point"]
    with time_budget(CLAIM_BUDGET):
        value = sp.limit(S.expand_functions(of), var, point)
    return [_zero(step.expr - value, "limit as %s → %s" % (var, point))]


def _fact(holds: bool, label: str) -> Claim:
    return Claim("fact", bool(holds), label)


def _plain_evaluated(step, ref):
    """The exact value equals the reference; each printed decimal (value, unit) matches it to 1e-12."""
    claims = [] if ref is None or step.data.get("standalone") else \
        [_zero(step.expr - ref.expr.subs(step.data.get("subs", {})), "the exact value is the previous step's")]
    for label, (value, unit) in step.data["decimals"].items():
        exact = float(sp.N(step.expr / unit, 40))
        claims.append(_fact(abs(exact - value) <= 1e-12 * (1 + abs(exact)), "%s printed as %r" % (label, value)))
    return claims


def _plain_differs(step, ref):
    gap = sp.N(step.expr - step.data["other"], 40)
    return [_fact(gap.is_number and abs(gap) > 1e-20, "differs from %s" % S.inline(step.data["other"]))]


def _plain_float64_underflow(step, ref):
    p, n = float(step.data["p"]), int(step.expr)
    return [_fact(math.prod([p] * n) == 0.0, "product of %d copies is 0.0" % n),
            _fact(n >= 1 and math.prod([p] * (n - 1)) > 0.0, "product of %d copies is > 0" % (n - 1))]


PLAIN_CLAIMS = {
    "equal": _plain_equal,
    "derivative": _plain_derivative,
    "substitution": _plain_substitution,
    "constant-dropped": _plain_constant_dropped,
    "rescaled": _plain_rescaled,
    "negated": _plain_negated,
    "limit": _plain_limit,
    "evaluated": _plain_evaluated,
    "differs": _plain_differs,
    "float64-underflow": _plain_float64_underflow,
}


def verify_plain_step(step: Step, ref: Step | None, seed: int = 0) -> Check:
    start = time.perf_counter()
    if step.relation == "definition":
        return Check(True, "definition", "stated, not derived")
    if step.relation not in PLAIN_CLAIMS:
        return Check(False, "symbolic", "no verifier for relation %r here" % step.relation)
    try:
        claims = PLAIN_CLAIMS[step.relation](step, ref)
    except BudgetExceeded:
        return Check(False, "numeric", "building the claims exceeded the time budget")
    except (ValueError, TypeError, KeyError, NotImplementedError) as exc:
        return Check(False, "symbolic", "malformed step: %s" % exc, time.perf_counter() - start)
    methods = set()
    for n_claim, claim in enumerate(claims):
        out = prove(claim, None, seed=seed + n_claim)
        methods.add(out.method)
        if not out.ok:
            return Check(False, out.method, out.detail or claim.label, time.perf_counter() - start)
    method = "numeric" if "numeric" in methods else "symbolic" if "symbolic" in methods else "computed"
    scope = step.data.get("where") or "; ".join(
        c.label.split("(")[-1].rstrip(")") if "symbolic" in c.label else c.label.replace("equal ", "")
        for c in claims if "symbolic K" in c.label or c.label.startswith("equal at"))
    return Check(True, method, "%d claims" % len(claims), time.perf_counter() - start, scope=scope)


def verify_argument(doc):
    """Fill ``doc.checks``: each step against its reference (the previous step unless stated)."""
    checks = []
    for index, step in enumerate(doc.steps):
        ref_index = index - 1 if step.reference is None else step.reference
        ref = doc.steps[ref_index] if ref_index >= 0 else None
        checks.append(verify_plain_step(step, ref, seed=1000 * index))
    doc.checks = checks
    return doc
