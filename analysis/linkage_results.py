"""Named, immutable results of the linkage statistics: correlations, multilevel models and drivers.

As in :mod:`analysis.results`, every result is a frozen dataclass of plain
floats, ints, bools, strings or tuples, so ``dataclasses.asdict`` gives
something JSON-ready (NaN marks a value that is undefined for the data given).

Mappings (driver weights) are stored as tuples of ``(name, value)`` pairs
rather than dicts: a tuple is immutable, keeps the predictor order and
survives ``asdict`` unchanged. ``dict(result.weights)`` turns one into a dict.
"""
from __future__ import annotations

from dataclasses import dataclass

# -- linkage ------------------------------------------------------------------


@dataclass(frozen=True)
class CorrelationResult:
    """A correlation with its interval, two-sided p-value and n (pairs)."""

    r: float
    ci_low: float
    ci_high: float
    p_value: float
    n: int
    method: str


@dataclass(frozen=True)
class MultilevelTerm:
    """One fixed-effect term of a mixed model."""

    term: str
    coef: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float


@dataclass(frozen=True)
class MultilevelResult:
    """Random-intercept model of an outcome on between/within predictor parts."""

    outcome: str
    terms: tuple[MultilevelTerm, ...]
    n_obs: int
    n_groups: int
    converged: bool
    note: str = ""

    def term(self, name: str) -> MultilevelTerm:
        """The term called ``name`` (e.g. ``"engagement_between"``)."""
        for t in self.terms:
            if t.term == name:
                return t
        raise KeyError(name)


# -- drivers ------------------------------------------------------------------


@dataclass(frozen=True)
class DriverResult:
    """Relative importance of predictors for one outcome.

    ``weights`` and ``rescaled`` are tuples of ``(predictor, value)`` pairs in
    the order the predictors were given; weights sum to ``r2`` and rescaled to
    100. ``ci`` is None without bootstrap, else a tuple of
    ``(predictor, low, high)`` percentile intervals for the weights.
    """

    weights: tuple[tuple[str, float], ...]
    rescaled: tuple[tuple[str, float], ...]
    r2: float
    n: int
    ci: tuple[tuple[str, float, float], ...] | None
    method: str = "dominance"


@dataclass(frozen=True)
class DriverWeight:
    """One predictor's importance with its bootstrap interval and rank stability.

    ``weight`` is its part of R^2 and ``share`` the same as a percent of R^2; ``*_low``/``*_high`` are
    percentile bootstrap bounds; ``rank`` is 1 for the largest weight in the full sample;
    ``top_share`` is the fraction (0-1) of resamples in which it ranked among the top ``top``.
    """

    predictor: str
    weight: float
    weight_low: float
    weight_high: float
    share: float
    share_low: float
    share_high: float
    rank: int
    top_share: float


@dataclass(frozen=True)
class DriverBootstrap:
    """Relative importance of predictors for one outcome, bootstrapped by resampling clusters.

    ``drivers`` keeps the order the predictors were given. ``n`` counts the complete rows and
    ``clusters`` the clusters they belong to (the resampled unit); ``samples`` counts the resamples
    used (those with a constant variable are dropped), ``top`` is the rank cut-off of ``top_share``.
    """

    outcome: str
    drivers: tuple[DriverWeight, ...]
    r2: float
    r2_low: float
    r2_high: float
    n: int
    clusters: int
    samples: int
    top: int
    method: str
    confidence: float

    def driver(self, name: str) -> DriverWeight:
        """The weight of the predictor called ``name``."""
        for d in self.drivers:
            if d.predictor == name:
                return d
        raise KeyError(name)
