"""Distribution families: the assumed law of y given the mean μ.

Each family is a short declarative class, after sympy.stats' distributions and
statsmodels' GLM families: its density in SymPy (and the form a textbook writes it
in), its nuisance parameters with SymPy assumptions, its support and mean domain,
its canonical link, and (for exponential-dispersion families) the variance function
V(μ) and dispersion φ that give the textbook gradient (μ − y)·g⁻¹'(η) / (φ V(μ)).

``base`` holds what every family declares; ``dispersion`` the exponential-dispersion
families, ``other`` the rest. Adding a family is one class in one of them and one
entry below.
"""
from __future__ import annotations

from ..pairing import Pairing
from .base import Family, Param
from .censored import Tobit
from .dispersion import (
                         Bernoulli,
                         Binomial,
                         Categorical,
                         Exponential,
                         Gamma,
                         Gaussian,
                         Geometric,
                         InverseGaussian,
                         NegativeBinomial,
                         Poisson,
)
from .nondispersion import (
                         AsymmetricLaplace,
                         Beta,
                         Cauchy,
                         Huber,
                         Laplace,
                         LogNormal,
                         StudentT,
                         Tweedie,
                         VonMises,
                         Weibull,
                         ZeroInflatedPoisson,
)

_FAMILIES = [Gaussian, Bernoulli, Binomial, Categorical, Poisson, Exponential, Gamma, InverseGaussian,
             NegativeBinomial, Beta, Laplace, StudentT, LogNormal, Geometric, Weibull, ZeroInflatedPoisson,
             Cauchy, VonMises, AsymmetricLaplace, Huber, Tweedie, Tobit]
FAMILIES: dict[str, Family] = {cls.name: cls() for cls in _FAMILIES}


__all__ = ["FAMILIES", "Family", "Pairing", "Param"]
