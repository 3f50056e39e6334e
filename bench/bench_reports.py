"""Benchmark of the report read path at scale: the linkage report and each of its SQL aggregates.

Data comes from the project's own demo builder, written once into a cached SQLite file under
``bench/out/`` whose name carries the builder's parameters and a fingerprint of the schema and demo
code (``migrations/versions``, ``surveys/models``, ``demo``), so a change to any of them
rebuilds it:

- default: ``build_demo(seed=7, teams=200, waves=12)``, about 0.5M answers;
- ``--quick``: ``build_demo(seed=7, teams=40, waves=6)``, the ``make demo`` organisation;
- ``--large``: ``build_large(seed=7)``, 10,000+ employees, 500 teams, 12 waves, 1,000,000 customer
  responses, about 4.75M answers (about 2 minutes to build on SQLite).

With ``--database-url postgresql://...`` the same data is built into that database when it has no
``engagement-pulse`` program yet, and measured there.

Figures (each the median of several warm runs, after one warm-up pass over the data):

- baseline: ``SELECT count(*), sum(value) FROM answers``, one full scan of every answer, the
  cheapest possible pass over the data on this machine and database, measured in the same run;
- ``team_dimension_scores``, ``team_enps``, ``team_customer_outcomes``: the three SQL aggregates in
  ``surveys/insights/datasets.py``; ``build_units + linkage_matrix``: the Python statistics on their output;
- ``linkage_analysis``: the whole report as the page and ``tandem report linkage`` run it.

Ratio = seconds / baseline seconds, i.e. how many full scans of ``answers`` a step costs. Targets:
each aggregate at most 10 scans and the whole report at most 20 (about 4 s at 4.75M answers on a
2-core machine where one scan takes 0.2 s); a slower result prints SLOW and is not an error.
The peak Python memory of one report call (tracemalloc) shows that answer rows stay in the
database: pulling 4.75M answers into Python would take hundreds of MB.

Run from the repository root::

    python bench/bench_reports.py [--quick | --large] [--database-url URL]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from alembic import command  # noqa: E402
from bench_linkage import _median_time  # noqa: E402  (one timer for every benchmark)
from sqlalchemy import Engine, func, make_url, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from demo import build_demo, build_large  # noqa: E402
from migrations import alembic_config  # noqa: E402
from surveys.db import make_engine  # noqa: E402
from surveys.insights import datasets  # noqa: E402
from surveys.models import Answer, Program  # noqa: E402

OUT = ROOT / "bench" / "out"
PROGRAM = "engagement-pulse"
MIN_GROUP_SIZE = 5
AGGREGATE_TARGET, REPORT_TARGET = 10.0, 20.0  # in full scans of `answers`
BASELINE_SQL = "SELECT count(*), sum(value) FROM answers"


@dataclass(frozen=True)
class DataSet:
    """One way of building the benchmark data; `key` names its cache file."""

    key: str
    describe: str
    build: Callable[[Session, Callable[[str], None]], object]
    runs: int  # timed runs per figure (median reported)


def dataset(size: str) -> DataSet:
    """The data set for `size` ('quick', 'default' or 'large')."""
    if size == "quick":
        return DataSet("demo-seed7-teams40-waves6", "build_demo(seed=7, teams=40, waves=6)",
                       lambda s, say: build_demo(s, seed=7, teams=40, waves=6), runs=5)
    if size == "large":
        return DataSet("large-seed7", "build_large(seed=7)",
                       lambda s, say: build_large(s, seed=7, progress=say), runs=3)
    return DataSet("demo-seed7-teams200-waves12", "build_demo(seed=7, teams=200, waves=12)",
                   lambda s, say: build_demo(s, seed=7, teams=200, waves=12), runs=5)


@dataclass(frozen=True)
class Row:
    """One line of the summary table: `ok` is None when the figure has no target."""

    name: str
    seconds: float
    baseline: float | None
    target: str
    ok: bool | None

    @property
    def ratio(self) -> float | None:
        return self.seconds / self.baseline if self.baseline else None


@dataclass(frozen=True)
class ReportFigures:
    """Everything `measure` found, for printing and for bench/run.py."""

    data: str
    database: str
    answers: int
    build_seconds: float | None
    built_now: bool
    baseline: float
    rows: list[Row]
    peak_mib: float
    units: int
    report_rows: int


def fingerprint() -> str:
    """Short hash of the code that decides the cached file's contents."""
    digest = hashlib.sha1()
    for folder in ("migrations/versions", "surveys/models", "demo"):
        for path in sorted((ROOT / folder).glob("*.py")):
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:10]


def _sqlite_path(spec: DataSet) -> Path:
    return OUT / f"reports-{spec.key}-{fingerprint()}.sqlite"


def _finished_steps_only(say: Callable[[str], None]) -> Callable[[str], None]:
    # The writer reports "answers: 20,000 / 3,000,000" per chunk; keep only each step's last line.
    def filtered(msg: str) -> None:
        done = re.search(r"([\d,]+) / ([\d,]+)$", msg)
        if done is None or done.group(1) == done.group(2):
            say(msg)
    return filtered


def _build(url: str, spec: DataSet, say) -> float:
    """Migrate `url` to head, build the data set, commit; return the build seconds."""
    say = _finished_steps_only(say)
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    start = time.perf_counter()
    with Session(engine) as session:
        spec.build(session, say)
        session.commit()
    seconds = time.perf_counter() - start
    if url.startswith("sqlite"):
        raw = engine.raw_connection()  # autocommit, outside any BEGIN: fold the WAL into the file
        try:
            raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
    engine.dispose()
    return seconds


def prepare(spec: DataSet, database_url: str | None, say=print) -> tuple[str, float | None, bool]:
    """Return (url, build seconds, built now), building the data only when it is not there yet."""
    if database_url:
        command.upgrade(alembic_config(database_url), "head")
        engine = make_engine(database_url)
        with Session(engine) as session:
            present = session.scalar(select(Program.id).where(Program.code == PROGRAM)) is not None
        engine.dispose()
        if present:
            return database_url, None, False
        say(f"building {spec.describe} into {make_url(database_url).render_as_string()} ...")
        return database_url, _build(database_url, spec, say), True

    path, meta = _sqlite_path(spec), _sqlite_path(spec).with_suffix(".json")
    if path.exists() and meta.exists():
        return f"sqlite:///{path}", json.loads(meta.read_text())["build_seconds"], False
    OUT.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    for stale in OUT.glob(f"reports-{spec.key}-*"):  # older schema or demo code, and half builds
        stale.unlink()
    say(f"building {spec.describe} into {path.relative_to(ROOT)} (once; cached for later runs) ...")
    seconds = _build(f"sqlite:///{partial}", spec, say)
    for suffix in ("-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    partial.rename(path)  # only a finished build gets the cache name
    meta.write_text(json.dumps({"build_seconds": seconds, "builder": spec.describe}))
    return f"sqlite:///{path}", seconds, True


def measure(engine: Engine, runs: int) -> tuple[float, list[Row], float, int, int, int]:
    """Time the baseline, each aggregate, the analysis stage and the whole report on `engine`."""
    # Late imports: webapp pulls in Flask, which the build above does not need.
    from analysis.linkage import linkage_matrix
    from analysis.units import build_units
    from webapp.reports.pipeline import LABELS, linkage_analysis

    with Session(engine) as session:
        answers = session.scalar(select(func.count()).select_from(Answer))
        scan = lambda: session.execute(text(BASELINE_SQL)).one()  # noqa: E731
        report = lambda: linkage_analysis(session, PROGRAM, min_group_size=MIN_GROUP_SIZE)  # noqa: E731
        scan()
        result = report()  # warm-up: page cache, imports, statement caches
        waves = datasets.employee_waves(session, PROGRAM)
        k = result.min_group_size
        frames = {}

        def aggregate(name):
            def run():
                frames[name] = getattr(datasets, name)(session, waves)
            return run

        def analyse():
            units = build_units(frames["team_dimension_scores"], frames["team_enps"],
                                frames["team_customer_outcomes"], k=k, process_target=80.0)
            linkage_matrix(units.frame, units.ex_metrics, units.cx_metrics, lags=(0, 1), confidence=0.95,
                           reliabilities=units.reliabilities, labels=LABELS)

        baseline = _median_time(scan, runs)
        rows = []
        for name in ("team_dimension_scores", "team_enps", "team_customer_outcomes"):
            seconds = _median_time(aggregate(name), runs)
            rows.append(Row(f"SQL {name}", seconds, baseline, f"<= {AGGREGATE_TARGET:.0f} scans",
                            seconds / baseline <= AGGREGATE_TARGET))
        rows.append(Row("build_units + linkage_matrix", _median_time(analyse, runs), baseline, "", None))
        total = _median_time(report, runs)
        rows.append(Row("linkage_analysis (whole report)", total, baseline, f"<= {REPORT_TARGET:.0f} scans",
                        total / baseline <= REPORT_TARGET))
        session.rollback()
        tracemalloc.start()
        report()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return baseline, rows, peak / 2**20, answers, len(result.units.frame), len(result.report.rows)


def run(size: str = "default", database_url: str | None = None, say=print) -> ReportFigures:
    """Prepare the data set for `size` and measure it."""
    spec = dataset(size)
    url, build_seconds, built_now = prepare(spec, database_url, say=say)
    engine = make_engine(url)
    try:
        baseline, rows, peak, answers, units, report_rows = measure(engine, spec.runs)
    finally:
        engine.dispose()
    where = engine.url.render_as_string()  # password masked
    if url.startswith("sqlite"):
        where = f"sqlite {Path(engine.url.database).relative_to(ROOT)}"
    data = spec.describe if built_now or not database_url else "the data already there"
    return ReportFigures(data, where, answers, build_seconds, built_now, baseline, rows, peak, units, report_rows)


def describe(fig: ReportFigures) -> list[str]:
    """Context lines printed above the table."""
    if fig.build_seconds is None:
        build = "not built by the benchmark"
    else:
        build = f"build {fig.build_seconds:.1f} s{'' if fig.built_now else ', cached'}"
    return [
        f"data: {fig.data} on {fig.database}: {fig.answers:,} answers ({build})",
        f"baseline: {BASELINE_SQL!r} = {fig.baseline:.4f} s (one full scan)",
        f"report: {fig.units:,} team x wave units, {fig.report_rows} linkage rows; "
        f"peak Python memory of one report call (tracemalloc): {fig.peak_mib:.1f} MiB",
    ]


def table(rows: list[Row]) -> str:
    """The summary table shared with bench/run.py."""
    head = f"{'benchmark':<38} {'seconds':>9} {'baseline':>9} {'ratio':>8}  {'target':<16} verdict"
    lines = [head, "-" * len(head)]
    for r in rows:
        base = f"{r.baseline:9.4f}" if r.baseline is not None else f"{'-':>9}"
        ratio = f"{r.ratio:7.1f}x" if r.ratio is not None else f"{'-':>8}"
        verdict = {True: "ok", False: "SLOW", None: "-"}[r.ok]
        lines.append(f"{r.name:<38} {r.seconds:9.4f} {base} {ratio}  {r.target:<16} {verdict}")
    return "\n".join(lines)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="the small make-demo organisation")
    size.add_argument("--large", action="store_true", help="build_large: ~4.75M answers")
    parser.add_argument("--database-url", help="measure on this database (e.g. postgresql://...) "
                                               "instead of a cached SQLite file")
    return parser.parse_args(argv)


def size_of(args: argparse.Namespace) -> str:
    return "quick" if args.quick else "large" if args.large else "default"


def main(argv=None) -> int:
    args = parse_args(argv)
    fig = run(size_of(args), args.database_url)
    print("\n".join(describe(fig)))
    print(table(fig.rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
