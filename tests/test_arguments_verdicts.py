"""Is my loss a likelihood? The loss verdict on ten losses, the focal loss and label smoothing: each verdict against
independent references (scipy.stats densities, scipy quadrature, PyTorch's label smoothing), and each new kind of step
shown to reject a wrong one."""
import dataclasses

import mpmath
import numpy as np
import pytest
import sympy as sp
from click.testing import CliRunner
from scipy import integrate, stats

from mlederive import symbolic as S
from mlederive.arguments import build, parse_argument
from mlederive.arguments.verdict import eta
from mlederive.cli import cli
from mlederive.verification import verify

SIGMOID = "-(y*log(sigmoid(eta)) + (1 - y)*log(1 - sigmoid(eta)))"
FOCAL = "-(y*(1 - sigmoid(eta))**2*log(sigmoid(eta)) + (1 - y)*sigmoid(eta)**2*log(1 - sigmoid(eta)))"

#: name → (recipe fields, is a likelihood, the family named (or None), its parameters)
CASES = {
    "squared error": (dict(loss="(y - eta)**2"), True, "gaussian", {"sigma": 2 ** -0.5}),
    "squared error, c = 2": (dict(loss="(y - eta)**2", c=2), True, "gaussian", {"sigma": 0.5}),
    "absolute error": (dict(loss="abs(y - eta)"), True, "laplace", {"b": 1.0}),
    "pinball": (dict(loss="pinball(tau, y - eta)", parameters={"tau": 0.9}), True, "asymmetric-laplace",
                {"tau": 0.9, "sigma": 1.0}),
    "huber": (dict(loss="huber(delta, y - eta)", parameters={"delta": 1}), True, "huber", {"delta": 1.0}),
    "log-cosh": (dict(loss="log(cosh(y - eta))"), True, None, {}),
    "cauchy": (dict(loss="log(1 + (y - eta)**2)"), True, "cauchy", {"gamma": 1.0}),
    "bce": (dict(loss=SIGMOID, support="binary"), True, "bernoulli", {}),
    "poisson": (dict(loss="exp(eta) - y*eta", support="counts", base="1/factorial(y)"), True, "poisson", {}),
    "exponential": (dict(loss="y*exp(-eta) + eta", support="positive"), True, "exponential", {}),
    "soft margin": (dict(loss="log(1 + exp(-(2*y - 1)*eta))", support="binary"), True, "bernoulli", {}),
    "pseudo-Huber": (dict(loss="sqrt(1 + (y - eta)**2) - 1"), True, None, {}),
    "fair": (dict(loss="abs(y - eta) - log(1 + abs(y - eta))"), True, None, {}),
    "focal": (dict(loss=FOCAL, support="binary"), False, None, {}),
    "soft-label cross-entropy": (dict(loss=SIGMOID, support="unit"), False, None, {}),
    "MAPE": (dict(loss="abs(y - exp(eta))/y", support="positive"), False, None, {}),
    "hinge": (dict(loss="max(0, 1 - (2*y - 1)*eta)", support="binary"), False, None, {}),
    "LightGBM MAPE": (dict(loss="abs(y - eta)/max(1, y)", support="positive"), False, None, {}),
}


def argument(kind, **fields):
    return verify(build(parse_argument(dict(name=kind, title=kind, kind=kind, **fields), "<test>", kind)))


@pytest.fixture(scope="module")
def verdicts():
    return {name: argument("loss-verdict", **fields) for name, (fields, *_) in CASES.items()}


@pytest.mark.parametrize("name", CASES)
def test_verdict(verdicts, name):
    _, likelihood, family, params = CASES[name]
    doc = verdicts[name]
    assert doc.verified, [c.detail for c in doc.checks if not c.verified]
    assert doc.json["likelihood"] is likelihood
    assert doc.json["family"] == family
    if family is not None:
        assert doc.json["parameters"] == pytest.approx(params)


def _density(doc):
    return next(s for s in doc.steps if str(s.title) == "The density").expr


@pytest.mark.parametrize("name, reference", [
    ("squared error", lambda y, e: stats.norm(e, 2 ** -0.5).pdf(y)),
    ("squared error, c = 2", lambda y, e: stats.norm(e, 0.5).pdf(y)),
    ("absolute error", lambda y, e: stats.laplace(e, 1).pdf(y)),
    ("pinball", lambda y, e: stats.laplace_asymmetric(np.sqrt(0.9 / 0.1), e, 1 / np.sqrt(0.9 * 0.1)).pdf(y)),
    ("cauchy", lambda y, e: stats.cauchy(e, 1).pdf(y)),
    ("exponential", lambda y, e: stats.expon(scale=np.exp(e)).pdf(y)),
])
def test_density_is_the_reference_law(verdicts, name, reference):
    """The density the verdict finds is the law scipy.stats has (the asymmetric Laplace in scipy's κ-parametrisation:
    κ² = τ/(1 − τ), scale σ/√(τ(1 − τ)))"""
    y = next(iter(s for s in _density(verdicts[name]).free_symbols if s.name == "y"))
    f = sp.lambdify((y, eta), S.expand_functions(_density(verdicts[name])), "numpy")
    for yv, ev in [(0.3, -0.2), (-1.7, 0.4), (2.2, 1.1), (0.05, 0.0)]:
        yv = abs(yv) if y.is_positive else yv
        assert f(yv, ev) == pytest.approx(reference(yv, ev), rel=1e-10)


def test_log_cosh_density_is_the_hyperbolic_secant_law(verdicts):
    """No family of ours, but a known law: scipy's hypsecant, 1/(π cosh x)."""
    f = sp.lambdify((sp.Symbol("y", real=True), eta), _density(verdicts["log-cosh"]), "numpy")
    for yv, ev in [(0.3, -0.2), (-1.7, 0.4), (2.2, 1.1)]:
        assert f(yv, ev) == pytest.approx(stats.hypsecant(ev).pdf(yv), rel=1e-12)


@pytest.mark.parametrize("name", ["squared error", "absolute error", "pinball", "huber", "log-cosh", "cauchy"])
def test_normaliser_against_scipy_quadrature(verdicts, name):
    doc = verdicts[name]
    value = float(sp.N(next(s for s in doc.steps if str(s.title) == "In closed form").expr, 30))
    loss = sp.lambdify((sp.Symbol("y", real=True), eta), S.expand_functions(doc.steps[0].expr), "mpmath")
    c = doc.json["c"]
    for e in (-0.7, 1.3):
        quad = sum(integrate.quad(lambda t: float(mpmath.exp(-c * loss(t, e))), a, b, limit=200)[0]
                   for a, b in [(-np.inf, e - 1), (e - 1, e), (e, e + 1), (e + 1, np.inf)])
        assert quad == pytest.approx(value, rel=1e-8)


def test_focal_normaliser_moves_and_bce_does_not(verdicts):
    for name, moves in (("focal", True), ("bce", False), ("hinge", True)):
        loss = sp.lambdify((sp.Symbol("y"), eta), S.expand_functions(verdicts[name].steps[0].expr), "math")
        z = [np.exp(-loss(0, e)) + np.exp(-loss(1, e)) for e in (-2.0, 0.0, 1.5)]
        assert bool(max(z) - min(z) > 1e-3) is moves


def test_pseudo_huber_normaliser_is_2e_k1():
    """No closed form from SymPy: the quadrature's value, which is 2e·K₁(1) (scipy's Bessel K₁)."""
    from scipy.special import k1

    doc = argument("loss-verdict", loss="sqrt(1 + (y - eta)**2) - 1")
    value = next(s for s in doc.steps if str(s.title) == "Its value").expr
    assert float(value) == pytest.approx(2 * np.e * k1(1.0), rel=1e-13)
    bad = _with(doc, "Its value", expr=sp.Float(3.2723, 15))
    assert _failed(bad, "Its value")


def test_soft_labels_give_the_continuous_bernoulli_normaliser(verdicts):
    """LightGBM's cross_entropy on labels in (0, 1): e^{−BCE} integrates to tanh(η/2)/η — the continuous Bernoulli's
    missing normaliser (Loaiza-Ganem & Cunningham, 2019), checked here against scipy's quadrature."""
    doc = verdicts["soft-label cross-entropy"]
    for e in (-1.5, 0.4, 2.0):
        p = 1 / (1 + np.exp(-e))
        quad = integrate.quad(lambda t: p ** t * (1 - p) ** (1 - t), 0, 1)[0]
        assert quad == pytest.approx(np.tanh(e / 2) / e, rel=1e-10)
    closed = next(s for s in doc.steps if str(s.title) == "In closed form").expr
    assert closed == sp.tanh(eta / 2) / eta and doc.json["normaliser"] == "tanh(eta/2)/eta"


@pytest.mark.parametrize("name", ["MAPE", "LightGBM MAPE"])
def test_mape_does_not_normalise(verdicts, name):
    """Its integrand tends to e^{−1}; LightGBM's max(1, y) is past its kink at ∞ (SymPy's Gruntz has no series for a
    max: the limit is taken at y = 2 + u), and a wrong limit there is refused."""
    doc = verdicts[name]
    assert doc.json["normaliser"] == "oo"
    tail = next(s for s in doc.steps if str(s.title) == "It is infinite")
    assert tail.expr == sp.exp(-1)
    for wrong in (sp.S.Zero, sp.exp(-2)):
        assert _failed(_with(doc, "It is infinite", expr=wrong), "It is infinite")


def test_a_loss_without_a_closed_normaliser_is_undecided_not_a_verdict():
    doc = argument("loss-verdict", loss="(y - exp(eta))**2", support="counts")
    assert doc.json["likelihood"] is False and doc.json["undecided"] is True
    assert "cannot say" in str(doc.subtitle)


# -- each new kind of step rejects a wrong one ----------------------------------------------------------------------

def _with(doc, title, **changes):
    steps = [dataclasses.replace(s, **changes) if str(s.title) == title else s for s in doc.steps]
    return verify(dataclasses.replace(doc, steps=steps, checks=[]))


def _failed(doc, title):
    return not next(c for s, c in zip(doc.steps, doc.checks) if str(s.title) == title).verified


def test_a_wrong_shift_is_rejected(verdicts):
    u = sp.Symbol("u", real=True)
    assert _failed(_with(verdicts["squared error"], "Shift the variable",
                         expr=sp.Integral(sp.exp(-(u - 1) ** 2 / 2), (u, -sp.oo, sp.oo))), "Shift the variable")
    assert _failed(_with(verdicts["squared error"], "Shift the variable",
                         expr=sp.Integral(sp.exp(-u ** 2), (u, 0, sp.oo))), "Shift the variable")


def test_a_wrong_closed_form_is_rejected(verdicts):
    for name, wrong in (("squared error", 2 * sp.sqrt(sp.pi)), ("huber", sp.sqrt(2 * sp.pi)), ("log-cosh", sp.Integer(3)),
                        ("poisson", sp.E), ("focal", sp.S(2))):
        assert _failed(_with(verdicts[name], "In closed form", expr=wrong), "In closed form"), name


def test_a_normaliser_that_moves_is_not_called_free(verdicts):
    doc = verdicts["focal"]
    closed = next(s for s in doc.steps if str(s.title) == "In closed form")
    from mlederive.documents import Step
    from mlederive.relations import Differentiation

    wrong = Step("Free of $η$", "", "∂Z/∂η", "", sp.S.Zero, "derivative", payload=Differentiation(wrt=eta),
                 reference=closed.id)
    steps = list(doc.steps[:3]) + [wrong]
    assert not verify(dataclasses.replace(doc, steps=steps, checks=[])).checks[-1].verified


def test_a_normaliser_that_does_not_move_is_not_called_moving(verdicts):
    """"It depends on η" with a value equal to the other one: the verifier refuses the difference."""
    doc = verdicts["hinge"]
    step = next(s for s in doc.steps if str(s.title) == "It depends on η")
    assert not _failed(doc, "It depends on η")
    assert _failed(_with(doc, "It depends on η", payload=dataclasses.replace(step.payload, other=step.expr)),
                   "It depends on η")


def test_a_wrong_family_is_rejected(verdicts):
    doc = verdicts["absolute error"]
    y = sp.Symbol("y", real=True)
    assert _failed(_with(doc, "A known law", expr=sp.exp(-sp.Abs(y - eta) / 2) / 4), "A known law")


# -- the focal loss ---------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def focal():
    return argument("focal-loss")


def test_focal_every_step_verified_and_its_table(focal):
    assert focal.verified
    (table,) = focal.tables
    for row in table.rows:
        p = float(row[0])
        for c, cell in ((1, row[1]), (4, row[2])):
            assert float(cell) == pytest.approx(p ** (c * (1 - p) ** 2) + (1 - p) ** (c * p ** 2), abs=1e-6)
    assert focal.json["normaliser_at_9_10"] == pytest.approx(0.9 ** 0.04 + 0.1 ** 3.24, rel=1e-12)


def test_focal_wrong_limits_and_a_false_difference_are_rejected(focal):
    h1 = sp.Symbol("h_1", positive=True)
    assert _failed(_with(focal, "p → 0", expr=h1), "p → 0")
    at = next(s for s in focal.steps if str(s.title) == "… and there it moves")
    assert _failed(_with(focal, "… and there it moves", payload=dataclasses.replace(at.payload, subs={
        **at.payload.subs, sp.Symbol("p", positive=True): sp.Rational(1, 2)})), "… and there it moves")


def test_focal_at_gamma_zero_is_torch_bce(focal):
    torch = pytest.importorskip("torch")
    bce = next(s for s in focal.steps if str(s.title) == "At γ = 0").expr
    f = sp.lambdify([sp.Symbol("y", integer=True, nonnegative=True), sp.Symbol("p", positive=True)], bce, "math")
    logits = torch.tensor([-2.0, 0.3, 1.7], dtype=torch.float64)
    labels = torch.tensor([1.0, 0.0, 1.0], dtype=torch.float64)
    ours = [f(int(t), float(p)) for t, p in zip(labels, torch.sigmoid(logits))]
    ref = torch.nn.functional.binary_cross_entropy_with_logits(logits, labels, reduction="none")
    assert ours == pytest.approx(ref.tolist(), rel=1e-12)


# -- label smoothing --------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def smoothing():
    return argument("label-smoothing", epsilon="1/10", classes=5)


def test_label_smoothing_verified_for_any_k(smoothing):
    assert smoothing.verified
    split = next(c for s, c in zip(smoothing.steps, smoothing.checks) if str(s.title) == "Split the target")
    assert "any K" in split.scope or "any K" in split.detail or split.method.value == "symbolic"


def test_label_smoothing_is_pytorchs(smoothing):
    """The identity CE(q, p) = (1 − ε)·NLL + ε·CE(u, p) against PyTorch's cross_entropy(label_smoothing=ε)."""
    torch = pytest.importorskip("torch")
    split = next(s for s in smoothing.steps if str(s.title) == "Split the target").expr
    K, eps = sp.Symbol("K", integer=True, positive=True), sp.Symbol("epsilon", positive=True)
    logits = torch.tensor([[0.2, -1.0, 2.5, 0.1, -0.3], [1.0, 1.0, -2.0, 0.5, 0.0]], dtype=torch.float64)
    labels = torch.tensor([2, 4])
    ref = torch.nn.functional.cross_entropy(logits, labels, label_smoothing=0.1, reduction="none")
    logp = torch.log_softmax(logits, dim=1)
    p, y = sp.IndexedBase("p", positive=True), sp.IndexedBase("y", nonnegative=True)
    for row in range(2):
        values = {p[j]: sp.exp(sp.Float(logp[row, j - 1].item(), 30)) for j in range(1, 6)}
        values |= {y[j]: int(labels[row].item() == j - 1) for j in range(1, 6)}
        ours = S.write_out(split.subs({K: 5, eps: sp.Rational(1, 10)})).xreplace(values)
        assert float(sp.N(ours, 30)) == pytest.approx(ref[row].item(), rel=1e-12)


def test_label_smoothing_wrong_split_is_rejected(smoothing):
    k = sp.Idx("k")
    K, eps = sp.Symbol("K", integer=True, positive=True), sp.Symbol("epsilon", positive=True)
    p, y = sp.IndexedBase("p", positive=True), sp.IndexedBase("y", nonnegative=True)
    wrong = -(1 - eps) * sp.Sum(y[k] * sp.log(p[k]), (k, 1, K)) - eps * sp.Sum(sp.log(p[k]), (k, 1, K))
    assert _failed(_with(smoothing, "Split the target", expr=wrong), "Split the target")


# -- the recipe's errors ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fields, message", [
    ("loss: \"(y - eta\"", "not a valid expression"),
    ("loss: \"y**2\"", "does not depend on eta"),
    ("loss: \"__import__('os')\"", "not allowed"),
    ("support: angles", "must be one of real, positive, unit, binary, counts"),
    ("c: -1", "must be positive"),
    ("parameters: {y: 1}", "not a name for a parameter"),
])
def test_bad_verdict_recipes_are_one_line_errors(tmp_path, fields, message):
    path = tmp_path / "mine.yaml"
    path.write_text("name: mine\ntitle: Mine\nkind: loss-verdict\n%s\n" % fields)
    out = CliRunner().invoke(cli, [str(path)])
    assert out.exit_code == 2 and message in out.output, out.output
    assert "Traceback" not in out.output and len(out.output.strip().splitlines()) == 1
