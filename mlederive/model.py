"""A model is a family, a link and a predictor, with the recipe's choices made.

It owns the observation-level symbols (y_i, η_i, μ_i, or their k-th
components for a one-hot outcome) and knows how to turn a symbolic expression
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
from .predictors import CONCRETE_DIM, Predictor, concrete_weight, theta

mu = sp.IndexedBase("mu", real=True)


@dataclass(frozen=True)
class Predicted:
    """A parameter of the distribution driven by its own predictor through its own link.

    ``value`` (μ_i, σ_i) = g⁻¹(``eta`` (η_i)), η_i = the predictor of its weights ``weights`` and x_i. A model has a
    tuple of them (:attr:`Model.predicted`): the mean alone, or the mean and others (a scale, a zero probability),
    each with its own η, weights and domain (``slot``: what the link pairs with, and where the verifier samples).
    """

    name: str
    link: Link
    predictor: Predictor
    eta: sp.IndexedBase
    value: sp.IndexedBase
    weights: sp.Symbol
    slot: object
    pairing: Pairing

    @property
    def symbol(self) -> sp.Symbol:
        """The parameter's own symbol (μ, σ …), for formulas about it."""
        return sp.Symbol(self.value.label.name, **self.value.label.assumptions0)

    @property
    def letter(self) -> str:
        """The parameter's letter in our unicode notation: μ, σ, φ, ν, α, π, k."""
        from sympy.printing.pretty.pretty_symbology import pretty_symbol

        return pretty_symbol(self.name)


def predicted_parameter(family: Family, name: str, link: Link, predictor: Predictor, alone: bool) -> Predicted:
    """One predicted parameter: η_i and θ as today when it is the model's only one, else η_σ,i and θ_σ."""
    slot = family.slot(name)
    pairing = family.pairing(link, name)
    if alone:
        return Predicted(name, link, predictor, S.eta, mu, theta, slot, pairing)
    value = mu if name == family.mean_name and name == "mu" else sp.IndexedBase(
        name, **({"positive": True} if slot.mean_domain.is_subset(sp.Interval.open(0, sp.oo)) else {"real": True}))
    return Predicted(name, link, predictor, sp.IndexedBase("eta_" + name, real=True), value,
                     sp.Symbol("theta_" + name, real=True), slot, pairing)


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
    #: the predicted parameters, the mean first (:class:`Predicted`); empty: the mean alone, through ``link``
    others: tuple = ()
    # concretize() results: the verifier makes each step concrete once as a claim and again as
    # the next step's reference, for several claims each
    _concrete: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def one_hot(self) -> bool:
        return self.family.one_hot

    @cached_property
    def every_class(self) -> "Model":
        """This model with K and k left symbolic (a one-hot model; any other is itself)."""
        if not self.one_hot or self.classes is None:
            return self
        import dataclasses

        return dataclasses.replace(self, classes=None)

    @cached_property
    def predicted(self) -> tuple[Predicted, ...]:
        """The predicted parameters, the mean first: (μ_i = g⁻¹(η_i),) alone, or (μ_i, σ_i, …) each through its
        own link and η. Every step is built over this tuple; none knows its length."""
        alone = not self.others
        first = predicted_parameter(self.family, self.family.mean_name, self.link, self.predictor, alone)
        return (first,) + tuple(predicted_parameter(self.family, name, link, self.predictor, False)
                                for name, link in self.others)

    @property
    def several(self) -> bool:
        """More than one predicted parameter: η is a vector (η_μ,i, η_σ,i) and curvature a matrix."""
        return len(self.predicted) > 1

    def values(self, index=S.i) -> dict:
        """Every parameter's value at observation ``index``: the symbol of a known or learned one (σ), the
        per-observation value of a predicted one (σ_i)."""
        out = dict(self.params)
        for p in self.predicted[1:]:
            out[p.name] = p.value[index]
        return out

    def values_in_eta(self, index=S.i) -> dict:
        """:meth:`values` with each predicted one written as g⁻¹ of its η (σ → exp(η_σ,i))."""
        out = dict(self.params)
        for p in self.predicted[1:]:
            out[p.name] = p.link.inverse(p.eta[index])
        return out

    def inverses(self, index=S.i) -> dict:
        """Each predicted value at ``index`` → g⁻¹ of its η (μ_i → η_μ,i, σ_i → exp(η_σ,i))."""
        if self.one_hot:
            return {self.mu_obs(index): self.mean(index)}
        return {p.value[index]: p.link.inverse(p.eta[index]) for p in self.predicted}

    def etas(self, index=S.i) -> list:
        """Each predicted parameter's η at ``index``, in order (η_i alone, or η_μ,i, η_σ,i …)."""
        if self.one_hot:
            return [self.eta_obs(index)]
        return [p.eta[index] for p in self.predicted]

    # -- observation-level symbols ---------------------------------------------------
    def y_obs(self, index=S.i):
        return S.y[index, S.k] if self.one_hot else S.y[index]

    def eta_obs(self, index=S.i):
        """The mean's η at ``index`` (η_i; η_ik for a one-hot outcome; η_μ,i beside other predicted parameters)."""
        return S.eta[index, S.k] if self.one_hot else self.predicted[0].eta[index]

    def mu_obs(self, index=S.i):
        """The first parameter's value at ``index`` (μ_i; μ_ik for a one-hot outcome)."""
        return mu[index, S.k] if self.one_hot else self.predicted[0].value[index]

    def mean(self, index=S.i) -> sp.Expr:
        """μ_i = g⁻¹(η_i) (the k-th component for the softmax link)."""
        if self.one_hot:
            others = sp.Sum(sp.exp(S.eta[index, S.j]), (S.j, 1, S.K))
            return sp.exp(S.eta[index, S.k]) / others
        return self.link.inverse(self.eta_obs(index))

    def density(self, index=S.i) -> sp.Expr:
        """p(y_i | μ_i, σ_i …): the family's density at every parameter's value (predicted ones per observation)."""
        return self.family.density(self.y_obs(index), self.mu_obs(index), self.values(index))

    def textbook_density(self, index=S.i) -> sp.Expr | None:
        return self.family.textbook_density(self.y_obs(index), self.mu_obs(index), self.values(index))

    def mean_display(self, index=S.i) -> sp.Expr:
        """μ_i as a textbook names it: softmax_k(η_i) for the softmax link (written out in :meth:`mean`)."""
        return S.softmax(S.eta, index, S.k) if self.one_hot else self.mean(index)

    def with_mean_named(self, expr: sp.Expr) -> sp.Expr | None:
        """``expr`` with μ_i written by its name (softmax_k(η_i)); None where that changes nothing."""
        named = expr.xreplace({self.mean(): self.mean_display()})
        return None if named == expr else named

    def predicted_for(self, eta: sp.Expr) -> Predicted:
        """The predicted parameter whose η ``eta`` is (η_σ,i → σ's)."""
        base = eta.base if isinstance(eta, sp.Indexed) else None
        return next((p for p in self.predicted if p.eta == base), self.predicted[0])

    def diff_eta(self, expr: sp.Expr, wrt: sp.Expr | None = None, order: int = 1) -> sp.Expr:
        """∂ⁿexpr/∂η_iⁿ with η_i on its link's domain.

        On the real line SymPy cannot tell that g⁻¹(η) = 1/√η is real, so sign(y − 1/√η) would stay an
        unevaluated Derivative; a stand-in symbol carrying the link's domain (η > 0) lets every
        sign(f) differentiate to 2·δ(f)·f′, the same treatment for every link.
        """
        wrt = self.eta_obs() if wrt is None else wrt
        domain = self.predicted_for(wrt).link.eta_domain
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
                     sp.srepr(self.density()), sp.srepr(self.mean()),
                     sp.srepr(getattr(fam, "support", None)), sp.srepr(getattr(fam, "mean_domain", None)),
                     sp.srepr(getattr(link, "mean_domain", None)))) + (
            "" if not self.others else repr([(p.name, p.link.name, sp.srepr(p.link.inverse(S.eta0)))
                                             for p in self.predicted[1:]]))

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
        if self.one_hot and self.classes is None:
            return canonical_classes(self._fixed(expr, subs))
        if self.one_hot:
            subs[S.K] = self.classes
            if k_value is not None:
                subs[S.k] = k_value
        expr = self._fixed(expr, subs)
        if self.one_hot:
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
        if self.one_hot and self.classes is None:
            return [(S.eta[index, S.k], S.k)]
        if self.one_hot:
            return [(S.eta[index, c], c) for c in range(1, self.classes + 1)]
        return [(e, None) for e in self.etas(index)]

    def y_components(self, index=S.i) -> list:
        if self.one_hot and self.classes is None:
            return [S.y[index, S.k]]
        if self.one_hot:
            return [S.y[index, c] for c in range(1, self.classes + 1)]
        return [S.y[index]]

    def theta_bases(self) -> list:
        """What θ reaches in a term over the sample: every predicted η (as a base) and the learned σ, b …"""
        return [p.eta for p in self.predicted] + self.learned_params()

    def summand_learned(self) -> list:
        """Everything θ reaches in one observation's term: η_i's components and learned σ, b …"""
        return [e for e, _ in self.eta_components()] + self.learned_params()
