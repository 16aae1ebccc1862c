"""Benchmark: the generated PyTorch loss, forward and backward, against PyTorch's built-in and against plain autograd
(run: python benchmarks/pytorch_speed.py).

10⁶ float32 values on the CPU, the mean reduction, one forward and one backward per call. Two questions:

1. Where the derivation's loss is proved equal to a built-in (bernoulli-logit: ``BCEWithLogitsLoss``, poisson-log:
   ``PoissonNLLLoss(log_input=True)``, gaussian-identity: ``MSELoss``), how the generated ``loss`` compares with the
   built-in called directly (it calls it; what is left is its checks).
2. Elsewhere (gamma-log, bernoulli-probit, student-t-identity, poisson-identity), how its ``torch.autograd.Function``
   (backward: the verified gradient) compares with autograd through the same stable loss (the module's ``_loss``), and
   with the built-in of the nearest model where one exists (BCEWithLogitsLoss beside the probit).

Each timing is the median of 30 calls after 5 warm-up calls, with torch's thread count as it is; what is reported is
the ratio within this one run. Not a test: the machine is shared and noisy; the README reports one dated run.
"""
from __future__ import annotations

import inspect
import statistics
import time

N = 1_000_000


def _module(recipe: str) -> dict:
    from mlederive.codegen import generate

    namespace: dict = {}
    exec(compile(generate(recipe, "pytorch").code, recipe + ".py", "exec"), namespace)
    return namespace


def _median(run, repeats: int = 30) -> float:
    for _ in range(5):
        run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _step(loss, eta, *args, **kwargs):
    def run():
        eta.grad = None
        loss(eta, *args, **kwargs).backward()
    return run


def _data(recipe: str):
    import torch

    g = torch.Generator().manual_seed(0)
    eta = torch.randn(N, generator=g).requires_grad_()
    if recipe.startswith("bernoulli"):
        y = (torch.rand(N, generator=g) < 0.5).float()
    elif recipe.startswith("poisson"):
        y = torch.poisson(torch.full((N,), 3.0), generator=g)
        if recipe == "poisson-identity":
            eta = (torch.rand(N, generator=g) + 0.5).requires_grad_()
    elif recipe.startswith("gamma"):
        y = torch.rand(N, generator=g) + 0.5
    else:
        y = torch.randn(N, generator=g)
    return eta, y


BUILTINS = {"bernoulli-logit": "binary_cross_entropy_with_logits", "poisson-log": "poisson_nll_loss",
            "gaussian-identity": "mse_loss"}
FUNCTIONS = ("gamma-log", "bernoulli-probit", "student-t-identity", "poisson-identity")


def main() -> None:
    import torch

    print("PyTorch %s, %d threads, %s float32 values, forward + backward, median of 30" % (
        torch.__version__, torch.get_num_threads(), format(N, ",")))
    for recipe, name in BUILTINS.items():
        m, (eta, y) = _module(recipe), _data(recipe)
        builtin = _median(_step(getattr(torch.nn.functional, name), eta, y))
        generated = _median(_step(m["loss"], eta, y))
        print("%-20s built-in %-34s %6.2f ms   generated %6.2f ms   %.2f×" % (
            recipe, name, 1e3 * builtin, 1e3 * generated, generated / builtin))
    for recipe in FUNCTIONS:
        m, (eta, y) = _module(recipe), _data(recipe)
        required = {p: 2.0 for p, v in inspect.signature(m["loss"]).parameters.items()
                    if v.kind == v.KEYWORD_ONLY and v.default is inspect.Parameter.empty}
        params = [torch.tensor(required[p]) for p in inspect.signature(m["_loss"]).parameters if p in required]
        autograd = _median(_step(lambda e, t: m["_loss"](e, t, *params).mean(), eta, y))
        generated = _median(_step(m["loss"], eta, y, **required))
        line = "%-20s autograd on _loss %6.2f ms   generated (Function) %6.2f ms   %.2f×" % (
            recipe, 1e3 * autograd, 1e3 * generated, generated / autograd)
        if recipe == "bernoulli-probit":
            bce = _median(_step(torch.nn.functional.binary_cross_entropy_with_logits, eta, y))
            line += "   (BCEWithLogitsLoss %.2f ms: %.2f×)" % (1e3 * bce, generated / bce)
        print(line)


if __name__ == "__main__":
    main()
