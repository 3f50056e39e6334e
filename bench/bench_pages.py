"""Server time of the reports index, the linkage and the drivers reports, cold and warm, against one raw aggregation.

Cold = the first request after a restart: a fresh Python process creates the app
(``webapp.create_app``, the database given by ``TANDEM_DATABASE_URL``), holds the session cookie of a
signed-in executive (the demo's exec@...; set in the test client's session, as a browser that kept
its cookie across the restart would send it), and times the first GET of the page; warm = the median
of the later GETs in the same process. Server time is the WSGI call through Flask's test client: no
network, no browser. Each page gets its own processes, so neither page warms the other. The linkage
report is also timed cold in a worker warmed as `make run`'s webapp/gunicorn_conf.py warms each worker after
it forks (``webapp.reports.charts.warm_up``: the statistics imports, vl-convert's engine start-up and
gc.freeze, timed apart and not part of the request), cold and warm.

Baseline, timed in the parent in the same run (median of warm runs): one raw aggregation over
``answers`` grouped by team and question for the latest employee wave (``data.RAW_AGGREGATION_SQL``),
what a report page cost per wave before the rollups. Targets: cold <= 1.5x that baseline; warm
<= 200 ms; the linkage report <= 2 s cold.

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
from data import OUT, ROOT, dataset, parse_args, prepare, raw_aggregation, size_of
from sqlalchemy.orm import Session

from surveys.db import make_engine

PAGES = (("reports index", "/reports/"), ("linkage report", "/reports/linkage"),
         ("drivers report", "/reports/drivers"), ("dashboard", "/reports/dashboard"),
         ("heatmap", "/reports/heatmap"), ("trends", "/reports/trends"), ("customers", "/reports/customers"),
         ("questions", "/reports/questions"), ("comments", "/reports/comments"),
         ("participation", "/reports/participation"))
COLD_RATIO, WARM_SECONDS, LINKAGE_COLD_SECONDS = 1.5, 0.2, 2.0
PROCESSES, WARM_GETS = 3, 7  # fresh processes per page (cold median), later GETs per process


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


def _child(path: str, gets: int, warm: bool = False, clear: str = "first") -> None:
    """In a fresh process: create the app, sign in, time the first and the later GETs of `path`.

    With `warm`, first run what webapp/gunicorn_conf.py's post_fork hook runs in each worker. `clear`:
    "first" empties the report cache before the first GET (a page never computed since the data changed),
    "each" before every GET (every request computes), "none" leaves it (a restart with the cache filled)."""
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
        hook()
        warm_up = time.perf_counter() - started
    client = app.test_client()
    with client.session_transaction() as cookie:  # what flask_login's login_user() stores
        cookie["_user_id"], cookie["_fresh"] = session_id, True
    times = []
    for i in range(1 + gets):
        if clear == "each" or (clear == "first" and i == 0):
            _clear_cache(app)
        start = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise SystemExit(f"GET {path} answered {response.status_code}")
    with Session(app.extensions["tandem_engine"]) as session:
        staff_sessions.end(session, session_id)  # the cached data stays as it was built
        session.commit()
    print(json.dumps({"create_app": created, "warm_up": warm_up, "cold": times[0], "warm": times[1:],
                      "bytes": len(response.data)}))


def probe(url: str, path: str, gets: int = WARM_GETS, warm: bool = False, clear: str = "first") -> dict:
    """Run one child process for `path`; return its figures."""
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", path, str(gets),
                           "--clear", clear, *(["--warm-up"] if warm else [])],
                          cwd=ROOT, env=child_env(url), capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"child for {path} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(url: str, runs: int, processes: int = PROCESSES) -> tuple[float, list[Row], list[str]]:
    """The baseline and one cold and one warm row per page."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            raw = raw_aggregation(session)
            raw()  # warm-up
            baseline = _median_time(raw, max(runs, 5))
    finally:
        engine.dispose()
    rows, notes = [], []
    for name, path in PAGES:
        found = [probe(url, path) for _ in range(processes)]
        cold = statistics.median(f["cold"] for f in found)
        warm = statistics.median(t for f in found for t in f["warm"])
        cold_goal = f"<= {COLD_RATIO}x"
        cold_ok = cold / baseline <= COLD_RATIO
        if path == "/reports/linkage":
            cold_goal += f", <= {LINKAGE_COLD_SECONDS:.0f} s"
            cold_ok = cold_ok and cold <= LINKAGE_COLD_SECONDS
        rows.append(Row(f"GET {path} cold (1st after restart)", cold, baseline, cold_goal, cold_ok))
        rows.append(Row(f"GET {path} warm", warm, baseline, f"<= {WARM_SECONDS * 1000:.0f} ms",
                        warm <= WARM_SECONDS))
        if path != "/reports/":  # report pages: also with the report cache filled, and with none at all
            filled = probe(url, path, gets=0, clear="none")
            rows.append(Row(f"GET {path} cold, cache filled", filled["cold"], baseline, cold_goal,
                            filled["cold"] / baseline <= COLD_RATIO))
            computed = probe(url, path, gets=3, clear="each")
            every = statistics.median(computed["warm"])
            rows.append(Row(f"GET {path} warm, computed (no cache)", every, baseline,
                            f"<= {WARM_SECONDS * 1000:.0f} ms", every <= WARM_SECONDS))
        if path == "/reports/linkage":
            warmed = [probe(url, path, warm=True) for _ in range(processes)]
            cold = statistics.median(f["cold"] for f in warmed)
            warm = statistics.median(t for f in warmed for t in f["warm"])
            rows.append(Row(f"GET {path} cold, worker warmed", cold, baseline, cold_goal,
                            cold / baseline <= COLD_RATIO and cold <= LINKAGE_COLD_SECONDS))
            rows.append(Row(f"GET {path} warm, worker warmed", warm, baseline, f"<= {WARM_SECONDS * 1000:.0f} ms",
                            warm <= WARM_SECONDS))
            notes.append(f"{name}: worker warm-up (webapp/gunicorn_conf.py post_fork) "
                         f"{statistics.median(f['warm_up'] for f in warmed):.2f} s, before the first request")
        colds = ", ".join(f"{f['cold']:.3f}" for f in found)
        notes.append(f"{name} {path}: cold runs {colds} s (one fresh process each), warm = median of "
                     f"{sum(len(f['warm']) for f in found)} later GETs; create_app "
                     f"{statistics.median(f['create_app'] for f in found):.2f} s; page {found[-1]['bytes']:,} bytes")
    return baseline, rows, notes


def run(size: str = "default", database_url: str | None = None, say=print) -> tuple[list[str], list[Row]]:
    """Prepare the data for `size`, measure; return (context lines, rows)."""
    spec = dataset(size)
    url, _seconds, _built = prepare(spec, database_url, say=say)
    baseline, rows, notes = measure(url, spec.runs)
    return [f"baseline: raw aggregation over answers by team x question, latest employee wave = "
            f"{baseline:.4f} s (median of warm runs)", *notes], rows


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        rest = argv[3:]
        clear = rest[rest.index("--clear") + 1] if "--clear" in rest else "first"
        _child(argv[1], int(argv[2]), warm="--warm-up" in rest, clear=clear)
        return 0
    args = parse_args(argv, __doc__)
    context, rows = run(size_of(args), args.database_url)
    print("\n".join(context))
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
