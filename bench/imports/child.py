"""One measured step of bench/bench_import.py, run in its own process so its peak RSS is its own.

    python bench/imports/child.py MODE [ARG...]      (TANDEM_DATABASE_URL names the scratch database)

Every mode first does what an idle Tandem process does (create the app, open a session, run one query);
`idle` stops there and is the baseline the parent subtracts from every other child's ru_maxrss. The last
line printed is JSON: {"seconds": time of the step alone, "rows": rows handled, "output": ...}.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
import time
from itertools import groupby
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
sys.path.insert(0, str(HERE))

import seed as world  # noqa: E402
from sqlalchemy import text  # noqa: E402

CHUNK = 5000
EXPORT_QUERY = {"from": f"{world.YEAR}-01-01", "to": f"{world.YEAR}-12-31"}


def _app():
    from webapp import create_app

    app = create_app({"WTF_CSRF_ENABLED": False})
    with app.app_context():
        from webapp.db import get_session

        get_session().execute(text("SELECT 1")).all()
    return app


def cli(app, args: list[str]) -> dict:
    """`tandem ARGS` through Flask's CLI runner: the real click command, its session and its commit."""
    runner = app.test_cli_runner()
    result = runner.invoke(args=args, catch_exceptions=False)
    return {"exit_code": result.exit_code, "output": result.output[-2000:]}


def raw_insert(app, kind: str, path: str) -> dict:
    """The floor: read the CSV, map codes to ids, executemany the same rows into responses and answers.

    The rows go to the twin wave (responses) or the twin program's waves (feedback) and are deleted again
    after the clock stops, so the rollups stay those of the imports and `rollup verify` still means something.
    """
    from surveys.models.responses import random_response_id

    engine = app.extensions["tandem_engine"]
    survey = "pulse" if kind == "responses" else "cx"
    with engine.connect() as conn:
        q = {code: (qid, lo, hi) for qid, code, lo, hi in conn.execute(text(
            "SELECT q.id, q.code, q.scale_min, q.scale_max FROM questions q JOIN surveys s ON s.id = q.survey_id "
            "WHERE s.code = :code"), {"code": survey})}
        teams = dict(conn.execute(text("SELECT code, id FROM teams")).all())
        tps = {r[0]: r[1:] for r in conn.execute(text("SELECT code, id, team_id, channel FROM touchpoints"))}
        # The twin waves only: the raw rows never touch a wave an import writes to.
        twin_program = world.EMPLOYEE if kind == "responses" else world.RAW_CUSTOMER
        waves = dict(conn.execute(text("SELECT w.label, w.id FROM waves w JOIN programs p ON p.id = w.program_id "
                                       "WHERE p.code = :p AND w.label != :w"),
                                  {"p": twin_program, "w": world.WAVE}).all())
    mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    insert_r = (f"INSERT INTO responses (id, wave_id, team_id, touchpoint_id, source, channel, submitted_on) "
                f"VALUES ({', '.join([mark] * 7)})")
    insert_a = f"INSERT INTO answers (response_id, question_id, scale_min, scale_max, value, text) VALUES " \
               f"({', '.join([mark] * 6)})"
    responses, answers, n = [], [], 0
    started = time.perf_counter()
    with engine.begin() as conn, open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        for row in reader:
            rid = random_response_id()
            day = dt.date.fromisoformat(row[1])
            if kind == "responses":
                responses.append((rid, waves[world.RAW_WAVE], teams[row[0]], None, "import", None, day))
            else:
                tid, team, channel = tps[row[0]]
                responses.append((rid, waves[f"{day:%Y-%m}"], team, tid, "import", row[2] or channel, day))
            for col, cell in zip(header[2:], row[2:]):
                if cell and col in q:
                    qid, lo, hi = q[col]
                    value, txt = (None, cell) if lo is None else (int(cell), None)
                    answers.append((rid, qid, lo, hi, value, txt))
            n += 1
            if len(responses) >= CHUNK:
                _flush(conn, insert_r, responses, insert_a, answers)
        _flush(conn, insert_r, responses, insert_a, answers)
    seconds = time.perf_counter() - started
    twin = f"SELECT id FROM responses WHERE wave_id IN ({', '.join(str(w) for w in waves.values())})"
    with engine.begin() as conn:
        conn.execute(text(f"DELETE FROM answers WHERE response_id IN ({twin})"))
        conn.execute(text(f"DELETE FROM responses WHERE id IN ({twin})"))
    return {"rows": n, "seconds": seconds}


def _flush(conn, insert_r: str, responses: list, insert_a: str, answers: list) -> None:
    if responses:
        conn.exec_driver_sql(insert_r, responses)  # a list of tuples: the driver's executemany
        conn.exec_driver_sql(insert_a, answers)
    responses.clear()
    answers.clear()


def export(app) -> dict:
    """GET /voice/export.csv as an HR admin, read to the end as a browser would, bytes counted."""
    client = app.test_client()
    login = client.post("/login", data={"email": world.STAFF_EMAIL, "password": world.STAFF_PASSWORD})
    assert login.status_code == 302, login.status_code
    _reset_peak()  # signing in runs argon2 (64 MiB, freed again): not the export's memory
    started = time.perf_counter()
    response = client.get("/voice/export.csv", query_string=EXPORT_QUERY, buffered=False)
    size = lines = 0
    for chunk in response.response:
        data = chunk if isinstance(chunk, bytes) else chunk.encode()
        size += len(data)
        lines += data.count(b"\n")
    response.close()
    return {"seconds": time.perf_counter() - started, "bytes": size, "rows": lines - 1, "status": response.status_code}


def raw_export(app) -> dict:
    """The floor: one streamed SQL query (responses, touchpoint, team, answers) written by csv.writer."""
    from webapp.db import get_session

    sql = text("SELECT r.id, r.submitted_on, coalesce(nullif(r.channel, ''), tp.channel), r.source, tp.code, tp.name, "
               "t.name, q.dimension, a.value, a.text FROM responses r JOIN touchpoints tp ON tp.id = r.touchpoint_id "
               "JOIN teams t ON t.id = r.team_id LEFT JOIN answers a ON a.response_id = r.id "
               "LEFT JOIN questions q ON q.id = a.question_id WHERE r.submitted_on BETWEEN :start AND :end "
               "ORDER BY r.submitted_on DESC, r.id DESC")
    size = n = 0
    with app.app_context():
        conn = get_session().connection()
        result = conn.execute(sql, {"start": dt.date(world.YEAR, 1, 1), "end": dt.date(world.YEAR, 12, 31)},
                              execution_options={"stream_results": True, "yield_per": CHUNK})
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(("date", "channel", "origin", "touchpoint", "touchpoint_name", "team", "csat", "nps",
                         "ces", "comment"))
        for _rid, group in groupby(result, key=lambda r: r[0]):
            group = list(group)
            first = group[0]
            scores = {dim: value for *_, dim, value, _t in group if value is not None}
            comment = "\n".join(t for *_, t in group if t)
            writer.writerow((first[1], first[2], "imported" if first[3] == "import" else "surveyed", first[4],
                             first[5], first[6], scores.get("csat", ""), scores.get("nps", ""),
                             scores.get("ces", ""), comment))
            n += 1
            if buffer.tell() > 1 << 16:
                size += len(buffer.getvalue().encode())
                buffer.seek(0)
                buffer.truncate()
        size += len(buffer.getvalue().encode())
    return {"rows": n, "bytes": size}


def _reset_peak() -> None:
    """Lower VmHWM to the current RSS (Linux clear_refs 5), so the peak read at the end is the step's."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def _peak_kb() -> int:
    """This process's peak RSS (VmHWM): ru_maxrss keeps the parent's high-water mark across fork+exec."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(argv: list[str]) -> None:
    mode, args = argv[0], argv[1:]
    app = _app()
    started = time.perf_counter()
    if mode == "idle":
        out = {}
    elif mode == "cli":
        out = cli(app, args)
    elif mode == "raw-insert":
        out = raw_insert(app, args[0], args[1])
    elif mode == "export":
        out = export(app)
    elif mode == "raw-export":
        out = raw_export(app)
    else:
        raise SystemExit(f"unknown mode {mode}")
    out.setdefault("seconds", time.perf_counter() - started)
    out["peak_kb"] = _peak_kb()
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
