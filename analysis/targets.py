"""A value and its interval against a target: how far off it is, and whether the interval clears it.

Survey metrics are "higher is better" (favourable shares, net scores, satisfaction, ease), so a target
is reached when the value is at or above it; some business outcomes (churn, complaints) are "lower is
better", and their target is reached at or below it (`higher_is_better=False` mirrors every rule).
A point estimate just above the target is not yet
evidence of reaching it: only when the interval's low end is at or above the target is the target
reached beyond sampling error.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

STATUSES = ("met", "at_target", "below", "no_value")


@dataclass(frozen=True)
class TargetCheck:
    """How a value compares with a target.

    Attributes
    ----------
    distance : float or None
        value - target (positive: above the target); None when there is no value.
    status : str
        ``met`` (the interval's low end is at or above the target), ``at_target`` (the value is at or
        above the target but the interval still reaches below it), ``below`` (the value is under the
        target), or ``no_value``.
    interval_reaches_target : bool or None
        For ``below``: whether the interval's high end reaches the target (the shortfall may be
        sampling error). None otherwise.
    """

    distance: float | None
    status: str
    interval_reaches_target: bool | None = None


def _finite(x: float | None) -> bool:
    return x is not None and math.isfinite(x)


def against_target(value: float | None, low: float | None, high: float | None, target: float,
                   digits: int = 1, higher_is_better: bool = True) -> TargetCheck:
    """Compare a value and its interval (low, high) with a target.

    Parameters
    ----------
    value, low, high : float or None
        The estimate and its interval bounds; a missing or non-finite value gives ``no_value``. A
        missing bound is treated as an interval that includes the target (no claim beyond the value).
    target : float
        The target, on the metric's scale.
    digits : int
        Rounding of the distance.
    higher_is_better : bool
        False for metrics where lower is better: the target is then met at or below it (``below``
        then means "on the wrong side of the target", i.e. above it). The distance stays value - target.

    Returns
    -------
    TargetCheck
    """
    if not _finite(value):
        return TargetCheck(None, "no_value")
    distance = round(float(value) - float(target), digits)
    if not higher_is_better:  # mirror: a value under the target is on the good side
        mirrored = against_target(-float(value), None if not _finite(high) else -float(high),
                                  None if not _finite(low) else -float(low), -float(target), digits)
        return TargetCheck(distance, mirrored.status, mirrored.interval_reaches_target)
    if value < target:
        reaches = not _finite(high) or high >= target
        return TargetCheck(distance, "below", reaches)
    if _finite(low) and low >= target:
        return TargetCheck(distance, "met")
    return TargetCheck(distance, "at_target")
