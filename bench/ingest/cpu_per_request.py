"""CPU time of the web process per submission, one request at a time: less sensitive to a busy machine than wrk.

Seeds a scratch database as bench_ingest does, then posts through Flask's test client (no gunicorn, no
network): the bare insert straight through SQLAlchemy and through bench/ingest/bare_app.py, an employee's
final POST and a customer's public form, N times each; prints wall and CPU milliseconds per request and the
SQL statements per request (on SQLite the BEGIN IMMEDIATE included; COMMIT is not a statement here).

    python bench/ingest/cpu_per_request.py [--database-url postgresql://...] [-n 400]
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent.parent))

import bench_ingest as b  # noqa: E402
from sqlalchemy import event, text  # noqa: E402

from surveys.db import make_engine  # noqa: E402

WARM = 10


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL server URL (a scratch database is created there)")
    parser.add_argument("-n", type=int, default=400, help="requests of each kind")
    args = parser.parse_args(argv)
    url, cleanup = b.scratch_database(args.database_url)
    try:
        started, codes = b.seed(url, args.n + WARM)
        os.environ.update({"TANDEM_WARM_UP": "0", "TANDEM_DATABASE_URL": url})
        from webapp import create_app

        app = create_app({"DATABASE_URL": url, "SECRET_KEY": b.SECRET, "INSTANCE_PATH": str(HERE / "instance"),
                          "PUBLIC_RATE_LIMIT": "100000000/1", "FLOOD_DAY_MIN": "1000000"})
        client = app.test_client(use_cookies=False)  # each prepared request carries its own cookie
        bare_client = importlib.import_module("bench.ingest.bare_app").app.test_client()
        engine = make_engine(url)
        statements: list[str] = []
        event.listen(app.extensions["tandem_engine"], "before_cursor_execute",
                     lambda _c, _cur, sql, *_a: statements.append(sql))

        def post(line: str) -> None:
            path, cookie, body = line.split("\t")
            r = client.post(path, data=body, headers={"Cookie": cookie,
                                                      "Content-Type": "application/x-www-form-urlencoded"})
            assert r.status_code == 302, (r.status_code, r.get_data(as_text=True)[:500])

        def bare_sql(i) -> None:
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO bench_bare (body) VALUES (:body)"), {"body": str(i)})

        def bare_flask(i) -> None:
            r = bare_client.post("/bare", data=f"body={i}",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
            assert r.status_code == 204

        kinds = (("bare insert (SQLAlchemy)", bare_sql, list(range(args.n + WARM))),
                 ("bare insert (Flask)", bare_flask, list(range(args.n + WARM))),
                 ("employee final POST", post, b.employee_lines(app, started)),
                 ("customer public form", post, b.customer_lines(app, codes, args.n + WARM)))
        for name, send, items in kinds:
            for item in items[:WARM]:
                send(item)
            statements.clear()
            wall, cpu = time.perf_counter(), time.process_time()
            for item in items[WARM:WARM + args.n]:
                send(item)
            wall, cpu = (time.perf_counter() - wall) / args.n, (time.process_time() - cpu) / args.n
            per = f", {len(statements) / args.n:.0f} statements" if statements else ""
            print(f"{name}: {wall * 1000:.2f} ms wall, {cpu * 1000:.2f} ms CPU per request{per}")
        engine.dispose()
        app.extensions["tandem_engine"].dispose()
    finally:
        cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
