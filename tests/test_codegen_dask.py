"""The same generated module, unchanged, trains on a dask.distributed cluster (a LocalCluster of 2 worker processes):
shipped to the workers with client.upload_file, as a user ships it to a real cluster."""
from __future__ import annotations

import importlib
import sys

import numpy as np
import pytest
from codegen_helpers import generated

pytest.importorskip("dask.distributed")


@pytest.fixture(scope="module")
def cluster():
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None, processes=True) as c, \
            Client(c) as client:
        yield client


def _module(client, tmp_path, spec, target, name):
    """The module written to a file, imported here and uploaded to every worker."""
    path = tmp_path / ("%s.py" % name)
    path.write_text(generated(spec, target).code)
    sys.path.insert(0, str(tmp_path))
    try:
        module = importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))
    client.upload_file(str(path))
    return module


def _data(spec, n=2000):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    eta = 0.8 * X[:, 0] - 0.5 * X[:, 1] + 0.3
    y = rng.poisson(np.exp(eta)) if spec == "poisson-log" else rng.binomial(1, 1 / (1 + np.exp(-eta)))
    return X, y.astype(float)


@pytest.mark.parametrize("spec", ["poisson-log", "bernoulli-logit"])
def test_xgboost_dask_equals_the_single_machine_model(cluster, tmp_path, spec):
    """xgb.dask.train with the generated objective and metric: the same margins as xgb.train on one machine, to float
    precision, and the metric's last value is the full NLL of those margins."""
    import dask.array as da
    import xgboost as xgb
    import xgboost.dask  # noqa: F401

    name = "dask_%s_objective" % spec.replace("-", "_")
    m = _module(cluster, tmp_path, spec, "xgboost", name)
    X, y = _data(spec)
    margin = np.full(y.size, m.base_margin(y))
    params = {"max_depth": 3, "eta": 0.3, "tree_method": "hist", "max_delta_step": 0, "nthread": 1,
              "disable_default_eval_metric": 1}
    single = xgb.train(params, xgb.DMatrix(X, label=y, base_margin=margin), 20, obj=m.objective)
    expected = single.predict(xgb.DMatrix(X, base_margin=margin), output_margin=True)
    dX, dy, dm = (da.from_array(a, chunks=(1000,) + a.shape[1:]) for a in (X, y, margin))
    dtrain = xgb.dask.DaskDMatrix(cluster, dX, dy, base_margin=dm)
    out = xgb.dask.train(cluster, params, dtrain, 20, obj=m.objective, custom_metric=m.metric,
                         evals=[(dtrain, "train")])
    got = xgb.dask.predict(cluster, out["booster"], xgb.dask.DaskDMatrix(cluster, dX, base_margin=dm),
                           output_margin=True).compute()
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)
    assert out["history"]["train"]["nll"][-1] == pytest.approx(m.metric(y, got.astype(float)), rel=1e-5)


@pytest.mark.parametrize("spec", ["poisson-log", "bernoulli-logit"])
def test_lightgbm_dask_is_within_the_librarys_own_distributed_tolerance(cluster, tmp_path, spec):
    """LightGBM's data-parallel training does not reproduce the single-machine model, for its built-in objectives
    either (LightGBM's own tests allow R² scores 0.01 apart). The generated
    objective, unchanged on the cluster, gives a full NLL within 1 % of the single-machine model's — as the built-in
    objective does on the same cluster, checked here beside it — and the distributed model predicts the same on the
    cluster as locally."""
    import dask.array as da
    import lightgbm as lgb

    name = "dask_lgb_%s_objective" % spec.replace("-", "_")
    m = _module(cluster, tmp_path, spec, "lightgbm", name)
    X, y = _data(spec, n=4000)
    init = np.full(y.size, m.init_score(y))
    common = dict(n_estimators=20, learning_rate=0.3, num_leaves=8, min_child_samples=5, verbose=-1,
                  boost_from_average=False, poisson_max_delta_step=1e-12)
    dX, dy, di = (da.from_array(a, chunks=(y.size // 2,) + a.shape[1:]) for a in (X, y, init))
    builtin = "poisson" if spec == "poisson-log" else "binary"
    for objective in (m.objective, builtin):
        single = lgb.LGBMRegressor(objective=objective, n_jobs=1, **common).fit(X, y, init_score=init)
        distributed = lgb.DaskLGBMRegressor(client=cluster, objective=objective, **common).fit(dX, dy, init_score=di)
        local = distributed.to_local().predict(X, raw_score=True)
        np.testing.assert_allclose(distributed.predict(dX, raw_score=True).compute(), local)
        expected = m.nll(single.predict(X, raw_score=True) + init, y).mean()
        assert m.nll(local + init, y).mean() == pytest.approx(expected, rel=0.01)
