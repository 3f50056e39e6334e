"""Run every benchmark and print one summary table: ``make bench``.

Benchmarks:

- ``bench_linkage``: ``analysis.linkage.linkage_matrix`` on 2,000 synthetic teams x 4 waves against
  its 2-second target; baseline one ``numpy.corrcoef`` over a frame of the same size (``DataFrame.corr`` printed too).
- ``bench_reports``: the linkage report's read path in process (the three SQL aggregates over the
  rollups, the statistics, the whole report) on demo data; baseline one full scan of ``answers``.
- ``bench_pages``: server time of ``/reports/`` and every report page, cold (first GET in a fresh process,
  report cache empty or filled) and warm (cached, and computed with no cache); baseline one raw
  aggregation over ``answers`` for the latest employee wave.
- ``bench_submit``: an employee and a public-link submission with the rollups kept vs with
  ``surveys.rollups.add_responses`` a no-op, alternating, on a scratch copy of the data.
- ``bench_cli``: ``tandem --help`` as a whole process; baseline ``python -c pass``.
- ``bench_ingest``: submissions per second through the real answering endpoints under gunicorn, loaded by
  wrk at 32 connections, against a bare Flask insert into the same database (SQLite, and PostgreSQL too
  with ``--database-url``).

The table is also written to ``bench/results/latest.json`` (figures, baselines, ratios, verdicts and the
machine they were measured on).
- ``bench_alert_scan``: ``surveys.alerts.scan.scan`` over a year of daily rollup rows for 500 touchpoints x 3
  metrics; baseline the SQL read of the same rollup into arrays.
- ``bench_import``: response and feedback CSV imports through the CLI against a raw ``executemany`` of the
  same rows, and ``/voice/export.csv`` against a raw SQL-to-CSV; time and peak memory.
- ``bench_export``: a customer wave of 100,000 responses x 30 questions downloaded as streamed CSV and XLSX
  (first byte, whole file, peak memory) against a raw SQL-to-CSV of its answers.
- ``bench_growth``: the linkage report and the heatmap at 1x, 3x and 10x the run's data, with the fitted
  growth exponent and a projection to 50M answers.
- ``bench_classify``: ``analysis.text.classify`` of 100,000 generated comments with a learned theme model;
  baseline scikit-learn's ``TfidfVectorizer.transform`` of the same texts alone.

Every figure is a median; ratio = seconds / baseline, both measured in the same run, because the
machines are shared and noisy: compare ratios between runs, not seconds. A result over its target
prints SLOW and is not a failure; the exit code is 1 only when a benchmark raises.

Run from the repository root::

    python bench/run.py            # mid-size data (~0.5M answers), built once into bench/out/
    python bench/run.py --quick    # the small make-demo organisation
    python bench/run.py --large    # build_large: 1M customer responses, ~4.75M answers
    python bench/run.py --database-url postgresql://...   # the data benchmarks on PostgreSQL
    python bench/run.py --only bench_pages,bench_ingest    # some benchmarks; the others' figures stay in latest.json
                                                           # (as do the other database's: one file holds both)
"""
from __future__ import annotations

import argparse
import contextlib
import io
import re
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench_reports  # noqa: E402
from bench_reports import Row, table  # noqa: E402
from data import parse_args, size_of  # noqa: E402


def _seconds(pattern: str, output: str) -> float:
    match = re.search(pattern + r"[^\n]*?:\s*([0-9.]+) s", output)
    if match is None:
        raise RuntimeError(f"bench_linkage printed no figure for {pattern!r}")
    return float(match.group(1))


def linkage(args: argparse.Namespace) -> tuple[list[str], list[Row]]:
    """bench_linkage.main, its output kept as context and its figures read back for the table."""
    import bench_linkage

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        bench_linkage.main()  # returns 1 when over target: that is a verdict here, not an error
    text = out.getvalue()
    pearson = _seconds(r"linkage_matrix median of", text)
    spearman = _seconds(r"linkage_matrix method='spearman'", text)
    corr = _seconds(r"baseline numpy.corrcoef", text)
    target = bench_linkage.TARGET_SECONDS
    goal = f"< {target:.0f} s"
    rows = [Row("linkage_matrix pearson (2000x4 synth.)", pearson, corr, goal, pearson < target),
            Row("linkage_matrix spearman", spearman, corr, goal, spearman < target)]
    keep = [line for line in text.splitlines() if line.startswith(("data:", "planted", "baseline DataFrame"))]
    return keep, rows


def reports(args: argparse.Namespace) -> tuple[list[str], list[Row]]:
    """bench_reports at the chosen size."""
    fig = bench_reports.run(size_of(args), args.database_url,
                            say=lambda msg: print(f"  {msg}", flush=True))
    return bench_reports.describe(fig), fig.rows


def pages(args: argparse.Namespace) -> tuple[list[str], list[Row]]:
    """bench_pages: the report pages' server time, cold and warm."""
    import bench_pages

    return bench_pages.run(size_of(args), args.database_url, say=lambda msg: print(f"  {msg}", flush=True))


def submissions(args: argparse.Namespace) -> tuple[list[str], list[Row]]:
    """bench_submit: a submission's extra cost for keeping rollups."""
    import bench_submit

    return bench_submit.run(size_of(args), args.database_url, say=lambda msg: print(f"  {msg}", flush=True))


def cli(args: argparse.Namespace) -> tuple[list[str], list[Row]]:
    """bench_cli: `tandem --help` start-up."""
    import bench_cli

    return bench_cli.measure()


def classify(args: argparse.Namespace) -> tuple[list[str], list[Row]]:
    """bench_classify: themes of 100,000 generated comments."""
    import bench_classify

    return bench_classify.measure()


def alert_scan(args: argparse.Namespace) -> tuple[list[str], list[Row]]:
    """bench_alert_scan: a year of daily data for 500 touchpoints x 3 metrics."""
    import bench_alert_scan

    return bench_alert_scan.measure()


def ingest(args: argparse.Namespace) -> tuple[list[str], list[Row]]:
    """bench_ingest: bursts of submissions under gunicorn and wrk, on SQLite (and PostgreSQL when given)."""
    import bench_ingest

    say = lambda msg: print(f"  {msg}", flush=True)  # noqa: E731
    context, rows = bench_ingest.run(None, bench_ingest.SECONDS, say=say)
    if args.database_url and args.database_url.startswith("postgresql"):
        more, pg_rows = bench_ingest.run(args.database_url, bench_ingest.SECONDS, say=say)
        context, rows = context + more, rows + pg_rows
    return context, rows


def export(args: argparse.Namespace) -> tuple[list[str], list[Row]]:
    """bench_export: 100,000 responses x 30 questions streamed as CSV and XLSX."""
    import bench_export

    return bench_export.measure(args)


def imports(args: argparse.Namespace) -> tuple[list[str], list[Row]]:
    """bench_import: response and feedback CSV imports and the feedback export, time and peak memory."""
    import bench_import

    return bench_import.measure(args)


def growth(args: argparse.Namespace) -> tuple[list[str], list[Row]]:
    """bench_growth: the linkage report and the heatmap at 1x, 3x and 10x, with the fitted exponent."""
    import bench_growth

    return bench_growth.measure(args)


BENCHMARKS = (("bench_linkage", linkage), ("bench_reports", reports), ("bench_pages", pages),
              ("bench_submit", submissions), ("bench_cli", cli), ("bench_classify", classify),
              ("bench_alert_scan", alert_scan), ("bench_ingest", ingest),
              ("bench_import", imports), ("bench_export", export), ("bench_growth", growth))
RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"


def write_results(found: dict[str, list[Row]], args: argparse.Namespace, seconds: float) -> dict:
    """bench/results/latest.json: every figure with its baseline, ratio and verdict, and the machine.

    A run replaces the figures of the benchmarks it ran on its database (SQLite, or PostgreSQL with
    ``--database-url``) and keeps the others' from earlier runs (``--only``, or the other database): each
    figure names its benchmark, its database and the run (date, arguments, machine) it was measured in.
    """
    import datetime as dt
    import json
    import os
    import platform
    import sqlite3

    RESULTS.parent.mkdir(exist_ok=True)
    run = {"measured_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
           "commit": _commit(), "arguments": sys.argv[1:], "benchmarks": list(found), "total_seconds": round(seconds),
           "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                       "sqlite": sqlite3.sqlite_version, "load_average": [round(x, 2) for x in os.getloadavg()]}}
    runs, figures = [], []
    database = "postgresql" if (args.database_url or "").startswith("postgresql") else "sqlite"
    if RESULTS.exists():
        earlier = json.loads(RESULTS.read_text())
        kept = [f for f in earlier.get("figures", []) if "run" in f and "database" in f
                and (f["bench"], f["database"]) not in {(bench, database) for bench in found}]
        used = sorted({f["run"] for f in kept})
        runs = [earlier["runs"][i] for i in used]
        figures = [{**f, "run": used.index(f["run"])} for f in kept]
    runs.append(run)
    for bench, rows in found.items():
        figures += [{"bench": bench, "database": database, "name": r.name, "seconds": r.seconds, "baseline": r.baseline, "ratio": r.ratio,
                     "target": r.target, "verdict": {True: "ok", False: "SLOW", None: None}[r.ok],
                     "run": len(runs) - 1} for r in rows]
    order = [name for name, _ in BENCHMARKS]
    figures.sort(key=lambda f: (f["database"], order.index(f["bench"]) if f["bench"] in order else len(order)))
    document = {"runs": runs, "figures": figures}
    RESULTS.write_text(json.dumps(document, indent=2) + "\n")
    return document


def _commit() -> str | None:
    """The code measured: the checkout's commit, with "+changes" when files differ from it."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True,
                              timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None  # not a git checkout (an unpacked release): the date still says when
    return head + ("+changes" if dirty else "")


def _split_only(argv: list[str]) -> tuple[list[str], set[str] | None]:
    """Take ``--only a,b`` (benchmark names, with or without ``bench_``) out of the arguments."""
    if "--only" not in argv:
        return argv, None
    at = argv.index("--only")
    if at + 1 >= len(argv):
        raise SystemExit("--only needs benchmark names, e.g. --only bench_pages,bench_ingest")
    names = {n if n.startswith("bench_") else f"bench_{n}" for n in argv[at + 1].split(",") if n}
    unknown = names - {name for name, _ in BENCHMARKS}
    if unknown:
        raise SystemExit(f"unknown benchmark(s) {', '.join(sorted(unknown))}; "
                         f"known: {', '.join(name for name, _ in BENCHMARKS)}")
    return argv[:at] + argv[at + 2:], names


def main(argv=None) -> int:
    rest, only = _split_only(sys.argv[1:] if argv is None else list(argv))
    args = parse_args(rest, __doc__, epilog="--only NAMES: run only these benchmarks (comma-separated, with or "
                      "without bench_, e.g. --only pages,ingest); latest.json keeps the others' figures. Known: "
                      + ", ".join(name for name, _ in BENCHMARKS))
    args.only = only
    start = time.perf_counter()
    found: dict[str, list[Row]] = {}
    errors = 0
    for name, bench in BENCHMARKS:
        if only and name not in only:
            continue
        print(f"{name}:", flush=True)
        t0 = time.perf_counter()
        try:
            context, found[name] = bench(args)
        except Exception:  # one broken benchmark should not hide the others' figures
            errors += 1
            print(f"  ERROR in {name}:")
            print("    " + traceback.format_exc().replace("\n", "\n    ").rstrip())
            continue
        for line in context:
            print(f"  {line}")
        print(f"  ({time.perf_counter() - t0:.1f} s)", flush=True)
    rows = [row for rows in found.values() for row in rows]
    print()
    print(table(rows))
    slow = sum(r.ok is False for r in rows)
    print(f"\n{len(rows)} figures, {slow} over target, {errors} benchmark error(s); "
          f"ratio = seconds / baseline measured in the same run; total {time.perf_counter() - start:.0f} s")
    document = write_results(found, args, time.perf_counter() - start)
    kept = len(document["figures"]) - len(rows)
    where = RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS
    print(f"written to {where}" + (f" (with {kept} figures of earlier runs kept)" if kept else ""))
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
