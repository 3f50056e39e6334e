"""Figures shown for comments: mean sentiment and share negative with its interval, and weekly volume.

Inputs are the sums the theme rollups keep (n, sentiment sum, negatives); see analysis.text for the
scores themselves.
"""
from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class SentimentSummary:
    """Mean sentiment of n comments and the share negative with its Wilson interval."""

    n: int
    mean: float | None
    negative_share: float | None
    low: float | None
    high: float | None


def summarise_sentiment(n: int, sentiment_sum: float, negative: int, level: float = 0.95) -> SentimentSummary:
    """Mean sentiment and share of negative comments (Wilson score interval) from rollup sums.

    Parameters
    ----------
    n : int
        Comments counted.
    sentiment_sum : float
        Sum of their sentiment scores.
    negative : int
        How many scored at or below NEGATIVE_BELOW.
    level : float
        Confidence level of the interval.

    Returns
    -------
    SentimentSummary
        All None but n when n is 0.
    """
    if n <= 0:
        return SentimentSummary(0, None, None, None, None)
    from scipy.stats import norm

    z = float(norm.ppf(0.5 + level / 2))
    p = negative / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return SentimentSummary(n, sentiment_sum / n, p, max(0.0, centre - half), min(1.0, centre + half))


def weekly_volume(daily):
    """Comments and mean sentiment per week (weeks start on Monday) and theme, from daily rollup sums.

    Parameters
    ----------
    daily : pandas.DataFrame
        Columns day (date), theme_id, n, sentiment_sum, negative.

    Returns
    -------
    pandas.DataFrame
        Columns week (the Monday, ISO text), theme_id, n, mean_sentiment, negative; sorted by week and theme.
    """
    import pandas as pd

    cols = ["week", "theme_id", "n", "mean_sentiment", "negative"]
    if daily is None or len(daily) == 0:
        return pd.DataFrame(columns=cols)
    d = daily.copy()
    day = pd.to_datetime(d["day"])
    d["week"] = (day - pd.to_timedelta(day.dt.day_of_week, unit="D")).dt.date.astype(str)
    w = d.groupby(["week", "theme_id"], as_index=False)[["n", "sentiment_sum", "negative"]].sum()
    w["mean_sentiment"] = w["sentiment_sum"] / w["n"].where(w["n"] > 0)
    return w[cols].sort_values(["week", "theme_id"]).reset_index(drop=True)
