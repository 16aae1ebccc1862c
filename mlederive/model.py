"""A model is a family, a link and a predictor, with the recipe's choices made.

It owns the observation-level symbols (y_i, η_i, μ_i, or their k-th
components for a vector outcome) and knows how to turn a symbolic expression
into a concrete one (K classes written out, one-hot constraint applied,
sample size fixed), which is all the verifier needs to know about a model.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import sympy as sp

from . import symbolic as S
from .class_sums import canonical_classes
from .families import Family, Pairing
from .links import Link
from .predictors import CONCRETE_DIM, Predictor, concrete_weight

mu = sp.IndexedBase("mu", real=True)


@dataclass(frozen=True)
class Predicted:
    """A parameter of the distribution driven by its own predictor through its own link.

    ``value`` (μ_i) = g⁻¹(``eta`` (η_i)), η_i = the predictor of θ and x_i. A model has a tuple of
    them (:attr:`Model.predicted`): one today, the mean; a distribution with several predicted
    parameters (a location and a scale, say) adds entries rather than special cases.
    """

    name: str
    link: Link
    predictor: Predictor
    eta: sp.IndexedBase
    value: sp.IndexedBase


@dataclass(frozen=True)
class Model:
    family: Family
    link: Link
    predictor: Predictor
    params: dict  # nuisance parameter name → SymPy symbol
    learned: tuple  # names of learned nuisance parameters
    #: K where a concrete class count is needed (sampling, generated code); None: K and the class k stay symbols, and
    #: a claim made on the model holds for every K ≥ 2 and every class (mlederive.verification.classes)
    classes: int | None
    pairing: Pairing
    #: a prior on the weights θ (mlederive.priors), or None for maximum likelihood
    prior: object = None
    # concretize() results: the verifier makes each step concrete once as a claim and again as
    # the next step's reference, for several claims each
    _concrete: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def vector(self) -> bool:
        return self.family.vector

    @cached_property
    def every_class(self) -> "Model":
        """This model with K and k left symbolic (a vector model; any other is itself)."""
        if not self.vector or self.classes is None:
            return self
        import dataclasses

        return dataclasses.replace(self, classes=None)

    @property
    def predicted(self) -> tuple[Predicted, ...]:
        """The predicted parameters: (the mean μ_i = g⁻¹(η_i),). ``link`` and ``predictor`` are the first's."""
        return (Predicted("mu", self.link, self.predictor, S.eta, mu),)

    # -- observation-level symbols ---------------------------------------------------
    def y_obs(self, index=S.i):
        return S.y[index, S.k] if self.vector else S.y[index]

    def eta_obs(self, index=S.i):
        return S.eta[index, S.k] if self.vector else S.eta[index]

    def mu_obs(self, index=S.i):
        return mu[index, S.k] if self.vector else mu[index]

    def mean(self, index=S.i) -> sp.Expr:
        """μ_i = g⁻¹(η_i) (the k-th component for a vector link)."""
        if self.vector:
            others = sp.Sum(sp.exp(S.eta[index, S.j]), (S.j, 1, S.K))
            return sp.exp(S.eta[index, S.k]) / others
        return self.link.inverse(S.eta[index])

    def mean_display(self, index=S.i) -> sp.Expr:
        """μ_i as a textbook names it: softmax_k(η_i) for the vector link (written out in :meth:`mean`)."""
        return S.softmax(S.eta, index, S.k) if self.vector else self.mean(index)

    def with_mean_named(self, expr: sp.Expr) -> sp.Expr | None:
        """``expr`` with μ_i written by its name (softmax_k(η_i)); None where that changes nothing."""
        named = expr.xreplace({self.mean(): self.mean_display()})
        return None if named == expr else named

    def diff_eta(self, expr: sp.Expr, wrt: sp.Expr | None = None, order: int = 1) -> sp.Expr:
        """∂ⁿexpr/∂η_iⁿ with η_i on its link's domain.

        On the real line SymPy cannot tell that g⁻¹(η) = 1/√η is real, so sign(y − 1/√η) would stay an
        unevaluated Derivative; a stand-in symbol carrying the link's domain (η > 0) lets every
        sign(f) differentiate to 2·δ(f)·f′, the same treatment for every link.
        """
        wrt = self.eta_obs() if wrt is None else wrt
        domain = self.link.eta_domain
        if domain.is_subset(sp.Interval.open(0, sp.oo)):
            t = sp.Dummy("eta", positive=True)
        elif domain.is_subset(sp.Interval(0, sp.oo)):
            t = sp.Dummy("eta", nonnegative=True)
        elif 0 not in domain:
            t = sp.Dummy("eta", real=True, nonzero=True)
        else:
            return sp.diff(expr, wrt, order)
        return sp.diff(expr.xreplace({wrt: t}), t, order).xreplace({t: wrt})

    @cached_property
    def cache_key(self) -> str:
        """What the numeric check's sampling depends on, as text (for mlederive.cache)."""
        fam, link = self.family, self.link
        return repr((fam.name, link.name, self.predictor.name, self.learned, self.classes, self.pairing,
                     getattr(self.prior, "name", None),
                     sp.srepr(fam.density(self.y_obs(), self.mu_obs(), self.params)), sp.srepr(self.mean()),
                     sp.srepr(getattr(fam, "support", None)), sp.srepr(getattr(fam, "mean_domain", None)),
                     sp.srepr(getattr(link, "mean_domain", None))))

    def learned_params(self) -> list:
        return [self.params[name] for name in self.learned]

    # -- making things concrete --------------------------------------------------------
    def concretize(self, expr: sp.Expr, size: int | None = None, k_value=None) -> sp.Expr:
        """Fix K (and n, when ``size`` is given), write sums out, apply the one-hot constraint.

        With ``classes`` None (:attr:`every_class`), K and k stay symbols: only sums with whole-number limits are
        written out, and every sum or product over the classes gets its canonical bound index, so that
        differentiating in η_ik never captures a bound k (mlederive.class_sums)."""
        key = (expr, size, k_value)
        if key not in self._concrete:
            self._concrete[key] = self._make_concrete(expr, size, k_value)
        return self._concrete[key]

    def _make_concrete(self, expr: sp.Expr, size: int | None, k_value) -> sp.Expr:
        subs = {}
        if size is not None:
            subs[S.n] = size
        if self.vector and self.classes is None:
            return canonical_classes(self._fixed(expr, subs))
        if self.vector:
            subs[S.K] = self.classes
            if k_value is not None:
                subs[S.k] = k_value
        expr = self._fixed(expr, subs)
        if self.vector:
            rows = [S.i] if size is None else list(range(1, size + 1))
            for r in rows:
                comps = [S.y[r, c] for c in range(1, self.classes + 1)]
                expr = expr.subs(self.family.constraints(comps))
        return expr

    def _fixed(self, expr: sp.Expr, subs: dict) -> sp.Expr:
        """``expr`` with ``subs`` made, the sums with whole-number limits written out, the prior's θ_j named."""
        if expr.has(S.weights):
            subs[S.d] = CONCRETE_DIM
        if subs:
            expr = expr.subs(subs)
        if expr.has(sp.Sum, sp.Product):
            expr = S.write_out(expr)
        if expr.has(S.weights):  # θ_j of the prior: the concrete predictor's own parameters
            expr = expr.xreplace({a: concrete_weight(int(a.indices[0])) for a in expr.atoms(sp.Indexed)
                                  if a.base == S.weights and a.indices[0].is_Integer})
        return expr

    def eta_components(self, index=S.i) -> list:
        """(η symbol, k value) pairs: one per component of η_i (one, η_ik, when the classes are symbolic)."""
        if self.vector and self.classes is None:
            return [(S.eta[index, S.k], S.k)]
        if self.vector:
            return [(S.eta[index, c], c) for c in range(1, self.classes + 1)]
        return [(S.eta[index], None)]

    def y_components(self, index=S.i) -> list:
        if self.vector and self.classes is None:
            return [S.y[index, S.k]]
        if self.vector:
            return [S.y[index, c] for c in range(1, self.classes + 1)]
        return [S.y[index]]

    def summand_learned(self) -> list:
        """Everything θ reaches in one observation's term: η_i's components and learned σ, b …"""
        return [e for e, _ in self.eta_components()] + self.learned_params()
