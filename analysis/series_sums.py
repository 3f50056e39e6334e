"""Sums of daily series over windows, and the per-respondent mean and variance that sums give.

The arrays are series x days (or weeks) of a rollup's sums over respondents for one metric: ``n``, ``s1``
(the sum of respondents' values) and ``s2`` (the sum of their squares), with ``kind`` as in
:class:`analysis.summaries.Sums`. Breakdown detection (:mod:`analysis.detection`,
:mod:`analysis.breakdowns`) and the alert scan read windows of them through these two functions.
"""
from __future__ import annotations

import numpy as np


def window_sums(x: np.ndarray, ends: np.ndarray, length) -> np.ndarray:
    """Sums of ``x`` (series x days) over the days (end - length, end] for each end index.

    Parameters
    ----------
    x : numpy.ndarray
        Daily values, shape (series, days).
    ends : numpy.ndarray of int
        Last day (inclusive) of each window.
    length : int or numpy.ndarray of int
        Window length(s) in days; windows reaching before day 0 are cut at day 0, and a window ending before
        day 0 (a baseline before the series began) is empty.

    Returns
    -------
    numpy.ndarray
        Shape (series, len(ends)).
    """
    c = np.concatenate([np.zeros((x.shape[0], 1)), np.cumsum(x, axis=1)], axis=1)
    # A negative end would index from the far end of the array: such a window is empty (end -1, start 0).
    ends = np.clip(np.asarray(ends, dtype=int), -1, None)
    starts = np.clip(ends + 1 - np.asarray(length, dtype=int), 0, None)
    return c[:, ends + 1] - c[:, starts]


def moments(kind: str, n, s1, s2) -> tuple[np.ndarray, np.ndarray]:
    """Per-respondent mean and variance from sums (NaN where n is 0).

    Shares use p(1 - p), net scores the multinomial variance s2/n - mean^2 (as the reports), means the
    sample variance.

    Parameters
    ----------
    kind : {"share", "net", "mean"}
        How the values are summarised (see :class:`analysis.summaries.Sums`).
    n, s1, s2 : numpy.ndarray
        Respondent counts, sums and sums of squares, any one shape.

    Returns
    -------
    tuple of numpy.ndarray
        The mean and the variance, each of the shape of ``n``.
    """
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        m = np.where(n > 0, s1 / np.where(n > 0, n, 1), np.nan)
        if kind == "share":
            m = np.clip(m, 0.0, 1.0)
            var = m * (1 - m)
        else:
            var = np.maximum(s2 / np.where(n > 0, n, 1) - m * m, 0.0)
            if kind == "mean":
                var = np.where(n > 1, var * n / np.maximum(n - 1, 1), np.nan)
    return m, var
