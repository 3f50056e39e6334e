"""Business outcomes per team and employee wave, combined on arrays (the linkage and drivers reports' input).

The rules are those of :func:`analysis.outcomes.unit_values` (without child teams) and
:func:`analysis.outcomes.combine`, applied to every period at once instead of one period at a time: a team's
own figure, else its touchpoints' figures combined (rates: n-weighted mean, plain mean when an n is missing
or they add up to 0; counts and revenue: sum); then a wave's periods averaged (rates weighted by n). Sums
run in the rows' order, as the loops did, so the figures are the same to the last bit.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

ROW_COLUMNS = ("metric", "start", "end", "team_id", "touchpoint_id", "value", "n")
OUT_COLUMNS = ["unit", "wave", "metric", "value", "n"]


def _combine(group: np.ndarray, size: int, value: np.ndarray, n: np.ndarray, weighted: np.ndarray,
             how_sum: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(value, n, count) of each of `size` groups: the sum of its values (where `how_sum`) or their mean,
    n-weighted where `weighted`, every n is known and they add up to more than 0; n = their sum when every n
    is known, else NaN (as analysis.outcomes.combine)."""
    known_n = ~np.isnan(n)
    count = np.bincount(group, minlength=size)
    total = np.bincount(group, weights=value, minlength=size)
    known = np.bincount(group, weights=known_n, minlength=size)
    n_sum = np.bincount(group, weights=np.where(known_n, n, 0.0), minlength=size)
    vn = np.bincount(group, weights=value * np.where(known_n, n, 0.0), minlength=size)
    all_known = known == count
    use_weights = weighted & all_known & (n_sum != 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(use_weights, vn / np.where(n_sum != 0, n_sum, 1.0), total / np.maximum(count, 1))
    return np.where(how_sum, total, mean), np.where(all_known, n_sum, np.nan), count


def team_wave_values(rows: Sequence[tuple], waves: Sequence[tuple[int, object, object]],
                     hows: Mapping[str, str]) -> pd.DataFrame:
    """Each team's outcome figure per employee wave.

    Parameters
    ----------
    rows : sequence of tuple
        Imported figures as ``ROW_COLUMNS``: metric, period start and end (dates), team id, touchpoint id
        (None for a team's own figure), value, n (may be None).
    waves : sequence of (int, date, date)
        Each wave's index and customer period [start, end). A figure belongs to the first wave whose period
        holds the middle day of the figure's period.
    hows : mapping
        Metric name -> "mean" (rates) or "sum"; rows of other metrics are ignored.

    Returns
    -------
    pandas.DataFrame
        Columns ``unit`` (team id), ``wave`` (index), ``metric`` (name), ``value``, ``n`` (NaN when a part
        had none; always NaN for sums), sorted by metric, wave and unit.
    """
    names = sorted(hows)
    if not rows or not names:
        return pd.DataFrame(columns=OUT_COLUMNS)
    metric, start, end, team, touchpoint, value, n = zip(*rows)
    code = {name: i for i, name in enumerate(names)}
    mcode = np.array([code.get(m, -1) for m in metric])
    start = np.array(start, dtype="datetime64[D]").astype(np.int64)
    end = np.array(end, dtype="datetime64[D]").astype(np.int64)
    middle = start + (end - start) // 2  # date + timedelta / 2 keeps the whole days
    wave = np.full(len(rows), -1)
    for index, first, after in reversed(list(waves)):  # the first wave that holds the day wins
        first, after = (np.datetime64(d, "D").astype(np.int64) for d in (first, after))
        wave[(first <= middle) & (middle < after)] = index
    keep = (mcode >= 0) & (wave >= 0)
    own = np.array([t is None for t in touchpoint]) & keep
    value = np.array(value, dtype=float)
    n = np.array([np.nan if x is None else x for x in n], dtype=float)
    sums_of = np.array([hows[m] == "sum" for m in names])

    # Per period: a team's own figure, else its touchpoints' finite figures combined.
    periods, group = np.unique(np.stack([mcode, wave, start, end, np.array(team)], axis=1)[keep], axis=0,
                               return_inverse=True)
    group = group.ravel()
    size = len(periods)
    mine = own[keep]
    own_value, own_n, has_own = np.full(size, np.nan), np.full(size, np.nan), np.zeros(size, dtype=bool)
    own_value[group[mine]], own_n[group[mine]], has_own[group[mine]] = value[keep][mine], n[keep][mine], True
    parts = ~mine & np.isfinite(value[keep])
    how_sum = sums_of[periods[:, 0]]
    tp_value, tp_n, tp_count = _combine(group[parts], size, value[keep][parts], n[keep][parts], ~how_sum, how_sum)
    p_value = np.where(has_own, own_value, tp_value)
    p_n = np.where(has_own, own_n, tp_n)
    found = (has_own | (tp_count > 0)) & np.isfinite(p_value)

    # Per wave: the periods' figures averaged, rates weighted by n.
    periods, p_value, p_n = periods[found], p_value[found], p_n[found]
    rate = ~sums_of[periods[:, 0]]
    teams, group = np.unique(periods[:, [0, 1, 4]], axis=0, return_inverse=True)
    group = group.ravel()
    value, n, _count = _combine(group, len(teams), p_value, np.where(rate, p_n, np.nan), ~sums_of[teams[:, 0]],
                                np.zeros(len(teams), dtype=bool))
    out = pd.DataFrame({"unit": teams[:, 2], "wave": teams[:, 1], "metric": [names[i] for i in teams[:, 0]],
                        "value": value, "n": n}, columns=OUT_COLUMNS)
    return out
