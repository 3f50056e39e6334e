"""Survey scores: favourability, NPS/eNPS, CSAT, CES and dimension scores.

Definitions: the README's "Statistical definitions"; thresholds come from
analysis.metrics. Unanswered items (None/NaN) are dropped, never counted as zero. With no answers every score is NaN and
n is 0; nothing raises for an empty input, because an empty team is a normal
state of a report.
"""
from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ._util import NAN, check_confidence, clean_values, t_interval, wilson_interval, z_value
from .metrics import CES_AGREE_TOP, DETRACTOR_MAX, PROMOTER_MIN, TOP_BOX
from .results import CESResult, CSATResult, DimensionScores, FavorabilityResult, NPSResult


def _check_range(arr: np.ndarray, low: float, high: float, what: str) -> None:
    bad = arr[(arr < low) | (arr > high)]
    if bad.size:
        raise ValueError(f"{what} must lie in {low:g}..{high:g}; got {bad[0]:g}")


def _favorable_sets(scale_points: int, favorable: Iterable | None) -> tuple[set, set]:
    if scale_points < 4:
        raise ValueError("favourability needs a scale of at least 4 points "
                         f"(top two and bottom two must not overlap); got {scale_points}")
    if favorable is None:
        fav = set(range(scale_points - TOP_BOX + 1, scale_points + 1))
    else:
        fav = {float(v) for v in favorable}
    # Unfavourable mirrors the favourable set so a custom definition stays symmetric.
    unfav = {scale_points + 1 - v for v in fav}
    if fav & unfav:
        raise ValueError("the favourable set overlaps its mirror image; choose values above the midpoint")
    return fav, unfav


def favorability(values: Iterable, scale_points: int, favorable: Iterable | None = None) -> FavorabilityResult:
    """Percent favourable, neutral and unfavourable on a 1-based agreement scale.

    Parameters
    ----------
    values : sequence of numbers
        Answers on a 1..scale_points scale; None/NaN are unanswered and dropped.
    scale_points : int
        Number of scale points (at least 4).
    favorable : iterable of numbers, optional
        Values counted favourable. Default: the top two points (4-5 on a
        5-point scale, 6-7 on 7). Unfavourable is always the mirror image of
        the favourable set (default: the bottom two points) and neutral is
        everything in between (3 on 5 points, 3-5 on 7 points).

    Returns
    -------
    FavorabilityResult
        Percents (0-100) and the item mean; all NaN with n = 0 when nothing
        was answered.

    Raises
    ------
    ValueError
        For answers outside 1..scale_points or a scale below 4 points.
    """
    fav, unfav = _favorable_sets(int(scale_points), favorable)
    arr = clean_values(values)
    _check_range(arr, 1, scale_points, "answers")
    n = int(arr.size)
    if n == 0:
        return FavorabilityResult(NAN, NAN, NAN, NAN, 0)
    pf = float(np.isin(arr, list(fav)).mean() * 100)
    pu = float(np.isin(arr, list(unfav)).mean() * 100)
    return FavorabilityResult(pf, 100.0 - pf - pu, pu, float(arr.mean()), n)


def nps(values: Iterable, confidence: float = 0.95) -> NPSResult:
    """Net promoter score (also eNPS) on the 0-10 scale.

    Promoters answer 9-10, passives 7-8, detractors 0-6; score = %promoters
    - %detractors. The interval is score +/- z * 100 * sqrt((pP + pD -
    (pP - pD)^2) / n) (multinomial standard error), clipped to [-100, 100].
    With 10 answers the margin is close to +/-50 points; when every answer
    falls in one category the standard error is 0 and the interval collapses
    to the score, which understates the uncertainty of a small sample.

    Parameters
    ----------
    values : sequence of numbers
        Answers 0..10; None/NaN dropped.
    confidence : float
        Interval level, e.g. 0.95.

    Returns
    -------
    NPSResult
        Percents 0-100 for the categories; NaN everything with n = 0.

    Raises
    ------
    ValueError
        For answers outside 0..10.
    """
    z = z_value(confidence)
    arr = clean_values(values)
    _check_range(arr, 0, 10, "NPS answers")
    n = int(arr.size)
    if n == 0:
        return NPSResult(NAN, NAN, NAN, NAN, 0, NAN, NAN)
    p_p = float((arr >= PROMOTER_MIN).mean())
    p_d = float((arr <= DETRACTOR_MAX).mean())
    score = 100.0 * (p_p - p_d)
    se = 100.0 * math.sqrt(max(p_p + p_d - (p_p - p_d) ** 2, 0.0) / n)
    p_pass = float(((arr > DETRACTOR_MAX) & (arr < PROMOTER_MIN)).mean())
    return NPSResult(score, 100 * p_p, 100 * p_pass, 100 * p_d, n,
                     max(-100.0, score - z * se), min(100.0, score + z * se))


def csat(values: Iterable, scale_points: int = 5, confidence: float = 0.95) -> CSATResult:
    """Customer satisfaction: percent in the top two boxes, Wilson interval.

    Parameters
    ----------
    values : sequence of numbers
        Answers 1..scale_points; None/NaN dropped.
    scale_points : int
        Points of the satisfaction scale (default 5).
    confidence : float
        Interval level.

    Returns
    -------
    CSATResult
        Score and interval in percent; NaN with n = 0 when empty.
    """
    check_confidence(confidence)
    arr = clean_values(values)
    _check_range(arr, 1, scale_points, "CSAT answers")
    n = int(arr.size)
    if n == 0:
        return CSATResult(NAN, NAN, NAN, 0)
    hits = float((arr >= scale_points - TOP_BOX + 1).sum())
    lo, hi = wilson_interval(hits, n, confidence)
    return CSATResult(100 * hits / n, 100 * lo, 100 * hi, n)


def ces(values: Iterable, scale_points: int = 7, confidence: float = 0.95) -> CESResult:
    """Customer effort score: mean agreement that "it was easy".

    Parameters
    ----------
    values : sequence of numbers
        Answers 1..scale_points; None/NaN dropped.
    scale_points : int
        Default 7. "Agree" is the top three points (5-7 on 7 points).
    confidence : float
        Level of the t-interval of the mean.

    Returns
    -------
    CESResult
        Interval NaN when n < 2; zero width when all answers are equal.
    """
    check_confidence(confidence)
    arr = clean_values(values)
    _check_range(arr, 1, scale_points, "CES answers")
    n = int(arr.size)
    if n == 0:
        return CESResult(NAN, NAN, NAN, NAN, 0)
    mean = float(arr.mean())
    sd = float(arr.std(ddof=1)) if n > 1 else NAN
    lo, hi = t_interval(mean, sd, n, confidence)
    agree = float((arr >= scale_points - CES_AGREE_TOP + 1).mean() * 100)
    return CESResult(mean, float(lo), float(hi), agree, n)


def reverse_score(values, scale_points: int):
    """Reverse a 1-based scale: v -> (scale_points + 1) - v.

    Returns a Series for a Series input (index kept), otherwise a float array;
    NaN stays NaN.
    """
    if isinstance(values, (pd.Series, pd.DataFrame)):
        return (scale_points + 1) - values.astype(float)
    return (scale_points + 1) - np.asarray(
        [np.nan if v is None else v for v in np.ravel(np.asarray(values, dtype=object))], dtype=float)


def process_gap(score, target: float = 80.0):
    """How far a process score (percent favourable) falls short of ``target``.

    ``max(0, target - score)``; NaN stays NaN. Works on scalars (returns
    float) and arrays/Series (element-wise).
    """
    if np.ndim(score) == 0:
        s = float(score)
        return NAN if math.isnan(s) else max(0.0, float(target) - s)
    return np.maximum(0.0, float(target) - np.asarray(score, dtype=float))


def _questions_frame(questions, scale_points: int | None) -> pd.DataFrame:
    q = pd.DataFrame(list(questions)) if not isinstance(questions, pd.DataFrame) else questions.copy()
    for col in ("code", "dimension"):
        if col not in q.columns:
            raise ValueError(f"questions need a '{col}' column")
    if "reverse_keyed" not in q.columns:
        q["reverse_keyed"] = False
    if "scale_points" not in q.columns or q["scale_points"].isna().any():
        if scale_points is None:
            raise ValueError("give scale_points per question or as an argument")
        q["scale_points"] = q.get("scale_points", pd.Series(index=q.index, dtype=float)).fillna(scale_points)
    return q


def dimension_scores(frame: pd.DataFrame, questions, scale_points: int | None = None,
                     unit: str | None = None) -> DimensionScores:
    """Percent favourable per dimension, per respondent and per unit.

    Each respondent's score on a dimension is the percent of that dimension's
    items they answered favourably (top two points, after reverse-scoring
    reverse-keyed items). A unit's score is the mean of its respondents'
    scores ("per respondent, then averaged per unit"): every person counts
    once whatever number of items they skipped. The engagement index is the
    dimension named ``"engagement"`` (see :meth:`DimensionScores.engagement`).

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per respondent; columns are question codes (numeric, NaN =
        unanswered) and optionally the unit column.
    questions : DataFrame or sequence of dict
        Columns ``code``, ``dimension``, ``reverse_keyed`` (bool, default
        False) and ``scale_points`` (int; falls back to the argument).
    scale_points : int, optional
        Scale for questions without their own.
    unit : str, optional
        Name of the unit (team) column in ``frame``.

    Returns
    -------
    DimensionScores
        ``respondents`` (wide, one column per dimension) and ``units``
        (columns unit, dimension, score, n).

    Raises
    ------
    ValueError
        When a question code or the unit column is missing from ``frame``.
    """
    q = _questions_frame(questions, scale_points)
    missing = [c for c in q["code"] if c not in frame.columns]
    if missing:
        raise ValueError(f"question codes not in frame: {missing}")
    if unit is not None and unit not in frame.columns:
        raise ValueError(f"unit column {unit!r} not in frame")
    per_dim = {}
    for dim, items in q.groupby("dimension", sort=False):
        fav = []
        for row in items.itertuples(index=False):
            col = frame[row.code].astype(float)
            sp = int(row.scale_points)
            if bool(row.reverse_keyed):
                col = (sp + 1) - col
            # Keep NaN for unanswered so the mean runs over answered items only.
            fav.append(((col >= sp - 1).astype(float)).where(col.notna()))
        per_dim[dim] = pd.concat(fav, axis=1).mean(axis=1, skipna=True) * 100.0
    respondents = pd.DataFrame(per_dim, index=frame.index)
    if unit is not None:
        respondents.insert(0, unit, frame[unit])
        long = respondents.melt(id_vars=[unit], var_name="dimension", value_name="score")
        grouped = long.groupby([unit, "dimension"], sort=True, dropna=True)["score"]
        units = grouped.agg(score="mean", n="count").reset_index().rename(columns={unit: "unit"})
    else:
        units = pd.DataFrame({
            "unit": [None] * len(per_dim),
            "dimension": list(per_dim),
            "score": [float(s.mean()) for s in per_dim.values()],
            "n": [int(s.count()) for s in per_dim.values()],
        })
    units["n"] = units["n"].astype(int)
    return DimensionScores(respondents=respondents, units=units)
