"""Benchmark of the report read path: the linkage report and each of its SQL aggregates, in process.

The data is the cached demo data of ``bench/data.py``. Figures (each the median of several warm runs,
after one warm-up pass over the data):

- baseline: ``SELECT count(*), sum(value) FROM answers``, one full scan of every answer, the
  cheapest possible pass over the data on this machine and database, measured in the same run;
- ``raw aggregation (1 wave)``: the baseline of the page benchmarks (bench/bench_pages.py), one
  aggregation over ``answers`` by team and question for the latest employee wave, in scans too;
- ``team_dimension_scores``, ``team_enps``, ``team_customer_outcomes``: the three SQL aggregates in
  ``surveys/insights/datasets.py`` (they read the rollup tables); ``build_units + linkage_matrix``:
  the Python statistics on their output;
- ``linkage_analysis``: the whole report as the page and ``tandem report linkage`` run it.

Ratio = seconds / baseline seconds, i.e. how many full scans of ``answers`` a step costs. Targets:
each aggregate at most 10 scans and the whole report at most 20 (before the rollups the whole report
took 53 scans, 10.7 s, on --large); a slower result prints SLOW and is not an error.
The peak Python memory of one report call (tracemalloc) shows that no answer rows reach Python.

Run from the repository root::

    python bench/bench_reports.py [--quick | --large] [--database-url URL]
"""
from __future__ import annotations

import sys
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_linkage import _median_time  # noqa: E402  (one timer for every benchmark)
from data import FULL_SCAN_SQL, PROGRAM, ROOT, dataset, parse_args, prepare, raw_aggregation, size_of  # noqa: E402
from sqlalchemy import Engine, func, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from surveys.db import make_engine  # noqa: E402
from surveys.insights import datasets  # noqa: E402
from surveys.models import Answer  # noqa: E402

MIN_GROUP_SIZE = 5
AGGREGATE_TARGET, REPORT_TARGET = 10.0, 20.0  # in full scans of `answers`
BASELINE_SQL = FULL_SCAN_SQL
__all__ = ["Row", "table", "parse_args", "size_of"]


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


def measure(engine: Engine, runs: int) -> tuple[float, list[Row], float, int, int, int]:
    """Time the baseline, each aggregate, the analysis stage and the whole report on `engine`."""
    # Late imports: webapp pulls in Flask, which the build above does not need.
    from analysis.linkage import linkage_matrix
    from analysis.units import build_units
    from surveys.insights.reports.linkage import LABELS, linkage_analysis

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

        raw = raw_aggregation(session)
        raw()
        baseline = _median_time(scan, runs)
        rows = [Row("raw aggregation (1 wave, page baseline)", _median_time(raw, runs), baseline, "", None)]
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
    width = max([44] + [len(r.name) for r in rows])
    head = f"{'benchmark':<{width}} {'seconds':>9} {'baseline':>9} {'ratio':>8}  {'target':<22} verdict"
    lines = [head, "-" * len(head)]
    for r in rows:
        base = f"{r.baseline:9.4f}" if r.baseline is not None else f"{'-':>9}"
        ratio = f"{'-':>8}" if r.ratio is None else f"{r.ratio:7.2f}x" if r.ratio < 10 else f"{r.ratio:7.1f}x"
        verdict = {True: "ok", False: "SLOW", None: "-"}[r.ok]
        lines.append(f"{r.name:<{width}} {r.seconds:9.4f} {base} {ratio}  {r.target:<22} {verdict}")
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    fig = run(size_of(args), args.database_url)
    print("\n".join(describe(fig)))
    print(table(fig.rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
