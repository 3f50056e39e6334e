"""The linkage unit table: team x wave metrics from SQL summaries, suppressed below k.

The database returns counts and sums per team and wave (never answer rows); this module turns them
into scores, hides cells below the anonymity threshold and estimates each metric's ICC(2) from the
same summaries, so `linkage.linkage_matrix` can disattenuate.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .metrics import CX_METRICS, EX_DIMENSIONS, NET_METRICS, SHARE_METRICS
from .results import ICCResult

NAN = float("nan")


def icc_from_summary(n, means, sumsq) -> ICCResult:
    """ICC(1) and ICC(2) from per-group sizes, means and sums of squared values.

    Gives exactly what `agreement.icc` gives on the raw values (same one-way ANOVA, same adjusted
    group size k0), so respondent-level rows can stay in the database.

    Parameters
    ----------
    n, means, sumsq : sequences of equal length
        Per group: number of values, their mean, and the sum of the squared values.

    Returns
    -------
    ICCResult
        NaN fields and a note when fewer than two groups or no within-group degrees of freedom.
    """
    n = np.asarray(n, dtype=float)
    means = np.asarray(means, dtype=float)
    sumsq = np.asarray(sumsq, dtype=float)
    keep = (n > 0) & np.isfinite(means) & np.isfinite(sumsq)
    n, means, sumsq = n[keep], means[keep], sumsq[keep]
    j, total = len(n), float(n.sum())
    if j < 2:
        return ICCResult(NAN, NAN, NAN, NAN, j, total, "ICC needs at least two groups")
    if total - j < 1:
        return ICCResult(NAN, NAN, NAN, NAN, j, 1.0, "every group has one member")
    grand = float((n * means).sum() / total)
    ssb = float((n * (means - grand) ** 2).sum())
    ssw = max(float((sumsq - n * means ** 2).sum()), 0.0)  # clip rounding noise below zero
    msb, msw = ssb / (j - 1), ssw / (total - j)
    k0 = float((total - (n ** 2).sum() / total) / (j - 1))
    if msb == 0 and msw == 0:
        return ICCResult(NAN, NAN, NAN, NAN, j, k0, "all values are identical; ICC is undefined")
    if msw == 0:
        return ICCResult(1.0, 1.0, math.inf, 0.0, j, k0, "no within-group variance")
    f = msb / msw
    icc1 = (msb - msw) / (msb + (k0 - 1) * msw)
    icc2 = (msb - msw) / msb if msb > 0 else NAN
    return ICCResult(float(icc1), float(icc2), float(f), float(stats.f.sf(f, j - 1, total - j)), j, k0)


@dataclass(frozen=True)
class UnitTable:
    """Team x wave metrics ready for `linkage_matrix`.

    ``frame`` has columns unit, wave, one column per metric and ``n_<metric>``; cells below k are
    NaN. ``reliabilities`` maps metric -> ICC(2) of its unit means. ``suppressed`` counts hidden cells.
    """

    frame: pd.DataFrame
    ex_metrics: tuple[str, ...]
    cx_metrics: tuple[str, ...]
    reliabilities: dict
    suppressed: int


def _count_scores(frame: pd.DataFrame) -> pd.DataFrame:
    """Team scores from sums over respondents, with the sum of squared respondent scores (for ICC).

    CSAT: % of respondents in the top two points; NPS and eNPS: % promoters minus % detractors;
    CES and other metrics: the mean of respondents' mean values.
    """
    f = frame.astype({c: float for c in ("n", "top2", "prom", "det", "mean", "mean_sq", "top2_sq", "net_sq")})
    share = f["metric"].isin(SHARE_METRICS)
    net = f["metric"].isin(NET_METRICS)
    score = np.select([share, net], [100.0 * f["top2"] / f["n"], 100.0 * (f["prom"] - f["det"]) / f["n"]],
                      default=f["mean"] / f["n"])
    sumsq = np.select([share, net], [1e4 * f["top2_sq"], 1e4 * f["net_sq"]], default=f["mean_sq"])
    return f.assign(score=score, sumsq=sumsq)


def _widen(long: pd.DataFrame, metrics, k: int, parts: list, rel: dict) -> int:
    """Add one score and one n_ column per metric to `parts` and each metric's ICC(2) to `rel`.

    `long` has team_id, wave, key (the metric), score, n and sumsq; cells with n < k become NaN and are
    left out of the ICC. Returns the number of cells hidden.
    """
    visible = long["n"] >= k
    for metric in metrics:
        sub = long[(long["key"] == metric) & visible]
        if len(sub):
            rel[metric] = icc_from_summary(sub["n"], sub["score"], sub["sumsq"]).icc2
    long = long.assign(score=long["score"].where(visible))
    # One row per team, wave and key (summed in SQL): unstacking is pivot_table's "first" without its groupby.
    wide = long.set_index(["team_id", "wave", "key"])[["score", "n"]].unstack("key")
    present = [m for m in metrics if m in wide["n"].columns]
    parts += [wide["score"].reindex(columns=present), wide["n"][present].add_prefix("n_")]
    return int((~visible).sum())


def build_units(dimensions: pd.DataFrame, enps: pd.DataFrame, customer: pd.DataFrame, k: int,
                process_target: float = 80.0) -> UnitTable:
    """Assemble the unit table from SQL summaries, suppressing every cell with fewer than k answers.

    Parameters
    ----------
    dimensions : DataFrame
        wave, team_id, dimension, score (mean of respondents' % favourable), n, sumsq.
    enps, customer : DataFrame
        wave, team_id, metric (enps; or csat|nps|ces), and sums over respondents: n, top2 (share of a
        respondent's answers in the top two points), prom, det (promoter and detractor shares), mean
        (the respondent's mean value), mean_sq, top2_sq and net_sq (sums of squares of mean, top2 and
        prom - det).
    k : int
        Minimum group size; smaller cells become NaN and are left out of every statistic.
    process_target : float
        Organisation target for % favourable on process; process_gap = max(0, target - process).

    Returns
    -------
    UnitTable
    """
    parts, rel, suppressed = [], {}, 0
    if len(dimensions):
        d = dimensions.astype({"score": float, "n": float, "sumsq": float}).rename(columns={"dimension": "key"})
        suppressed += _widen(d, EX_DIMENSIONS, k, parts, rel)
    if len(enps):
        suppressed += _widen(_count_scores(enps).rename(columns={"metric": "key"}), ("enps",), k, parts, rel)
    if len(customer):
        suppressed += _widen(_count_scores(customer).rename(columns={"metric": "key"}), CX_METRICS, k, parts, rel)
    if not parts:
        return UnitTable(pd.DataFrame(columns=["unit", "wave"]), (), (), {}, 0)
    frame = pd.concat(parts, axis=1).reset_index().rename(columns={"team_id": "unit"})
    frame.columns.name = None
    ex = [m for m in EX_DIMENSIONS if m in frame.columns]
    if "process" in frame.columns:
        frame["process_gap"] = (process_target - frame["process"]).clip(lower=0.0)
        ex.append("process_gap")
        if "process" in rel:
            rel["process_gap"] = rel["process"]  # same answers; the clipping at target is ignored
    if "enps" in frame.columns:
        ex.append("enps")
    cx = tuple(m for m in CX_METRICS if m in frame.columns)
    frame = frame.sort_values(["unit", "wave"]).reset_index(drop=True)
    return UnitTable(frame, tuple(ex), cx, rel, suppressed)
