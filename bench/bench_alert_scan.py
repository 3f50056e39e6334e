"""Benchmark of the breakdown scan: a year of daily data for 500 touchpoints x 3 metrics.

Builds a scratch SQLite database (seeded): 500 teams, one touchpoint each, 365 days plus the scan's 400
days of history of rollup_customer_days rows for CSAT, NPS and CES (about 1.3M rows, ~10 answers a day),
a few touchpoints with a planted drop. It times `surveys.alerts.scan.scan` evaluating the whole year
(every day claimed, every test, BH per day, alerts raised and recovered; hints off, as they read
comments the scratch database does not have) as the median of several runs, and, in the same run, a
baseline: the one SQL GROUP BY the scan itself reads the rollup with, turned into arrays. The ratio says
what evaluating every day costs on top of merely reading the data.

Part of `make bench` (bench/run.py); alone, from the repository root::

    python bench/bench_alert_scan.py
"""
from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import tempfile
import time

import numpy as np
from sqlalchemy import create_engine, delete, insert
from sqlalchemy.orm import Session

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from surveys.alerts import scan, series  # noqa: E402
from surveys.models import Base, Team, Touchpoint  # noqa: E402
from surveys.models.alerts import Alert, AlertScan  # noqa: E402
from surveys.models.rollups import RollupCustomerDay  # noqa: E402

TOUCHPOINTS, DAYS, HISTORY = 500, 365, 400
TARGET_SECONDS = 5.0
RUNS = 3
LAST = dt.date(2026, 10, 31)


def build(path: str) -> None:
    """The scratch database: teams, touchpoints and the daily rollup rows."""
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    rng = np.random.default_rng(20261201)
    first = LAST - dt.timedelta(days=DAYS + HISTORY - 1)
    with Session(engine) as s:
        s.execute(insert(Team), [{"id": i + 1, "code": f"T{i:03d}", "name": f"Team {i}"} for i in range(TOUCHPOINTS)])
        s.execute(insert(Touchpoint), [{"id": i + 1, "code": f"TP{i:03d}", "name": f"Touchpoint {i}",
                                        "channel": "web", "team_id": i + 1} for i in range(TOUCHPOINTS)])
        days = DAYS + HISTORY
        n = rng.poisson(10, size=(TOUCHPOINTS, days))
        p = np.full((TOUCHPOINTS, days), 0.8)
        p[:10, -60:] = 0.55  # ten planted drops
        top2 = rng.binomial(n, p)
        prom = rng.binomial(n, p * 0.6)
        det = rng.binomial(n - prom, 0.3)
        ces = n * 5 + rng.normal(0, 1, size=n.shape) * np.sqrt(n) * 1.4
        t_i, d_i = np.nonzero(n)
        day_text = [(first + dt.timedelta(days=int(d))).isoformat() for d in range(days)]
        cols = ("day", "touchpoint_id", "team_id", "metric", "source", "channel", "n", "top2", "prom", "det",
                "mean", "mean_sq", "top2_sq", "net_sq")
        sql = f"INSERT INTO rollup_customer_days ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        conn = s.connection().connection.driver_connection
        for metric in ("csat", "nps", "ces"):
            rows = []
            for t, d in zip(t_i.tolist(), d_i.tolist()):
                k = int(n[t, d])
                v = {"csat": (top2[t, d], 0, 0, 0, 0, top2[t, d], 0),
                     "nps": (0, prom[t, d], det[t, d], 0, 0, 0, prom[t, d] + det[t, d]),
                     "ces": (0, 0, 0, ces[t, d], ces[t, d] ** 2 / k + 2.0 * k, 0, 0)}[metric]
                rows.append((day_text[d], t + 1, t + 1, metric, "public_link", "", k, *map(float, v)))
            conn.executemany(sql, rows)
        s.commit()


def measure() -> tuple[list[str], list]:
    """Context lines and the table row for bench/run.py."""
    from bench_reports import Row

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.db")
        t0 = time.perf_counter()
        build(path)
        built = time.perf_counter() - t0
        context = [f"built {TOUCHPOINTS} touchpoints x {DAYS + HISTORY} days x 3 metrics in {built:.1f} s"]
        if os.environ.get("BENCH_KEEP_DB"):
            import shutil

            shutil.copy(path, os.environ["BENCH_KEEP_DB"])
        engine = create_engine(f"sqlite:///{path}")
        settings = scan.ScanSettings(with_hints=False)
        start = LAST - dt.timedelta(days=DAYS - 1)
        scans, reads = [], []
        for _ in range(RUNS):
            with Session(engine) as s:
                tps = series.active_touchpoints(s)
                t0 = time.perf_counter()
                series.customer_arrays(s, start - dt.timedelta(days=HISTORY), LAST, tps)
                reads.append(time.perf_counter() - t0)
            with Session(engine) as s:
                s.execute(delete(Alert))
                s.execute(delete(AlertScan))
                # The year is what is scanned: the history before it counts as already scanned.
                s.execute(insert(AlertScan), [{"day": start - dt.timedelta(days=i + 1)} for i in range(HISTORY)])
                s.commit()
                t0 = time.perf_counter()
                res = scan.scan(s, LAST, settings)
                s.commit()
                scans.append(time.perf_counter() - t0)
        med, base = statistics.median(scans), statistics.median(reads)
        context.append(f"scan of {res.days} days: {res.tests} tests, {res.raised} alerts raised, "
                       f"{res.recovered} recovered; baseline: the SQL GROUP BY of the rollup into arrays")
        engine.dispose()
    return context, [Row(f"alert scan (year, {TOUCHPOINTS} touchpoints x 3 metrics)", med, base,
                         f"< {TARGET_SECONDS:.0f} s", med <= TARGET_SECONDS)]


def main() -> int:
    from bench_reports import table

    context, rows = measure()
    print("\n".join(context))
    print(table(rows))
    return 0 if rows[0].ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
