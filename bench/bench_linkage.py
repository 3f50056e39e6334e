"""Benchmark of analysis.linkage.linkage_matrix against the 2-second target.

Builds a synthetic organisation with a fixed seed: 2,000 units (teams) x
4 waves, 10 EX metrics and 3 CX metrics, 5% of cells missing (suppressed),
with a planted lag-1 link from the first EX metric to the first CX metric.
It times ``linkage_matrix`` with lags (0, 1) (30 EX x CX pairs per lag, 60 rows,
each with its reverse direction) as the median of several runs, and, in the same run,
two baselines over a frame of the same size: one ``numpy.corrcoef`` of its
complete rows (the ratio ``make bench`` prints: the cheapest possible correlation
pass on this machine) and one ``pandas.DataFrame.corr`` (pairwise-complete, as
the linkage report is).

Run from the repository root::

    python bench/bench_linkage.py
"""
from __future__ import annotations

import os
import statistics
import sys
import time

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from analysis.linkage import linkage_matrix  # noqa: E402

N_UNITS, N_WAVES, N_EX, N_CX = 2000, 4, 10, 3
TARGET_SECONDS = 2.0
RUNS = 7


def synthetic_units(seed: int = 20240601) -> pd.DataFrame:
    """Tidy unit x wave frame with EX metrics ex0..ex9 and CX metrics cx0..cx2."""
    rng = np.random.default_rng(seed)
    team_level = rng.normal(size=(N_UNITS, 1))
    rows = []
    prev_ex0 = None
    for wave in range(1, N_WAVES + 1):
        ex = 0.5 * team_level + rng.normal(size=(N_UNITS, N_EX))
        cx = rng.normal(size=(N_UNITS, N_CX))
        if prev_ex0 is not None:
            cx[:, 0] += 0.4 * prev_ex0  # planted lag-1 effect
        prev_ex0 = ex[:, 0].copy()
        frame = pd.DataFrame(np.hstack([ex * 10 + 70, cx * 5 + 80]),
                             columns=[f"ex{i}" for i in range(N_EX)] + [f"cx{j}" for j in range(N_CX)])
        frame.insert(0, "wave", wave)
        frame.insert(0, "unit", np.arange(N_UNITS))
        rows.append(frame)
    units = pd.concat(rows, ignore_index=True)
    metric_cols = units.columns[2:]
    mask = rng.random((len(units), len(metric_cols))) < 0.05
    units[metric_cols] = units[metric_cols].mask(mask)
    return units


def _median_time(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    units = synthetic_units()
    ex = [f"ex{i}" for i in range(N_EX)]
    cx = [f"cx{j}" for j in range(N_CX)]
    linkage_matrix(units, ex, cx, lags=(0, 1))  # warm-up: imports and caches
    t_link = _median_time(lambda: linkage_matrix(units, ex, cx, lags=(0, 1)), RUNS)
    metrics = units[ex + cx]
    t_spear = _median_time(lambda: linkage_matrix(units, ex, cx, lags=(0, 1), method="spearman"), 3)
    t_base = _median_time(lambda: metrics.corr(), RUNS)
    complete = metrics.dropna().to_numpy()  # corrcoef has no missing-value handling: complete rows only
    t_numpy = _median_time(lambda: np.corrcoef(complete, rowvar=False), RUNS)
    report = linkage_matrix(units, ex, cx, lags=(0, 1))
    planted = report.row("ex0", "cx0", 1)
    print(f"data: {N_UNITS} units x {N_WAVES} waves, {N_EX} EX x {N_CX} CX metrics, lags (0, 1), "
          f"{len(report.rows)} rows, {report.n_tests} tests in the FDR family")
    print(f"linkage_matrix median of {RUNS}: {t_link:.4f} s")
    print(f"linkage_matrix method='spearman' (per-pair ranks), median of 3: {t_spear:.4f} s")
    print(f"baseline DataFrame.corr on the same {metrics.shape[0]} x {metrics.shape[1]} frame: {t_base:.4f} s")
    print(f"baseline numpy.corrcoef on its {complete.shape[0]} complete rows: {t_numpy:.6f} s")
    print(f"ratio linkage / DataFrame.corr: {t_link / t_base:.1f}x; linkage / numpy.corrcoef: {t_link / t_numpy:.0f}x")
    print(f"planted link ex0 -> cx0 at lag 1: r = {planted.r:.3f}, q = {planted.q_value:.2g}, linked = {planted.linked}")
    ok = max(t_link, t_spear) < TARGET_SECONDS
    print(f"{'PASS' if ok else 'FAIL'}: pearson {t_link:.4f} s, spearman {t_spear:.4f} s against the {TARGET_SECONDS:.0f} s target")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
