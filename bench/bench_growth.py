"""Growth: the linkage report and the heatmap at several data sizes, with the fitted growth exponent.

The sizes are multiples (``--growth-sizes``, default 1,3,10) of a base data set (``--growth-base``:
quick, default or large; by default the run's own size). 1x is the base as bench/data.py builds it;
k x is the organisation copied k times over in SQL by bench/scale.py (k times the teams, people,
touchpoints, invitations, responses and answers over the same waves), rollups rebuilt by
``surveys.rollups.rebuild``. Generated, never stored in the repository: SQLite files under bench/out/,
or PostgreSQL databases named ``<database>_growth_<k>x`` next to the one given.

At each size, for each report: the server time of the page (bench_pages' fresh-process child, after the worker
warm-up since 1 December 2026: cold = the first GET after a restart with the report cache emptied, warm =
later GETs served from the cache,
computed = GETs with the cache emptied before each) against the raw aggregation it summarises at that
size (data.RAW_SQL). The growth exponent b is the least-squares slope of log(seconds) on log(answers):
time grows as answers^b. The projection to 50M answers extrapolates from the largest size measured.

Run from the repository root::

    python bench/bench_growth.py [--quick | --large] [--growth-base large] [--growth-sizes 1,3,10] [--database-url URL]
"""
from __future__ import annotations

import math
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale  # noqa: E402
from bench_linkage import _median_time  # noqa: E402
from bench_pages import COLD_RATIO, WARM_SECONDS, probe_steps  # noqa: E402
from bench_reports import Row, table  # noqa: E402
from data import OUT, checkpoint, dataset, fingerprint, parse_args, prepare, raw_queries, size_of  # noqa: E402
from sqlalchemy import make_url, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from surveys.db import make_engine  # noqa: E402

REPORTS = ("linkage", "heatmap")
TARGET_ANSWERS = 50_000_000  # a 20,000-employee company surveying monthly for two years, with its customers
WARM_GETS, COMPUTED_GETS = 3, 2
SLOW_RAW = 5.0  # seconds


def _grow_into(url: str, factor: int, say) -> float:
    engine = make_engine(url)
    try:
        start = time.perf_counter()
        with Session(engine) as session:
            scale.grow(session, factor, say=say)
            session.commit()
        if url.startswith("sqlite"):
            checkpoint(engine)
        scale.analyze(engine)
        return time.perf_counter() - start
    finally:
        engine.dispose()


def _sqlite_growth(base_url: str, key: str, factor: int, say) -> tuple[str, float | None]:
    name = lambda k: OUT / f"growth-{key}-{k}x-{fingerprint()}.sqlite"  # noqa: E731
    target = name(factor)
    if target.exists():
        return f"sqlite:///{target}", None
    smaller = [k for k in range(factor - 1, 1, -1) if name(k).exists()]
    source = name(smaller[0]) if smaller else Path(make_url(base_url).database)
    for stale in OUT.glob(f"growth-{key}-*"):  # older schema or demo code
        if not stale.name.endswith(f"-{fingerprint()}.sqlite"):
            stale.unlink()
    partial = target.with_name(target.name + ".partial")
    for leftover in (Path(f"{partial}-wal"), Path(f"{partial}-shm")):  # an interrupted build's: never apply
        leftover.unlink(missing_ok=True)
    say(f"growing {source.name} to {factor}x into {target.relative_to(OUT.parent.parent)} (once; cached) ...")
    engine = make_engine(f"sqlite:///{source}")
    checkpoint(engine)  # report-cache rows the pages wrote may sit in the source's WAL: fold them in first
    engine.dispose()
    shutil.copyfile(source, partial)
    seconds = _grow_into(f"sqlite:///{partial}", factor, say)
    for suffix in ("-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    partial.rename(target)
    return f"sqlite:///{target}", seconds


def _postgres_growth(base_url: str, factor: int, say) -> tuple[str, float | None]:
    url = make_url(base_url)
    name = lambda k: f"{url.database}_growth_{k}x"  # noqa: E731
    admin = make_engine(url.set(database="postgres").render_as_string(hide_password=False),
                        isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            have = set(conn.scalars(text("SELECT datname FROM pg_database")))
            target = url.set(database=name(factor)).render_as_string(hide_password=False)
            if name(factor) in have:
                engine = make_engine(target)
                with Session(engine) as session:
                    present = scale.copies_present(session)
                engine.dispose()
                if present == factor:
                    return target, None
                conn.execute(text(f'DROP DATABASE "{name(factor)}"'))
            smaller = [k for k in range(factor - 1, 1, -1) if name(k) in have]
            source = name(smaller[0]) if smaller else url.database
            say(f"growing {source} to {factor}x into database {name(factor)} (once; kept) ...")
            conn.execute(text(f'CREATE DATABASE "{name(factor)}" TEMPLATE "{source}"'))
    finally:
        admin.dispose()
    return target, _grow_into(target, factor, say)


def prepare_size(base: str, factor: int, database_url: str | None, say=print) -> tuple[str, float | None]:
    """The url of the base data grown `factor` times (built when missing) and the seconds it took to grow."""
    url, _seconds, _built = prepare(dataset(base), database_url, say=say)
    if factor == 1:
        return url, None
    if url.startswith("sqlite"):
        return _sqlite_growth(url, dataset(base).key, factor, say)
    return _postgres_growth(url, factor, say)


def exponent(sizes: list[float], seconds: list[float]) -> float:
    """Least-squares slope of log(seconds) on log(size)."""
    xs, ys = [math.log(s) for s in sizes], [math.log(t) for t in seconds]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def measure_size(url: str, runs: int) -> dict:
    """Answers, teams, the raw baselines and each report's cold, warm and computed server time at `url`."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            answers = session.scalar(text("SELECT count(*) FROM answers"))
            teams = session.scalar(text("SELECT count(*) FROM teams"))
            raws = raw_queries(session)
            baselines = {}
            for name in REPORTS:
                first = _median_time(raws[name], 1)  # also the warm-up: the page cache, as for the pages
                # Over SLOW_RAW seconds (the linkage's raw aggregation at millions of answers takes
                # minutes) one run is the figure: more would cost the run minutes and change nothing.
                baselines[name] = first if first > SLOW_RAW else _median_time(raws[name], runs)
    finally:
        engine.dispose()
    found = {}
    for name in REPORTS:
        path = f"/reports/{name}"
        # A worker warmed as gunicorn's post_worker_init hook warms it, as bench_pages' cold figures are.
        steps = probe_steps(url, [(path, 1 + WARM_GETS, "first"), (path, COMPUTED_GETS, "each")], warm=True)
        found[name] = {"cold": steps[0]["times"][0], "warm": statistics.median(steps[0]["times"][1:]),
                       "computed": statistics.median(steps[1]["times"]), "raw": baselines[name]}
    return {"answers": answers, "teams": teams, "reports": found}


def run(base: str, factors: list[int], database_url: str | None = None, say=print) -> tuple[list[str], list[Row]]:
    """Build (once) and measure every size; return (context lines, rows)."""
    runs = 3
    sizes = []
    for factor in factors:
        url, grew = prepare_size(base, factor, database_url, say=say)
        figures = measure_size(url, runs)
        figures.update(factor=factor, grew=grew)
        sizes.append(figures)
        say(f"{factor}x: {figures['answers']:,} answers: " + "; ".join(
            f"{name} raw {r['raw']:.3f} s, cold {r['cold']:.3f}, warm {r['warm']:.4f}, computed {r['computed']:.3f}"
            for name, r in figures["reports"].items()))
    rows, notes = [], [f"base: {dataset(base).describe}; sizes {', '.join(f'{f}x' for f in factors)}"]
    for s in sizes:
        grew = "" if s["grew"] is None else f"; grown in {s['grew']:.0f} s"
        notes.append(f"{s['factor']}x: {s['answers']:,} answers, {s['teams']:,} teams{grew}")
        for name in REPORTS:
            r = s["reports"][name]
            label = f"growth {s['factor']}x ({s['answers'] / 1e6:.2f}M answers) {name}"
            rows.append(Row(f"{label} cold", r["cold"], r["raw"], f"<= {COLD_RATIO}x", r["cold"] / r["raw"] <= COLD_RATIO))
            rows.append(Row(f"{label} warm", r["warm"], r["raw"], f"<= {WARM_SECONDS * 1000:.0f} ms",
                            r["warm"] <= WARM_SECONDS))
            rows.append(Row(f"{label} computed", r["computed"], r["raw"], "", None))
    if len(sizes) >= 2:
        answers = [s["answers"] for s in sizes]
        biggest = sizes[-1]
        for name in REPORTS:
            b_raw = exponent(answers, [s["reports"][name]["raw"] for s in sizes])
            notes.append(f"{name}: raw aggregation grows as answers^{b_raw:.2f}")
            for kind in ("cold", "computed", "warm"):
                b = exponent(answers, [s["reports"][name][kind] for s in sizes])
                at = biggest["reports"][name][kind] * (TARGET_ANSWERS / biggest["answers"]) ** b
                raw_at = biggest["reports"][name]["raw"] * (TARGET_ANSWERS / biggest["answers"]) ** b_raw
                notes.append(f"{name} {kind}: grows as answers^{b:.2f}; projected at {TARGET_ANSWERS / 1e6:.0f}M "
                             f"answers {at:.2f} s (raw aggregation {raw_at:.2f} s)")
                if kind != "warm":
                    rows.append(Row(f"growth exponent {name} {kind} (b, not s)", b, b_raw,
                                    "<= raw's exponent", b <= b_raw + 0.05))
    return notes, rows


def measure(args) -> tuple[list[str], list[Row]]:
    """bench/run.py entry point."""
    base = args.growth_base or size_of(args)
    factors = sorted({int(f) for f in args.growth_sizes.split(",") if f.strip()})
    return run(base, factors, args.database_url, say=lambda msg: print(f"  {msg}", flush=True))


def main(argv=None) -> int:
    args = parse_args(argv, __doc__)
    context, rows = measure(args)
    print("\n".join(context))
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
