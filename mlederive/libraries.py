"""What libraries compute for an assumption: PyTorch's built-in losses and statsmodels' GLM families.

Each is declared with what it assumes — the link a PyTorch built-in applies to its own input, the
links a statsmodels family accepts, the keywords its density needs — so that a row of the library
table names a call only where that call computes the recipe's model, *with the recipe's link*, as
an expression that runs (``tests/test_libraries.py`` evaluates every printed call in the real
libraries and compares it with the derivation). Where a library has no such link or loss, the row
says so instead of naming a call that computes another model.
"""
from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field

import sympy as sp
from sympy.printing.str import StrPrinter

from . import symbolic as S
from .check_functions import huber
from .primitives import Binary
from .prose import join, prose

# -- PyTorch ------------------------------------------------------------------------------------------

class BuiltinLoss(Binary):
    """A PyTorch built-in loss of one element, (input, target) → its value, printed by the built-in's name; its
    ``elementary()`` is the formula PyTorch documents. Generated code calls the built-in only where the derivation's
    loss is proved equal to it (the verifier writes the formula out, as for any named function)."""

    functional = ""
    #: what it takes besides (input, target), fixed (PyTorch's default may differ)
    keywords = ""
    #: the weights it applies itself (as our loss means them), else the caller multiplies
    weights: tuple = ()
    #: its target is a one-hot row (the cross-entropy's), not one element
    one_hot = False

    def _eval_is_real(self):
        return True if all(a.is_real for a in self.args) else None

    def shown(self):
        """The formula as the documentation prints it (the named function where there is one)."""
        return self.elementary()


class BCEWithLogitsLoss(BuiltinLoss):
    r"""PyTorch's :math:`-[t \log\sigma(x) + (1 - t)\log(1 - \sigma(x))]`."""

    unicode_name = latex_name = ascii_name = "BCEWithLogitsLoss"
    functional, weights = "binary_cross_entropy_with_logits", ("weight", "pos_weight")

    def elementary(self):
        x, t = self.args
        return -(t * sp.log(S.sigmoid(x)) + (1 - t) * sp.log(1 - S.sigmoid(x)))


class PoissonNLLLoss(BuiltinLoss):
    r"""PyTorch's ``log_input=True, full=False``: :math:`e^x - t x`."""

    unicode_name = latex_name = ascii_name = "PoissonNLLLoss"
    functional, keywords = "poisson_nll_loss", "log_input=True, full=False"

    def elementary(self):
        x, t = self.args
        return sp.exp(x) - t * x


class MSELoss(BuiltinLoss):
    r"""PyTorch's :math:`(x - t)^2`."""

    unicode_name = latex_name = ascii_name = "MSELoss"
    functional = "mse_loss"

    def elementary(self):
        x, t = self.args
        return (x - t) ** 2


class HuberLoss(BuiltinLoss):
    r"""PyTorch's ``HuberLoss(delta=δ)``: :math:`\rho_\delta(x - t)`, ½(x − t)² within δ and δ(|x − t| − δ/2) beyond;
    the module passes its own keyword ``delta``."""

    unicode_name = latex_name = ascii_name = "HuberLoss"
    functional, keywords = "huber_loss", "delta=delta"

    def elementary(self):
        return self.shown().elementary()

    def shown(self):
        x, t = self.args
        return huber(sp.Symbol("delta", positive=True), x - t)


class L1Loss(BuiltinLoss):
    r"""PyTorch's :math:`|x - t|`."""

    unicode_name = latex_name = ascii_name = "L1Loss"
    functional = "l1_loss"

    def elementary(self):
        x, t = self.args
        return sp.Abs(x - t)


class CrossEntropyLoss(BuiltinLoss):
    r"""PyTorch's :math:`-\sum_k t_k \log \operatorname{softmax}_k(x)` over observation i's K classes:
    ``CrossEntropyLoss(eta, i)`` (the logits' base and the observation index, as :class:`~mlederive.symbolic.softmax`);
    its target is y_i's one-hot row."""

    unicode_name = latex_name = ascii_name = "CrossEntropyLoss"
    functional, weights, one_hot = "cross_entropy", ("weight",), True

    def elementary(self):
        base, obs = self.args
        total = sp.Sum(sp.exp(base[obs, S.j]), (S.j, 1, S.K))
        return -sp.Sum(S.y[obs, S.k] * (base[obs, S.k] - sp.log(total)), (S.k, 1, S.K))

    def _latex(self, printer, exp=None):
        base, obs = self.args
        tex = r"\operatorname{CrossEntropyLoss}\left(\boldsymbol{%s}_{%s}, \boldsymbol{y}_{%s}\right)" % (
            printer._print(sp.Symbol(base.label.name)), printer._print(obs), printer._print(obs))
        return tex if exp is None else r"%s^{%s}" % (tex, exp)

    def _sympystr(self, printer):
        base, obs = self.args
        return "CrossEntropyLoss(%s_%s, y_%s)" % (base.label.name, printer._print(obs), printer._print(obs))

    def _pretty(self, printer):
        from sympy.printing.pretty.stringpict import prettyForm

        base, obs = self.args
        pair = printer._print_seq([sp.Symbol("%s_%s" % (base.label.name, obs)), sp.Symbol("y_%s" % obs)],
                                  delimiter=", ")
        return prettyForm(*prettyForm(*pair.parens()).left("CrossEntropyLoss"))


@dataclass(frozen=True)
class TorchLoss:
    """A PyTorch built-in loss: its constructor, and what its input is.

    ``applies`` is the link the built-in applies to its input itself (``BCEWithLogitsLoss``: the logit,
    ``PoissonNLLLoss(log_input=True)``: the log): it computes the recipe's loss on η only for that link.
    ``None``: the built-in takes the mean μ = g⁻¹(η) itself, so it fits every link.
    """

    call: str
    applies: str | None
    #: what it keeps of the terms the derivation dropped (a prose template)
    keeps: str
    #: what else the caller passes besides input and target, as prose ("with `var` $= σ²$"), or ""
    extra: str = ""
    #: why the built-in on η is preferred (said once), or ""
    note: str = ""
    #: its formula (a :class:`BuiltinLoss`) where it computes exactly that formula, so that generated code may call
    #: it once the derivation's loss is proved equal; None where it clamps or adds an ε (BCELoss, log_input=False)
    formula: type | None = None


MEAN = "mean (`reduction='mean'`)"

#: named loss (mlederive.losses) → its PyTorch built-ins, the one on η first
TORCH: dict[str, tuple[TorchLoss, ...]] = {
    "mse": (TorchLoss("nn.MSELoss()", None, "nothing: no $½$, no $1/σ²$, no $½·log(2πσ²)$", formula=MSELoss),),
    "mae": (TorchLoss("nn.L1Loss()", None, "nothing: no $1/b$, no $log(2b)$", formula=L1Loss),),
    "bce": (TorchLoss("nn.BCEWithLogitsLoss()", "logit", "nothing was dropped", note="stable",
                      formula=BCEWithLogitsLoss),
            TorchLoss("nn.BCELoss()", None, "nothing was dropped (it clamps each log at $−100$)")),
    "ce": (TorchLoss("nn.CrossEntropyLoss()", "softmax", "nothing was dropped", extra="and class indices",
                      formula=CrossEntropyLoss),),
    "poisson": (TorchLoss("nn.PoissonNLLLoss(log_input=True)", "log",
                          "`full=False` drops $log y!$; `full=True` adds Stirling's approximation of $log y!$ (for "
                          "$y > 1$), not the exact term", formula=PoissonNLLLoss),
                TorchLoss("nn.PoissonNLLLoss(log_input=False)", None,
                          "`full=False` drops $log y!$; it adds `eps` $= 10⁻⁸$ inside $log μ$")),
    "huber": (TorchLoss("nn.HuberLoss(delta=delta)", None, "nothing: no $log Z(δ)$", formula=HuberLoss),),
    "gaussian-nll": (TorchLoss("nn.GaussianNLLLoss()", None, "`full=False` drops $½·log(2π)$ (as here); `full=True` "
                               "keeps it", extra="with `var` $= σ²$"),),
}


@dataclass(frozen=True)
class TorchRow:
    """One PyTorch built-in as it applies to a model: ``on`` is "eta" (it takes η and applies the link itself)
    or "mean" (it takes μ = g⁻¹(η))."""

    loss: TorchLoss
    on: str


def torch_rows(named_key: str | None, link_name: str) -> list[TorchRow]:
    """The built-ins that compute the named loss with this link: on η where the built-in applies exactly this
    link, on μ otherwise."""
    out = []
    for loss in TORCH.get(named_key, ()):
        if loss.applies == link_name:
            out.append(TorchRow(loss, "eta"))
        elif loss.applies is None:
            out.append(TorchRow(loss, "mean"))
    return out


# -- statsmodels ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class StatsmodelsFamily:
    """A statsmodels GLM family with a family's density: ``sm.GLM(endog, X, family=sm.families.<name>(link=…,
    **family_keywords))``, whose ``loglike(params, **loglike_keywords)`` is the full log-likelihood of the sample.

    ``links`` are the links (our names) that the family accepts — statsmodels raises ``ValueError`` for any
    other; the keywords map a statsmodels keyword to a function of the family's parameter symbols; ``endog``
    is what the GLM takes as its response (the binomial's successes and failures, from which it reads m).
    """

    name: str
    links: tuple[str, ...]
    family_keywords: dict = field(default_factory=dict)
    loglike_keywords: dict = field(default_factory=dict)
    endog: str = "y"


class _CodePrinter(StrPrinter):
    """A parameter expression as Python: ``1/k``, ``sigma**2``; a name that is a Python keyword gets a trailing
    underscore (``lambda_``), as PEP 8 says."""

    def _print_Symbol(self, expr):
        return expr.name + "_" if keyword.iskeyword(expr.name) else expr.name


def python_name(symbol: sp.Symbol) -> str:
    return _CodePrinter().doprint(symbol)


def _expr(value) -> sp.Expr:
    """A family's keyword value (``lambda p: 1``, ``lambda p: 1 / p["k"]``) as a SymPy object: a number or an
    expression already — never text, so nothing is parsed."""
    if isinstance(value, sp.Basic):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return sp.Integer(value)
    if isinstance(value, float):
        return sp.Float(value)
    raise TypeError("a statsmodels keyword gives %r: a number or a SymPy expression is expected" % (value,))


def _code(expr, params: dict, values: dict) -> str:
    """``expr`` (in the family's parameter symbols) as Python, a parameter the recipe gives a value as that value."""
    # a value as the recipe wrote it (0.5, not 1/2 or 0.500000000000000): a symbol named by it
    at = {params[name]: sp.Symbol(repr(int(v)) if v == int(v) else repr(v), positive=True)
          for name, v in values.items() if name in params}
    return _CodePrinter().doprint(_expr(expr).xreplace(at))


@dataclass(frozen=True)
class StatsmodelsCall:
    """The statsmodels expressions for a model: the GLM (its family with the link) and its log-likelihood call."""

    model: str
    loglike: str
    #: the parameters the expressions mention by name (a Python variable each; the recipe gave no value)
    names: tuple[str, ...]


def statsmodels_call(spec: StatsmodelsFamily, link_class: str, params: dict, values: dict) -> StatsmodelsCall:
    family = ["link=sm.families.links.%s()" % link_class]
    family += ["%s=%s" % (k, _code(f(params), params, values)) for k, f in spec.family_keywords.items()]
    loglike = ["params"] + ["%s=%s" % (k, _code(f(params), params, values)) for k, f in spec.loglike_keywords.items()]
    in_endog = re.findall(r"\{(\w+)\}", spec.endog)
    endog = spec.endog.format(**{n: _code(params[n], params, values) for n in in_endog})
    exprs = [_expr(f(params)) for f in list(spec.family_keywords.values()) + list(spec.loglike_keywords.values())]
    used = {s for e in exprs for s in e.free_symbols} | {params[n] for n in in_endog}
    names = tuple(sorted(python_name(s) for s in used - {params[n] for n in values if n in params}))
    return StatsmodelsCall("sm.GLM(%s, X, family=sm.families.%s(%s))" % (endog, spec.name, ", ".join(family)),
                           ".loglike(%s)" % ", ".join(loglike), names)


# -- the table's rows ------------------------------------------------------------------------------

def _several_row(model, loss: TorchLoss) -> tuple:
    """GaussianNLLLoss with the mean and the variance both predicted: input μ_i = g⁻¹(η_μ,i), var σ_i² = g⁻¹(η_σ,i)²."""
    values = model.values_in_eta()
    return (prose("PyTorch"), prose("`%s` on $μ_i = %s$ with `var` $= σ_i² = %s$", loss.call, model.mean(),
                                    values["sigma"] ** 2), prose(loss.keeps), prose(MEAN))


def _torch_row(row: TorchRow, mean_shown, others: list[TorchLoss]) -> tuple:
    """``others``: the built-ins on η that assume another link (said, so that no one reaches for them)."""
    loss = row.loss
    extra = prose(" %s", prose(loss.extra)) if loss.extra else prose("")
    if row.on == "eta":
        call = prose("`%s` on $η_i$%s%s", loss.call, " (%s)" % loss.note if loss.note else "", extra)
    elif mean_shown is None:  # the identity link: the mean is η itself
        call = prose("`%s` on $η_i$%s", loss.call, extra)
    else:
        call = prose("`%s` on $μ_i = %s$%s", loss.call, mean_shown, extra)
    for other in others:
        call += prose(" (`%s` assumes the %s link)", other.call, other.applies)
    return (prose("PyTorch"), call, prose(loss.keeps), prose(MEAN))


def library_rows(model, named, values: dict) -> list[tuple]:
    """Rows (library, call, constants kept, reduction) of the library table, as prose."""
    link, family = model.link, model.family
    rows = []
    if named is not None and model.several:  # each predicted parameter goes in as its own argument
        rows += [_several_row(model, loss) for loss in TORCH.get(named.key, ()) if named.key == "gaussian-nll"]
    elif named is not None:
        found = torch_rows(named.key, link.name)
        shown = None if link.name == "identity" else model.mean_display()
        # where no built-in takes this link's η, say which link the one on η assumes
        others = [] if any(r.on == "eta" for r in found) else [
            loss for loss in TORCH.get(named.key, ()) if loss.applies not in (None, link.name)]
        rows += [_torch_row(r, shown, others if n == 0 else []) for n, r in enumerate(found)]
    spec = getattr(family, "statsmodels", None)
    if spec is not None and not model.several:  # a GLM predicts the mean alone
        rows.append(_statsmodels_row(spec, link, model.params, values, family.params))
    return rows


def _statsmodels_row(spec: StatsmodelsFamily, link, params: dict, values: dict, meanings=()) -> tuple:
    """``meanings``: the family's parameters (mlederive.families.Param), to say which a name in the call is."""
    link_class = getattr(link, "statsmodels", None)
    if link_class is None:
        return (prose("statsmodels"), prose("no %s link in `sm.families.links`", link.name), prose("—"), prose("—"))
    if link.name not in spec.links:
        return (prose("statsmodels"), prose("`sm.families.%s` does not take the %s link (its links: %s)",
                                            spec.name, link.name, ", ".join(spec.links)),
                prose("—"), prose("—"))
    call = statsmodels_call(spec, link_class, params, values)
    named = [prose("`%s` $= %s$", python_name(p.symbol), p.symbol) for p in meanings  # sigma = σ (not k = k)
             if python_name(p.symbol) in call.names and len(p.symbol.name) > 1]
    names = prose(" (%s)", join(named, ", ", " and ")) if named else prose("")
    return (prose("statsmodels"), prose("`%s`%s", call.model, names),
            prose("every constant: `%s` is the full log-likelihood at $θ$ = `params`", call.loglike),
            prose("sum over the sample (`GLM.fit` maximises it)"))


__all__ = ["StatsmodelsCall", "StatsmodelsFamily", "TORCH", "TorchLoss", "TorchRow", "library_rows", "python_name",
           "statsmodels_call", "torch_rows"]
