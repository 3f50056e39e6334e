"""Server time of the reports index, every report page and every export, cold and warm, each against
the raw aggregation it summarises.

Cold = the first request after a restart: a fresh Python process creates the app
(``webapp.create_app``, the database given by ``TANDEM_DATABASE_URL``), runs what `make run`'s
webapp/gunicorn_conf.py post_worker_init hook runs in every worker before it accepts a request
(``webapp.reports.charts.warm_up``: imports the statistics stack and starts vl-convert; timed apart and
printed, not part of any request), holds the session cookie of a
signed-in executive (the demo's exec@...; set in the test client's session, as a browser that kept
its cookie across the restart would send it), and times its first GET; warm = the median of the later
GETs in the same process. Server time is the WSGI call through Flask's test client: no network, no
browser. A process times only its first request as cold, so each page and each export gets its own
fresh processes; the later requests of a process (the page's warm GETs, the page computed with the
report cache emptied before each GET, each export format) are warm figures.

- pages (``/reports/`` and every report in ``surveys.insights.reports.REPORTS``): cold with the report
  cache emptied (PROCESSES processes), cold with the cache filled (one process), warm (served from the
  cache), and warm computed (cache emptied before each GET, so every GET builds the report);
- exports (``/reports/NAME.csv``, ``.xlsx``, ``.pdf``, and ``.json`` warm only, for every report in
  ``EXPORTABLE``): cold in a fresh process each with the report cache emptied (the export is built), warm =
  later exports in the page's processes (since 1 December 2026 served from the cache, which stores an
  export file the first time it is built, as it stores pages).

One more row times the linkage report in a process that skipped the warm-up (``TANDEM_WARM_UP=0``), for
what that setting costs the first reader after a restart.

Baselines, timed in the parent in the same run (median of warm runs): for each page the raw SQL
aggregation of what it shows, over ``answers`` and ``responses`` (or invitations) with no rollup
(``data.RAW_SQL``: e.g. the heatmap's team x question sums of the latest employee wave and the customer
answers of its period; the linkage report's team x wave x question sums of every wave; since 1 December
2026 the dashboard's is the linkage report's, whose strongest links it shows beside one wave's figures).
Targets: cold <= 1.5x that baseline; warm <= 200 ms; the linkage report <= 2 s cold.

Run from the repository root::

    python bench/bench_pages.py [--quick | --large] [--database-url URL]
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_linkage import _median_time
from bench_reports import Row, table
from data import OUT, RAW_SQL, ROOT, dataset, parse_args, prepare, raw_key, raw_queries, size_of
from sqlalchemy.orm import Session

from surveys.db import make_engine
from surveys.insights.reports import EXPORTABLE, REPORTS
from webapp.reports.cached import NEVER_CACHED

COLD_RATIO, WARM_SECONDS, LINKAGE_COLD_SECONDS = 1.5, 0.2, 2.0
PROCESSES, WARM_GETS, EXPORT_GETS = 2, 5, 2  # cold processes per page; later GETs per process
COLD_FORMATS, WARM_FORMATS = ("csv", "xlsx", "pdf"), ("csv", "json", "xlsx", "pdf")
# --quick keeps the run short (every fresh process costs seconds of start-up): one cold process per page,
# cold exports as CSV only, the cache-filled restart for the linkage report only.
QUICK = {"processes": 1, "cold_formats": ("csv",), "filled": ("linkage",)}
FULL = {"processes": PROCESSES, "cold_formats": COLD_FORMATS, "filled": tuple(REPORTS)}


def child_env(url: str) -> dict[str, str]:
    """Environment of a benchmark child: the bench database, a fixed key, an instance folder in bench/out."""
    env = dict(os.environ)
    env.update(TANDEM_DATABASE_URL=url, TANDEM_SECRET_KEY="bench-secret-key-0123456789",
               TANDEM_INSTANCE_PATH=str(OUT / "instance"), PYTHONDONTWRITEBYTECODE="1")
    return env


def _clear_cache(app) -> None:
    """Empty the report cache (surveys/insights/cache.py), outside the timed requests."""
    from sqlalchemy import delete

    from surveys.models import ReportCache

    with Session(app.extensions["tandem_engine"]) as session:
        session.execute(delete(ReportCache))
        session.commit()


def _child(steps: list, warm: bool = False) -> None:
    """In a fresh process: create the app, sign in, then time each step's GETs in order.

    A step is [path, gets, clear]: `clear` "first" empties the report cache before the step's first GET
    (a page never computed since the data changed), "each" before every GET (every request computes),
    "none" leaves it. With `warm`, first run what webapp/gunicorn_conf.py's post_worker_init hook runs."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import select

    from surveys.models import Person
    from surveys.org import staff_sessions
    from webapp import create_app

    started = time.perf_counter()
    app = create_app()
    created = time.perf_counter() - started
    with app.app_context(), Session(app.extensions["tandem_engine"]) as session:
        person = session.scalars(select(Person).where(Person.role == "executive", Person.active)
                                 .order_by(Person.id).limit(1)).one()
        # The cookie carries a server-side session's id (surveys/org/staff_sessions.py), as after sign-in.
        session_id = staff_sessions.start(session, person)
        session.commit()
    app.extensions["tandem_engine"].dispose()  # the first request opens its own connection, as after a restart
    warm_up = 0.0
    if warm:
        from webapp.reports.charts import warm_up as hook

        started = time.perf_counter()
        hook(app)
        warm_up = time.perf_counter() - started
    client = app.test_client()
    with client.session_transaction() as cookie:  # what flask_login's login_user() stores
        cookie["_user_id"], cookie["_fresh"] = session_id, True
    found = []
    for path, gets, clear in steps:
        times = []
        for i in range(gets):
            if clear == "each" or (clear == "first" and i == 0):
                _clear_cache(app)
            start = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - start)
            if response.status_code != 200:
                raise SystemExit(f"GET {path} answered {response.status_code}")
        found.append({"path": path, "times": times, "bytes": len(response.data)})
    with Session(app.extensions["tandem_engine"]) as session:
        staff_sessions.end(session, session_id)  # the cached data stays as it was built
        session.commit()
    print(json.dumps({"create_app": created, "warm_up": warm_up, "steps": found}))


def probe_steps(url: str, steps: list, warm: bool = False) -> list[dict]:
    """Run one fresh child process through `steps`; return each step's figures."""
    return probe_process(url, steps, warm)["steps"]


def probe_process(url: str, steps: list, warm: bool = False) -> dict:
    """Run one fresh child process through `steps`; return everything it measured."""
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(steps),
                           *(["--warm-up"] if warm else [])],
                          cwd=ROOT, env=child_env(url), capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f"child for {steps[0][0]} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def baselines(url: str, runs: int) -> tuple[dict[str, float], dict[str, int]]:
    """Median seconds of every raw aggregation in data.RAW_SQL (after one warm-up run), and its row count."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            seconds, rows = {}, {}
            for key, raw in raw_queries(session).items():
                rows[key] = len(raw())  # warm-up
                seconds[key] = _median_time(raw, max(runs, 3))
            session.rollback()
    finally:
        engine.dispose()
    return seconds, rows


def _page(url: str, name: str, path: str, base: float, plan: dict) -> tuple[list[Row], list[str]]:
    """The rows of one page and its exports."""
    report = name != "index"
    goal_cold, goal_warm = f"<= {COLD_RATIO}x", f"<= {WARM_SECONDS * 1000:.0f} ms"
    if name == "linkage":
        goal_cold += f", <= {LINKAGE_COLD_SECONDS:.0f} s"

    def cold_ok(seconds: float) -> bool:
        return seconds / base <= COLD_RATIO and (name != "linkage" or seconds <= LINKAGE_COLD_SECONDS)

    extra = []
    if report:
        extra.append([path, 3, "each"])
        # A PDF renders every chart (seconds): one later export of it is enough.
        extra += [[f"{path}.{fmt}", 2 if fmt == "pdf" else 1 + EXPORT_GETS, "none"]
                  for fmt in WARM_FORMATS if name in EXPORTABLE]
    runs = [probe_process(url, [[path, 1 + WARM_GETS, "first"], *(extra if i == 0 else [])], warm=True)
            for i in range(plan["processes"])]
    cold = statistics.median(r["steps"][0]["times"][0] for r in runs)
    warm = statistics.median(t for r in runs for t in r["steps"][0]["times"][1:])
    rows = [Row(f"GET {path} cold (1st after restart)", cold, base, goal_cold, cold_ok(cold)),
            Row(f"GET {path} warm", warm, base, goal_warm, warm <= WARM_SECONDS)]
    colds = ", ".join(f"{r['steps'][0]['times'][0]:.3f}" for r in runs)
    notes = [f"{path}: cold runs {colds} s; create_app {statistics.median(r['create_app'] for r in runs):.2f} s, "
             f"worker warm-up {statistics.median(r['warm_up'] for r in runs):.2f} s (before the first request); "
             f"page {runs[0]['steps'][0]['bytes']:,} bytes"]
    if not report:
        return rows, notes
    computed = statistics.median(runs[0]["steps"][1]["times"])
    if name in plan["filled"] and name not in NEVER_CACHED:  # comments and actions are never cached
        filled = probe_steps(url, [[path, 1, "none"]], warm=True)[0]["times"][0]
        rows.append(Row(f"GET {path} cold, cache filled", filled, base, goal_cold, cold_ok(filled)))
    rows.append(Row(f"GET {path} warm, computed (no cache)", computed, base, goal_warm, computed <= WARM_SECONDS))
    if name not in EXPORTABLE:
        return rows, notes
    sizes = []
    for fmt, step in zip(WARM_FORMATS, runs[0]["steps"][2:]):
        if fmt in plan["cold_formats"]:
            # Cache emptied first: a cold export is built (the page's own export run above stored it).
            first = probe_steps(url, [[f"{path}.{fmt}", 1, "first"]], warm=True)[0]["times"][0]
            rows.append(Row(f"GET {path}.{fmt} cold", first, base, goal_cold, cold_ok(first)))
        later = statistics.median(step["times"][1:])
        rows.append(Row(f"GET {path}.{fmt} warm", later, base, goal_warm, later <= WARM_SECONDS))
        sizes.append(f"{fmt} {step['bytes']:,}")
    notes.append(f"{path} exports (bytes): {', '.join(sizes)}")
    return rows, notes


def _unwarmed_worker(url: str, base: float) -> tuple[list[Row], list[str]]:
    """The linkage page's first GET in a process that skipped the warm-up (TANDEM_WARM_UP=0)."""
    path = "/reports/linkage"
    found = probe_process(url, [[path, 1, "first"]])
    cold = found["steps"][0]["times"][0]
    return ([Row(f"GET {path} cold, worker not warmed (TANDEM_WARM_UP=0)", cold, base, "for information", True)],
            [f"linkage without the worker warm-up: {cold:.2f} s for the first reader after a restart"])


def pages() -> list[tuple[str, str]]:
    """(report name or 'index', path) of the index and every report page."""
    return [("index", "/reports/"), *((name, f"/reports/{name}") for name in REPORTS)]


def measure_pages(url: str, runs: int, plan: dict = FULL, say=print) -> tuple[dict[str, float], list[Row], list[str]]:
    """The baselines and every page's and export's rows."""
    base, counts = baselines(url, runs)
    rows, notes = [], []
    for name, path in pages():
        key = raw_key(name)
        found, more = _page(url, name, path, base[key], plan)
        rows += found
        notes += more
        if name == "linkage":
            found, more = _unwarmed_worker(url, base[key])
            rows += found
            notes += more
        say(f"{path} measured")
    lines = [f"baseline {key}: {RAW_SQL[key][0]} = {base[key]:.4f} s ({counts[key]:,} rows)" for key in RAW_SQL]
    return base, rows, lines + notes


def run(size: str = "default", database_url: str | None = None, say=print) -> tuple[list[str], list[Row]]:
    """Prepare the data for `size`, measure; return (context lines, rows)."""
    spec = dataset(size)
    url, _seconds, _built = prepare(spec, database_url, say=say)
    _base, rows, notes = measure_pages(url, spec.runs, QUICK if size == "quick" else FULL, say=say)
    return ["baselines: raw SQL over answers and responses (or invitations) with no rollup, median of warm runs; "
            "each page and its exports are compared with the one it summarises", *notes], rows


def measure(args) -> tuple[list[str], list[Row]]:
    """bench/run.py entry point."""
    return run(size_of(args), args.database_url, say=lambda msg: print(f"  {msg}", flush=True))


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        _child(json.loads(argv[1]), warm="--warm-up" in argv[2:])
        return 0
    args = parse_args(argv, __doc__)
    context, rows = run(size_of(args), args.database_url)
    print("\n".join(context))
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
