"""Employee-customer linkage: correlations, FDR control, power, linkage matrix.

The unit of analysis is a team in a wave. Correlations are computed with
numpy on pairwise-complete data: a team-wave missing one metric (not
surveyed, or suppressed) drops out of the tests that need that metric only.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ._corr import METHODS, correlations, inference
from ._multilevel import multilevel
from ._util import NAN, check_confidence
from ._wording import linkage_sentence
from .linkage_results import CorrelationResult

LINK_LEVEL = 0.95  # the level at which "linked" is decided, whatever interval level is displayed

__all__ = ["correlate", "benjamini_hochberg", "min_detectable_r", "linkage_matrix",
           "LinkageRow", "LinkageReport", "multilevel"]


def correlate(x, y, method: str = "pearson", confidence: float = 0.95) -> CorrelationResult:
    """Correlation with a Fisher-z interval, on pairwise-complete observations.

    Pearson: interval tanh(atanh r +/- z / sqrt(n - 3)), p from t = r
    sqrt((n - 2) / (1 - r^2)) with n - 2 df (as R's cor.test). Spearman: r of
    the ranks (ties averaged), the same t approximation for p, and the
    Bonett & Wright (2000) variance (1 + r^2 / 2) / (n - 3) for the interval.

    Parameters
    ----------
    x, y : sequences of numbers, same length
        NaN/None marks a missing value; the pair is dropped.
    method : {"pearson", "spearman"}
    confidence : float
        Interval level.

    Returns
    -------
    CorrelationResult
        r and p NaN when n < 3 or either variable is constant; interval NaN
        when n < 4.
    """
    check_confidence(confidence)
    xa = pd.to_numeric(pd.Series(list(x), dtype=object), errors="coerce").to_numpy(dtype=float)
    ya = pd.to_numeric(pd.Series(list(y), dtype=object), errors="coerce").to_numpy(dtype=float)
    if xa.shape != ya.shape:
        raise ValueError("x and y must have the same length")
    r, n = correlations(xa[:, None], ya[:, None], method)
    p, lo, hi = inference(r, n, method, confidence)
    return CorrelationResult(float(r[0, 0]), float(lo[0, 0]), float(hi[0, 0]),
                             float(p[0, 0]), int(n[0, 0]), method)


def benjamini_hochberg(pvalues) -> np.ndarray:
    """Benjamini-Hochberg (1995) adjusted p-values (q-values), as R's p.adjust(method="BH").

    q_(i) = min over j >= i of m p_(j) / j, capped at 1, where m counts the
    non-missing p-values. NaN p-values stay NaN and do not count in m.

    Parameters
    ----------
    pvalues : sequence of floats in [0, 1]

    Returns
    -------
    numpy.ndarray
        q-values in the input order.
    """
    p = np.asarray(pvalues, dtype=float).ravel()
    if np.any((p < 0) | (p > 1)):
        raise ValueError("p-values must lie in [0, 1]")
    q = np.full(p.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    m = ok.size
    if m == 0:
        return q
    order = ok[np.argsort(p[ok], kind="mergesort")]
    scaled = p[order] * m / np.arange(1, m + 1)
    q[order] = np.minimum(1.0, np.minimum.accumulate(scaled[::-1])[::-1])
    return q


def min_detectable_r(n, power: float = 0.8, alpha: float = 0.05) -> float:
    """Smallest |r| a two-sided test detects with the given power (Fisher z).

    r = tanh((z_{1 - alpha/2} + z_{power}) / sqrt(n - 3)); about .59 at 20
    pairs, .39 at 50 and .28 at 100. NaN when n <= 3.
    """
    if not 0 < power < 1 or not 0 < alpha < 1:
        raise ValueError("power and alpha must lie strictly between 0 and 1")
    n = float(n)
    if not n > 3:
        return NAN
    zsum = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)
    return float(math.tanh(zsum / math.sqrt(n - 3)))


@dataclass(frozen=True)
class LinkageRow:
    """One EX x CX x lag test, with its reverse direction.

    Forward: EX in wave t with CX in wave t + lag. Reverse: CX in wave t with
    EX in wave t + lag (for lag 0 it is the same test, so the reverse fields
    repeat the forward ones). ``r_disattenuated`` = r / sqrt(rel_ex * rel_cx)
    is capped at +/-1 with ``disattenuation_capped`` set when the cap applied;
    its interval divides the observed interval's bounds by the same factor
    (Hunter & Schmidt), treating the reliabilities as known, so it is a
    little too narrow when they are estimated from few teams.
    """

    ex_metric: str
    cx_metric: str
    lag: int
    method: str
    r: float
    ci_low: float
    ci_high: float
    p_value: float
    q_value: float
    n: int
    r_disattenuated: float
    disattenuation_capped: bool
    r_disattenuated_ci_low: float
    r_disattenuated_ci_high: float
    min_detectable_r: float
    reverse_r: float
    reverse_ci_low: float
    reverse_ci_high: float
    reverse_p_value: float
    reverse_q_value: float
    reverse_n: int
    linked: bool
    reverse_linked: bool
    sentence: str


@dataclass(frozen=True)
class LinkageReport:
    """All linkage tests of one report; ``n_tests`` is the size of the BH family."""

    rows: tuple[LinkageRow, ...]
    method: str
    confidence: float
    lags: tuple[int, ...]
    n_tests: int

    def to_frame(self) -> pd.DataFrame:
        """One row per test, columns = the LinkageRow fields."""
        cols = list(LinkageRow.__dataclass_fields__)
        return pd.DataFrame([asdict(r) for r in self.rows], columns=cols)

    def row(self, ex_metric: str, cx_metric: str, lag: int) -> LinkageRow:
        """The row for one EX x CX x lag combination."""
        for r in self.rows:
            if (r.ex_metric, r.cx_metric, r.lag) == (ex_metric, cx_metric, lag):
                return r
        raise KeyError((ex_metric, cx_metric, lag))


def _lagged(units: pd.DataFrame, first: list, second: list, lag: int, unit_col: str, wave_col: str):
    """Arrays of ``first`` metrics at wave t and ``second`` metrics at wave t + lag, same unit."""
    a = units[[unit_col, wave_col] + first]
    b = units[[unit_col, wave_col] + second].copy()
    b[wave_col] = b[wave_col] - lag
    joined = a.merge(b, on=[unit_col, wave_col], how="inner", suffixes=("", "__b"))
    cols_b = [c + "__b" if c in first else c for c in second]
    return joined[first].to_numpy(dtype=float, na_value=np.nan), \
        joined[cols_b].to_numpy(dtype=float, na_value=np.nan)


def linkage_matrix(units: pd.DataFrame, ex_metrics, cx_metrics, lags=(0, 1), confidence: float = 0.95,
                   unit_col: str = "unit", wave_col: str = "wave", reliabilities: dict | None = None,
                   method: str = "pearson", labels: dict | None = None) -> LinkageReport:
    """Correlate every EX metric with every CX metric at every lag, both directions.

    False discoveries: q-values come from one Benjamini-Hochberg family per
    report holding every forward test and every reverse test with lag > 0
    (the lag-0 reverse is the forward test itself and is not counted twice).
    A pair is ``linked`` when q < 0.05 and the 95% interval excludes 0 (at every display level).

    Parameters
    ----------
    units : pandas.DataFrame
        Tidy, one row per unit x wave; ``wave_col`` holds consecutive
        integers; metric columns numeric with NaN for missing/suppressed.
    ex_metrics, cx_metrics : sequence of str
        Column names of employee and customer metrics.
    lags : sequence of int
        Non-negative lags in waves (0 = same wave).
    confidence : float
        Interval level.
    unit_col, wave_col : str
        Column names of the unit and wave.
    reliabilities : dict, optional
        Metric -> reliability of the unit mean (ICC2) for disattenuation;
        a missing metric gives NaN disattenuated r.
    method : {"pearson", "spearman"}
    labels : dict, optional
        Metric -> readable name used in the sentences.

    Returns
    -------
    LinkageReport
        Rows ordered by lag, EX metric, CX metric.

    Raises
    ------
    ValueError
        For unknown columns, duplicate unit x wave rows, negative lags, or a
        metric listed as both EX and CX.
    """
    check_confidence(confidence)
    ex, cx, lags = list(ex_metrics), list(cx_metrics), tuple(int(v) for v in lags)
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    missing = [c for c in [unit_col, wave_col] + ex + cx if c not in units.columns]
    if missing:
        raise ValueError(f"columns not in units: {missing}")
    if set(ex) & set(cx):
        raise ValueError(f"metrics listed as both EX and CX: {sorted(set(ex) & set(cx))}")
    if any(v < 0 for v in lags):
        raise ValueError("lags must be non-negative; the reverse direction is reported on each row")
    if units.duplicated([unit_col, wave_col]).any():
        raise ValueError("units must have one row per unit and wave")
    rel = reliabilities or {}
    labels = labels or {}
    blocks = []
    for lag in lags:
        xf, yf = _lagged(units, ex, cx, lag, unit_col, wave_col)
        fwd = correlations(xf, yf, method)
        if lag == 0:
            rev = fwd
        else:
            yr, xr = _lagged(units, cx, ex, lag, unit_col, wave_col)
            r_t, n_t = correlations(xr, yr, method)
            rev = (r_t, n_t)
        blocks.append((lag, fwd, rev))
    inf = [(lag, inference(f[0], f[1], method, confidence), inference(b[0], b[1], method, confidence))
           for lag, f, b in blocks]
    # "Linked" is always judged at the 95% level, so the verdict does not change with the interval
    # level a reader chooses for display.
    verdict = [(inference(f[0], f[1], method, LINK_LEVEL)[1:], inference(b[0], b[1], method, LINK_LEVEL)[1:])
               for _, f, b in blocks]
    # One BH family: forward tests, then reverse tests for lags > 0.
    family = [i[1][0].ravel() for i in inf] + [i[2][0].ravel() for i in inf if i[0] > 0]
    q_all = benjamini_hochberg(np.concatenate(family)) if family else np.array([])
    size = len(ex) * len(cx)
    q_fwd = {lag: q_all[k * size:(k + 1) * size].reshape(len(ex), len(cx)) for k, (lag, _, _) in enumerate(blocks)}
    offset = len(blocks) * size
    q_rev = {}
    for lag, _, _ in blocks:
        if lag == 0:
            q_rev[lag] = q_fwd[lag]
        else:
            q_rev[lag] = q_all[offset:offset + size].reshape(len(ex), len(cx))
            offset += size
    rows = []
    for (lag, (r, n), (rr, nr)), (_, (p, lo, hi), (pr, lor, hir)), ((lo95, hi95), (lor95, hir95)) in \
            zip(blocks, inf, verdict):
        for i, e in enumerate(ex):
            for j, c in enumerate(cx):
                rv = float(r[i, j])
                denom = math.sqrt(rel[e] * rel[c]) if e in rel and c in rel and rel[e] > 0 and rel[c] > 0 else NAN
                rd = rv / denom if not math.isnan(denom) else NAN
                capped = bool(not math.isnan(rd) and abs(rd) > 1)
                rd = max(-1.0, min(1.0, rd)) if capped else rd
                rd_lo, rd_hi = (max(-1.0, float(lo[i, j]) / denom), min(1.0, float(hi[i, j]) / denom)) \
                    if not math.isnan(denom) else (NAN, NAN)
                q, qr = float(q_fwd[lag][i, j]), float(q_rev[lag][i, j])
                linked = bool(q < 0.05 and (lo95[i, j] > 0 or hi95[i, j] < 0))
                rlinked = bool(qr < 0.05 and (lor95[i, j] > 0 or hir95[i, j] < 0))
                mdr = min_detectable_r(n[i, j], 0.8, 0.05)
                sentence = linkage_sentence(labels.get(e, e), labels.get(c, c), lag, rv, float(lo[i, j]),
                                            float(hi[i, j]), q, int(n[i, j]), mdr, linked, confidence,
                                            reverse=(float(rr[i, j]), rlinked))
                rows.append(LinkageRow(e, c, lag, method, rv, float(lo[i, j]), float(hi[i, j]), float(p[i, j]),
                                       q, int(n[i, j]), rd, capped, rd_lo, rd_hi, mdr, float(rr[i, j]), float(lor[i, j]),
                                       float(hir[i, j]), float(pr[i, j]), qr, int(nr[i, j]), linked, rlinked,
                                       sentence))
    n_tests = int(np.sum(~np.isnan(np.concatenate(family)))) if family else 0
    return LinkageReport(tuple(rows), method, float(confidence), lags, n_tests)
