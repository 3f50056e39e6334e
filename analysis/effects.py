"""Did an action help? Difference in differences against teams without it."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from ._util import NAN, check_confidence, fmt
from .results import ActionEffectResult


def action_effect(frame: pd.DataFrame, treated_units, metric: str, before_wave, after_wave,
                  unit_col: str = "unit", wave_col: str = "wave", confidence: float = 0.95) -> ActionEffectResult:
    """Difference in differences of ``metric`` for units that took an action.

    effect = mean change of treated units - mean change of control units,
    where a unit's change is its metric at ``after_wave`` minus at
    ``before_wave``; only units with both waves count. The interval comes
    from the unit-level changes:

    * two or more treated and control units: Welch's t interval for the
      difference of mean changes;
    * one treated unit: prediction-interval style, se = sd_control *
      sqrt(1 + 1/n_control) with n_control - 1 df, i.e. "how unusual is this
      team's change among teams without the action";
    * one control unit (and several treated): the mirror image using the
      treated units' spread;
    * one of each, or no spread at all: NaN interval (one of each) or a
      zero-width interval (no spread).

    Control units are all other units in ``frame``: pass a frame restricted
    to comparable teams to choose the comparison group.

    Parameters
    ----------
    frame : pandas.DataFrame
        Tidy unit x wave rows with the metric column.
    treated_units : iterable
        Units that took the action.
    metric : str
        Metric column.
    before_wave, after_wave
        Wave labels before and after the action.
    unit_col, wave_col : str
        Column names.
    confidence : float
        Interval level.

    Returns
    -------
    ActionEffectResult

    Raises
    ------
    ValueError
        When no treated or no control unit has the metric in both waves.
    """
    check_confidence(confidence)
    treated = set(treated_units)
    sub = frame[frame[wave_col].isin([before_wave, after_wave])]
    if sub.duplicated([unit_col, wave_col]).any():
        raise ValueError("frame must have one row per unit and wave")
    wide = sub.pivot(index=unit_col, columns=wave_col, values=metric)
    if before_wave not in wide.columns or after_wave not in wide.columns:
        raise ValueError("both waves must be present in frame")
    change = (wide[after_wave].astype(float) - wide[before_wave].astype(float)).dropna()
    is_t = change.index.isin(list(treated))
    t, c = change[is_t].to_numpy(), change[~is_t].to_numpy()
    nt, nc = len(t), len(c)
    if nt == 0:
        raise ValueError("no treated unit has the metric in both waves")
    if nc == 0:
        raise ValueError("no comparison unit has the metric in both waves; an effect needs a comparison")
    effect = float(t.mean() - c.mean())
    lo, hi = _interval(t, c, confidence)
    sentence = _sentence(metric, effect, lo, hi, nt, nc, float(t.mean()), float(c.mean()), confidence)
    return ActionEffectResult(effect, lo, hi, nt, nc, float(t.mean()), float(c.mean()), sentence)


def _interval(t: np.ndarray, c: np.ndarray, confidence: float) -> tuple[float, float]:
    nt, nc = len(t), len(c)
    d = float(t.mean() - c.mean())
    q = 0.5 + confidence / 2
    if nt == 1 and nc == 1:
        return NAN, NAN
    if nt >= 2 and nc >= 2:
        vt, vc = t.var(ddof=1) / nt, c.var(ddof=1) / nc
        se2 = vt + vc
        if se2 == 0:
            return d, d
        df = se2 ** 2 / (vt ** 2 / (nt - 1) + vc ** 2 / (nc - 1))
    else:
        # One unit on one side: its change is a single draw, so use the other
        # side's spread as for predicting one new unit.
        other = c if nt == 1 else t
        se2 = other.var(ddof=1) * (1 + 1 / len(other))
        if se2 == 0:
            return d, d
        df = len(other) - 1
    half = float(stats.t.ppf(q, df) * math.sqrt(se2))
    return d - half, d + half


def _sentence(metric, effect, lo, hi, nt, nc, tchange, cchange, confidence) -> str:
    teams = "team" if nt == 1 else "teams"
    text = (f"{metric} changed by {fmt(tchange, 1)} for the {nt} {teams} with the action and by "
            f"{fmt(cchange, 1)} on average for {nc} comparison teams: a difference of {fmt(effect, 1)} "
            f"({round(confidence * 100)}% CI {fmt(lo, 1)} to {fmt(hi, 1)}).")
    if math.isnan(lo):
        text += " There are too few teams to give an interval."
    elif lo > 0 or hi < 0:
        text += " The difference is larger than chance alone would usually produce, though other changes may share the credit."
    else:
        text += " This is within what chance alone could produce."
    return text
