"""The on-disk cache of verified claims: reused only for the same expression, code and model; never for failures."""
from dataclasses import replace

import pytest
import sympy as sp
from click.testing import CliRunner

from mlederive.cli import cli
from mlederive.derivation import derive
from mlederive.symbolic import eta, i
from mlederive.verification import cache, check_step
from mlederive.verification import prover as V


@pytest.fixture
def store(tmp_path, monkeypatch):
    path = tmp_path / "claims.sqlite"
    monkeypatch.setenv("MLEDERIVE_CACHE", str(path))
    yield path
    cache._state.pop("path", None)
    cache._state.pop("conn", None)


def _no_proving(monkeypatch):
    calls = []
    monkeypatch.setattr(V, "_decide", lambda *a: calls.append(a) or V.Outcome(False, "symbolic", "not allowed"))
    return calls


def test_second_run_reuses_every_outcome(store, monkeypatch):
    first = derive("bernoulli-logit")
    assert first.verified and cache.count() > 0
    calls = _no_proving(monkeypatch)
    second = derive("bernoulli-logit")
    assert second.verified and calls == []
    assert [c.method for c in second.checks] == [c.method for c in first.checks]


def test_a_wrong_step_is_rejected_with_a_warm_cache(store):
    d = derive("gaussian-identity")
    index = next(n for n, s in enumerate(d.steps) if s.title.startswith("Negate"))
    bad = replace(d.steps[index], expr=-d.steps[index].expr)  # the sign flip is not a negation of the reference
    assert not check_step(d, bad).verified


def test_failures_are_not_stored(store):
    d = derive("gaussian-identity")
    before = cache.count()
    false = V.Claim("zero", sp.sin(eta[i]) ** 2 - sp.cos(eta[i]) ** 2, "false")
    assert not V.prove(false, d.model).ok
    assert cache.count() == before
    assert not V.prove(false, d.model).ok


def test_changed_code_does_not_match_old_entries(store, monkeypatch):
    derive("poisson-log")
    monkeypatch.setitem(cache._state, "fingerprint", "another version of mlederive")
    calls = []
    real = V._decide
    monkeypatch.setattr(V, "_decide", lambda *a: calls.append(a) or real(*a))
    assert derive("poisson-log").verified
    assert calls  # proved again, not read back


def test_unusable_location_switches_the_cache_off(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("MLEDERIVE_CACHE", str(blocker / "claims.sqlite"))
    cache._state.pop("path", None)
    assert derive("gaussian-identity").verified
    assert cache.count() is None
    cache._state.pop("path", None)


def test_cache_command_reports_and_clears(store):
    derive("gaussian-identity")
    out = CliRunner().invoke(cli, ["cache"])
    assert out.exit_code == 0 and str(store) in out.output and "stored outcomes" in out.output
    out = CliRunner().invoke(cli, ["cache", "--clear"])
    assert out.exit_code == 0 and "0 stored outcomes" in out.output


def test_cache_command_when_off(monkeypatch):
    monkeypatch.setenv("MLEDERIVE_CACHE", "off")
    out = CliRunner().invoke(cli, ["cache"])
    assert out.exit_code == 0 and "off" in out.output


def test_a_warm_run_builds_no_claims_and_reports_the_same_checks(store, monkeypatch):
    import mlederive.verification as verification

    first = derive("poisson-log")
    built = []
    real = verification.build_claims
    monkeypatch.setattr(verification, "build_claims", lambda *a: built.append(a) or real(*a))
    second = derive("poisson-log")
    assert built == []
    assert [(c.verified, c.method, c.detail, c.scope) for c in second.checks] == \
        [(c.verified, c.method, c.detail, c.scope) for c in first.checks]


def test_a_step_verdict_is_not_reused_for_another_reference_or_payload(store):
    d = derive("gaussian-identity")
    assert d.verified
    grad = d.step("grad-eta")
    # the same step against a changed reference: a different key, proved again, and it fails
    loss = d.step("loss")
    moved = d.replace_step(replace(loss, expr=loss.expr * 2))
    assert not check_step(moved, grad).verified
    # the same expression with a changed payload (a wrong chain-rule factor) is not taken from the cache
    dl, dmu = grad.payload.chain
    wrong = replace(grad, payload=replace(grad.payload, chain=(dl, dmu * 2)))
    assert not check_step(d, wrong).verified
