"""The library table against the real libraries: every statsmodels call printed for any pair is evaluated in
statsmodels — its link is the recipe's and its ``loglike_obs`` is the derivation's full log-likelihood — and
every PyTorch built-in printed is run in PyTorch on what the row says it takes (η, or μ = g⁻¹(η)) and equals
the derivation's loss. A call "on η" appears only where the built-in applies the recipe's own link."""
import random
import warnings

import numpy as np
import pytest
import sympy as sp

from mlederive import derive
from mlederive import symbolic as S
from mlederive.families import FAMILIES
from mlederive.libraries import TORCH, torch_rows
from mlederive.links import LINKS
from mlederive.prose import Code
from mlederive.recipe import pair_names, split_pair

sm = pytest.importorskip("statsmodels.api")

#: a value for every parameter a family with a statsmodels family has
VALUES = {"sigma": 1.3, "m": 4, "k": 2.5, "lambda": 1.8, "alpha": 0.7, "p": 1.5, "phi": 0.8}


def _pairs(families):
    return [p for p in pair_names() if split_pair(p)[0] in families]


STATSMODELS_PAIRS = _pairs([n for n, f in FAMILIES.items() if f.statsmodels is not None])
NAMED_PAIRS = _pairs([n for n, f in FAMILIES.items()])


def _row(doc, library):
    tables = [t for t in doc.tables if t.title.startswith("What libraries")]
    return [r for t in tables for r in t.rows if str(r[0]) == library]


def _code(cell) -> list[str]:
    return [run.text for run in cell.runs if isinstance(run, Code)]


def _points(doc, rng, count):
    """(y, η, μ) of one observation: μ in the family's and the link's mean domains, η = g(μ)."""
    fam, link = doc.model.family, doc.model.link
    m = sp.Symbol("m", real=True)
    g = sp.lambdify(m, link(m), "mpmath")
    out = []
    while len(out) < count:
        mu = fam.sample_mean(rng)
        if link.mean_domain.contains(sp.Float(mu)) is not sp.true:
            continue
        y = fam.sample_y(rng) if fam.name != "binomial" else rng.randint(0, VALUES["m"]) / VALUES["m"]
        out.append((y, float(g(mu)), mu))
    return out


def _loglik(doc, y, eta):
    """The derivation's one-observation log-likelihood, nothing dropped, at a point (SymPy, 30 digits)."""
    at = {sym: sp.nsimplify(VALUES[name]) for name, sym in doc.model.params.items()}
    at.update({S.y[S.i]: sp.nsimplify(y), S.eta[S.i]: sp.Float(eta, 30)})
    return float(S.expand_functions(doc.loglik_summand.xreplace(at)).evalf(30))


@pytest.mark.parametrize("name", sorted({n for n, f in FAMILIES.items() if f.statsmodels is not None}))
def test_the_links_a_statsmodels_family_takes_are_the_ones_declared(name):
    spec = FAMILIES[name].statsmodels
    kwargs = {k: 1.0 for k in spec.family_keywords}
    for link_name, link in LINKS.items():
        if link.statsmodels is None:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                getattr(sm.families, spec.name)(link=getattr(sm.families.links, link.statsmodels)(), **kwargs)
                accepted = True
            except ValueError:
                accepted = False
        assert accepted is (link_name in spec.links), (name, link_name)


@pytest.mark.parametrize("pair", STATSMODELS_PAIRS)
def test_the_printed_statsmodels_call_runs_with_the_recipes_link_and_equals_the_log_likelihood(pair):
    doc = derive(pair, verify_steps=False)
    (row,) = _row(doc, "statsmodels")
    link, spec = doc.model.link, doc.model.family.statsmodels
    if link.statsmodels is None or link.name not in spec.links:  # the row says there is none, and there is none
        assert not _code(row[2]) and "link" in str(row[1]), str(row[1])
        if link.statsmodels is not None:
            with pytest.raises(ValueError):
                getattr(sm.families, spec.name)(link=getattr(sm.families.links, link.statsmodels)(),
                                                **{k: VALUES[k] if k in VALUES else 1.5 for k in spec.family_keywords})
        return
    model_code, loglike_code = _code(row[1])[0], _code(row[2])[0]
    names = {"sm": sm, "np": np, **{("lambda_" if k == "lambda" else k): v for k, v in VALUES.items()}}
    points = _points(doc, random.Random(pair), 4)
    y, eta = np.array([p[0] for p in points]), np.array([p[1] for p in points])
    # X θ = η with one feature: X the η themselves and θ = (1,)
    glm = eval(model_code, {**names, "y": y, "X": eta[:, None]})  # noqa: S307 — our own printed call
    assert type(glm.family.link).__name__ == link.statsmodels
    assert glm.family.link.inverse(eta) == pytest.approx([p[2] for p in points], rel=1e-9)
    theirs = eval("glm" + loglike_code, {**names, "glm": glm, "params": np.array([1.0])})  # noqa: S307
    ours = sum(_loglik(doc, a, b) for a, b, _ in points)
    assert theirs == pytest.approx(ours, rel=1e-9, abs=1e-9), pair


def _torch_loss(call, inputs, target, var=None, **names):
    import torch

    loss = eval(call, {"nn": torch.nn, **names})  # noqa: S307 — our own printed constructor (delta: its value)
    return float(loss(inputs, target, var) if var is not None else loss(inputs, target))


def _named_pairs_with_torch():
    out = []
    for pair in NAMED_PAIRS:
        fam = FAMILIES[split_pair(pair)[0]]
        if fam.name in ("gaussian", "bernoulli", "binomial", "poisson", "laplace", "categorical", "huber"):
            out.append(pair)
    return out + ["gaussian-identity-learned-sigma"]


@pytest.mark.parametrize("pair", _named_pairs_with_torch())
def test_every_pytorch_builtin_printed_computes_the_derived_loss_on_what_the_row_says(pair):
    torch = pytest.importorskip("torch")
    doc = derive(pair, verify_steps=False)
    model, named = doc.model, None
    rows = _row(doc, "PyTorch")
    from mlederive.derivation.recognise import recognise

    named = recognise(model, doc.loss_summand)
    if named is None:
        assert not rows
        return
    found = torch_rows(named.key, model.link.name)
    assert [str(r[1]).split("`")[0] for r in rows] and len(rows) == len(found)
    for r, row in zip(found, rows):
        assert r.loss.call in _code(row[1])
        # "on η" only where the built-in applies this very link
        assert (r.on == "eta") is (r.loss.applies == model.link.name)
        assert ("on η_i" in str(row[1])) is (r.on == "eta" or model.link.name == "identity")
    rng = random.Random(pair)
    if model.one_hot:
        k = model.classes
        eta = torch.tensor([[rng.uniform(-3, 3) for _ in range(k)] for _ in range(6)], dtype=torch.float64)
        labels = torch.tensor([rng.randrange(k) for _ in range(6)])
        onehot = torch.nn.functional.one_hot(labels, k).double()
        ours = -(onehot * torch.log_softmax(eta, dim=1)).sum(dim=1).mean()  # the derived CE, checked below
        for r in found:
            assert _torch_loss(r.loss.call, eta, labels) == pytest.approx(float(ours), rel=1e-12)
        _check_ce_is_the_derived_loss(doc, eta, onehot)
        return
    points = _points(doc, rng, 6)
    y = torch.tensor([p[0] for p in points], dtype=torch.float64)
    eta = torch.tensor([p[1] for p in points], dtype=torch.float64)
    mu = torch.tensor([p[2] for p in points], dtype=torch.float64)
    at = {sym: sp.nsimplify(VALUES.get(name, 1.3)) for name, sym in model.params.items()}
    ours = np.mean([float(S.expand_functions((doc.loss_summand * (1 if doc.recipe.reduction == "mean" else 1))
                                              .xreplace({**at, S.y[S.i]: sp.nsimplify(a), S.eta[S.i]: sp.Float(b, 30)}))
                          .evalf(30)) for a, b, _ in points])
    for r in found:
        var = torch.full_like(y, float(at[model.params["sigma"]]) ** 2) if "var" in r.loss.extra else None
        theirs = _torch_loss(r.loss.call, eta if r.on == "eta" else mu, y, var,
                             **{name: float(at[sym]) for name, sym in model.params.items()})
        # PoissonNLLLoss(log_input=False) adds eps = 1e-8 inside the log, as the row says
        assert theirs == pytest.approx(ours, rel=1e-6 if "log_input=False" in r.loss.call else 1e-10), r.loss.call


def _check_ce_is_the_derived_loss(doc, eta, onehot):
    k = onehot.shape[1]
    model = doc.model
    summand = model.concretize(doc.loss_summand.subs(S.K, k))
    for row in range(eta.shape[0]):
        at = {S.eta[S.i, c + 1]: sp.Float(float(eta[row, c]), 30) for c in range(k)}
        at.update({S.y[S.i, c + 1]: int(onehot[row, c]) for c in range(k)})
        value = float(S.expand_functions(summand.xreplace(at)).evalf(30))
        expected = -float((onehot[row] * eta[row].log_softmax(0)).sum())
        assert value == pytest.approx(expected, rel=1e-12)


def test_no_builtin_on_eta_is_offered_for_another_link():
    """The mistake this table used to make: BCEWithLogitsLoss (a logit model) for a probit recipe, PoissonNLLLoss
    with log_input=True (μ = e^η) for the identity, square-root and softplus links."""
    for pair, wrong in (("bernoulli-probit", "BCEWithLogitsLoss() on η"), ("bernoulli-cloglog", "BCEWithLogitsLoss() on η"),
                        ("bernoulli-cauchit", "BCEWithLogitsLoss() on η"),
                        ("poisson-identity", "log_input=True) on η"), ("poisson-sqrt", "log_input=True) on η"),
                        ("poisson-softplus", "log_input=True) on η")):
        text = " ".join(str(r[1]) for r in _row(derive(pair, verify_steps=False), "PyTorch"))
        assert wrong not in text and ("on μ_i" in text or pair.endswith("identity")), (pair, text)
    from mlederive.render.common import plain_text

    probit = " ".join(plain_text(r[1]) for r in _row(derive("bernoulli-probit", verify_steps=False), "PyTorch"))
    assert "nn.BCELoss() on μᵢ = Φ(ηᵢ)" in probit and "assumes the logit link" in probit
    assert all(loss.applies in (None, "logit", "log", "softmax") for losses in TORCH.values() for loss in losses)


def test_statsmodels_rows_name_the_link_or_say_there_is_none():
    text = {p: " ".join(str(c) for r in _row(derive(p, verify_steps=False), "statsmodels") for c in r)
            for p in ("bernoulli-probit", "gamma-log", "poisson-softplus", "poisson-logit", "negative-binomial-log",
                      "geometric-log")}
    assert "sm.GLM(y, X, family=sm.families.Binomial(link=sm.families.links.Probit()))" in text["bernoulli-probit"]
    assert "sm.families.Gamma(link=sm.families.links.Log())" in text["gamma-log"]
    assert ".loglike(params, scale=1/k)" in text["gamma-log"]
    assert "no softplus link" in text["poisson-softplus"]
    assert "does not take the logit link" in text["poisson-logit"]
    assert "alpha=alpha" in text["negative-binomial-log"] and "…" not in text["negative-binomial-log"]
    assert "alpha=1" in text["geometric-log"]


def test_a_value_the_recipe_gives_is_printed_in_the_call():
    from mlederive.recipe import parse_recipe

    recipe = parse_recipe({"name": "nb", "title": "NB", "family": "negative-binomial", "link": "log",
                           "parameters": {"alpha": 0.5}})
    (row,) = _row(derive(recipe, verify_steps=False), "statsmodels")
    assert _code(row[1]) == ["sm.GLM(y, X, family=sm.families.NegativeBinomial(link=sm.families.links.Log(), "
                             "alpha=0.5))"]
    glm = eval(_code(row[1])[0], {"sm": sm, "y": np.array([1.0, 2.0]), "X": np.ones((2, 1))})  # noqa: S307
    assert glm.family.alpha == 0.5
