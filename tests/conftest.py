import functools

import pytest
import sympy as sp

from mlederive import derive, symbolic as S

BUILTINS = [
    "gaussian-identity",
    "gaussian-identity-learned-sigma",
    "bernoulli-logit",
    "categorical-softmax",
    "laplace-identity",
    "poisson-log",
]


@functools.lru_cache(maxsize=None)
def derived(name):
    """Each built-in recipe derived and verified once per test session."""
    return derive(name)


@pytest.fixture(params=BUILTINS)
def builtin(request):
    return derived(request.param)


def unrolled_equal(a, b, size=4, classes=3):
    """Independent of the verifier: write sums out for a concrete n (and K) and simplify."""
    subs = {S.n: size, S.K: classes}
    diff = (a - b).subs(subs).doit()
    diff = S.expand_functions(diff)
    return sp.simplify(sp.expand_log(diff, force=True)) == 0
