"""Benchmark: training time of a generated boosting objective against the library's built-in one
(run: python benchmarks/boosting_speed.py).

XGBoost, 10⁵ rows, 30 rounds, one thread, hist: ``count:poisson`` against ``mlederive codegen poisson-log --target
xgboost`` (the objective as a user calls it, labels checked each round) and a hand-written objective (two lines of
NumPy, no checks), with the same base margin; and LightGBM's ``poisson`` against its generated module. Each timing is
the best of seven runs, the runs interleaved; what is reported is the ratio to the built-in within this one run.

Not a test: the machine is shared and noisy; the README reports one dated run.
"""
from __future__ import annotations

import time

import numpy as np


def _best(run, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def _interleaved(runs, repeats: int = 7) -> list:
    """The best time of each run, the runs taken in turn (one of each, then again): a slow minute of the shared
    machine falls on all of them, not on whichever came first."""
    best = [float("inf")] * len(runs)
    for _ in range(repeats):
        for n, run in enumerate(runs):
            start = time.perf_counter()
            run()
            best[n] = min(best[n], time.perf_counter() - start)
    return best


def main() -> None:
    import lightgbm as lgb
    import xgboost as xgb

    from mlederive.codegen import generate

    namespace: dict = {}
    exec(compile(generate("poisson-log", "xgboost").code, "poisson_objective.py", "exec"), namespace)
    lgb_namespace: dict = {}
    exec(compile(generate("poisson-log", "lightgbm").code, "poisson_lgb.py", "exec"), lgb_namespace)
    rng = np.random.default_rng(0)
    n = 100_000
    X = rng.normal(size=(n, 10))
    y = rng.poisson(np.exp(0.5 * X[:, 0] - 0.3 * X[:, 1])).astype(float)
    margin = np.full(n, namespace["base_margin"](y))
    dtrain = xgb.DMatrix(X, label=y, base_margin=margin)
    params = {"tree_method": "hist", "max_depth": 6, "eta": 0.3, "nthread": 1, "max_delta_step": 0,
              "disable_default_eval_metric": 1}

    def hand_written(predt, data):
        mu = np.exp(predt)
        return mu - data.get_label(), mu

    def train(objective=None, **extra):
        chosen = {**params, "objective": objective} if objective else params
        return lambda: xgb.train(chosen, dtrain, 30, **extra)

    builtin, generated, hand = _interleaved([train("count:poisson"), train(obj=namespace["objective"]),
                                             train(obj=hand_written)])
    calls = _best(lambda: [namespace["objective"](margin, dtrain) for _ in range(30)])
    hand_calls = _best(lambda: [hand_written(margin, dtrain) for _ in range(30)])
    print("XGBoost, %d rows, 30 rounds, 1 thread (best of 7, interleaved):" % n)
    print("  count:poisson %.3f s; generated objective %.3f s (%.2f×); hand-written %.3f s (%.2f×)"
          % (builtin, generated, generated / builtin, hand, hand / builtin))
    print("  one objective call: generated %.3f ms, hand-written %.3f ms"
          % (1000 * calls / 30, 1000 * hand_calls / 30))

    init = np.full(n, lgb_namespace["init_score"](y))
    common = dict(n_estimators=30, learning_rate=0.3, num_leaves=31, n_jobs=1, verbose=-1, boost_from_average=False,
                  poisson_max_delta_step=1e-12)

    def fit(objective):
        return lambda: lgb.LGBMRegressor(objective=objective, **common).fit(X, y, init_score=init)

    lgb_builtin, lgb_generated = _interleaved([fit("poisson"), fit(lgb_namespace["objective"])])
    print("LightGBM, %d rows, 30 rounds, 1 thread (best of 7, interleaved):" % n)
    print("  poisson %.3f s; generated objective %.3f s (%.2f×)" % (lgb_builtin, lgb_generated,
                                                                    lgb_generated / lgb_builtin))


if __name__ == "__main__":
    main()
