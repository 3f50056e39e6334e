"""Scores and their intervals from sums (the rollups' counts, sums and sums of squares), not raw answers.

Three kinds of figure, one interval rule each (see the README, "Statistical definitions"):

* ``share`` -- a percent of respondents (CSAT top-two box, an item's % favourable): Wilson interval;
* ``net`` -- promoters minus detractors (NPS, eNPS), -100..100: normal interval from the per-respondent
  variance of (promoter - detractor), which for one 0-10 item is the multinomial standard error
  100·√((p_P + p_D − (p_P − p_D)²)/n);
* ``mean`` -- the mean of respondents' scores (engagement and dimension indices, CES): t interval.

Differences between two independent groups (a team against the rest of the organisation, a wave against
the previous one) use Newcombe's hybrid score interval for shares and a Welch interval otherwise.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats

from ._util import NAN, check_confidence, t_interval, wilson_interval, z_value
from .results import ChangeResult
from .trends import _welch, proportion_change

KINDS = ("share", "net", "mean")


@dataclass(frozen=True)
class Sums:
    """Sufficient statistics of one group for one metric.

    ``share``: ``s1`` successes (may be fractional: sums of respondents' shares); ``s2`` unused.
    ``net``: ``s1`` the sum of respondents' (promoter - detractor) shares, ``s2`` the sum of their squares.
    ``mean``: ``s1`` the sum of respondents' scores, ``s2`` the sum of their squares.
    ``scale`` multiplies the value (100 for shares and net scores, 1 for means already on their scale).
    ``bounds`` (means only): the scale's ends, e.g. (0, 100) for an index or (1, 7) for CES; the
    interval is cut at them (a t interval near the end of a bounded scale can otherwise pass it).
    """

    kind: str
    n: float
    s1: float
    s2: float = 0.0
    scale: float = 1.0
    bounds: tuple[float, float] | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")

    def __add__(self, other: Sums) -> Sums:
        self._same(other)
        return Sums(self.kind, self.n + other.n, self.s1 + other.s1, self.s2 + other.s2, self.scale, self.bounds)

    def __sub__(self, other: Sums) -> Sums:
        self._same(other)
        return Sums(self.kind, self.n - other.n, self.s1 - other.s1, self.s2 - other.s2, self.scale, self.bounds)

    def _same(self, other: Sums) -> None:
        if (self.kind, self.scale) != (other.kind, other.scale):
            raise ValueError("cannot combine sums of different kinds or scales")


@dataclass(frozen=True)
class Estimate:
    """A score with its interval; ``sd`` is the respondent-level standard deviation on the value's scale."""

    value: float
    ci_low: float
    ci_high: float
    n: int
    sd: float
    kind: str
    confidence: float


def share(successes: float, n: float, confidence: float = 0.95) -> Estimate:
    """Percent of ``n`` respondents who are ``successes`` (0-100) with the Wilson interval.

    Parameters
    ----------
    successes, n : float
        Count (or sum of respondents' shares) and number of respondents.
    confidence : float
        Interval level.

    Returns
    -------
    Estimate
        NaN value and interval when n is 0.
    """
    return estimate(Sums("share", n, successes, 0.0, 100.0), confidence)


def estimate(sums: Sums, confidence: float = 0.95) -> Estimate:
    """The score a group's sums give, with its interval.

    Parameters
    ----------
    sums : Sums
        The group's sufficient statistics.
    confidence : float
        Interval level.

    Returns
    -------
    Estimate
        NaN when n is 0; NaN interval for means and net scores with fewer than 2 respondents.
    """
    check_confidence(confidence)
    n = float(sums.n)
    if n <= 0:
        return Estimate(NAN, NAN, NAN, 0, NAN, sums.kind, confidence)
    mean = sums.s1 / n
    if sums.kind == "share":
        p = min(max(mean, 0.0), 1.0)
        lo, hi = wilson_interval(p * n, int(round(n)), confidence)
        sd = math.sqrt(p * (1 - p))
    else:
        var = max(sums.s2 / n - mean * mean, 0.0)
        if sums.kind == "mean":
            var = var * n / (n - 1) if n > 1 else NAN  # sample variance for the t interval
        # net: the multinomial (maximum-likelihood) variance, exactly the published NPS margin
        sd = math.sqrt(var) if n > 1 else NAN
        if sums.kind == "net":
            half = z_value(confidence) * sd / math.sqrt(n) if n > 1 else NAN
            lo, hi = max(mean - half, -1.0), min(mean + half, 1.0)
        else:
            lo, hi = t_interval(mean, sd, int(n), confidence)
            if sums.bounds is not None:
                lo, hi = max(lo, sums.bounds[0] / sums.scale), min(hi, sums.bounds[1] / sums.scale)
    s = sums.scale
    return Estimate(s * mean, s * lo, s * hi, int(round(n)), s * sd, sums.kind, confidence)


def difference(group: Sums, reference: Sums, confidence: float = 0.95) -> ChangeResult:
    """``group`` minus ``reference`` with its interval, for two independent groups.

    Parameters
    ----------
    group, reference : Sums
        Same kind and scale. To compare a team with the organisation it belongs to, pass the rest of
        the organisation (``org - team``) as the reference: the two must not share respondents.
    confidence : float
        Interval level.

    Returns
    -------
    ChangeResult
        ``change`` = group - reference on the value's scale; ``n_before`` is the reference's n and
        ``n_after`` the group's. NaN when either n is below 1 (below 2 for means and net scores).
    """
    check_confidence(confidence)
    a, b = estimate(reference, confidence), estimate(group, confidence)
    if group.kind == "share":
        if a.n == 0 or b.n == 0:
            return ChangeResult(NAN, NAN, NAN, a.n, b.n, False, "newcombe")
        res = proportion_change(a.value, a.n, b.value, b.n, confidence)
        return res
    if a.n < 2 or b.n < 2:
        return ChangeResult(b.value - a.value if a.n and b.n else NAN, NAN, NAN, a.n, b.n, False, "welch")
    if group.kind == "net":
        se = math.sqrt(a.sd ** 2 / a.n + b.sd ** 2 / b.n)
        d = b.value - a.value
        half = z_value(confidence) * se
        lo, hi = d - half, d + half
        method = "normal"
    else:
        d, lo, hi = _welch(a.value, a.sd ** 2, a.n, b.value, b.sd ** 2, b.n, confidence)
        method = "welch"
    return ChangeResult(float(d), float(lo), float(hi), a.n, b.n, bool(lo > 0 or hi < 0), method)


def p_value(result: ChangeResult, confidence: float = 0.95) -> float:
    """Two-sided p-value of a difference, recovered from its interval (normal approximation).

    Used to feed Benjamini-Hochberg across a grid of differences; NaN when the interval is missing or
    the interval has no width information; ``confidence`` is the level the interval was built at.
    """
    if not (math.isfinite(result.ci_low) and math.isfinite(result.ci_high)):
        return NAN
    se = (result.ci_high - result.ci_low) / (2 * z_value(confidence))
    if se <= 0:
        return 0.0 if result.change != 0 else 1.0
    return float(2 * stats.norm.sf(abs(result.change) / se))
