"""Streaming export: a customer wave of 100,000 responses x 30 questions downloaded as CSV and XLSX.

bench/export_data.py bulk-builds the wave into a scratch database (a SQLite file under bench/out/, or a new
database on the PostgreSQL server of --database-url), dropped afterwards. Then, each in a fresh child process:

- ``export csv`` / ``export xlsx``: ``GET /voice/responses.<fmt>?wave=ID`` as an HR admin through the Flask
  test client, reading the streamed body chunk by chunk (and throwing it away, the XLSX into a file that is
  checked afterwards): time to the first byte of the body, time to the last, peak memory;
- baseline: the raw SQL-to-CSV of the same data with the driver alone (sqlite3, or psycopg with a
  server-side cursor): the wave's answers joined to their response, touchpoint and team in long format
  (one line per answer), ``csv.writer`` to /dev/null.

Peak memory is the child's peak resident set size (VmHWM of /proc/self/status; ``ru_maxrss`` where there is
no /proc, though on Linux that one keeps the forking parent's peak across exec), the whole process:
interpreter, Flask app and all; "growth" is that peak less the child's peak just before the
request (after the app was created and signed in). Targets: first byte < 1 s and peak < 200 MiB, for both
formats. Ratios are export / baseline in the same run. --quick uses 10,000 responses.

    python bench/bench_export.py [--quick] [--database-url postgresql://...] [--http]

--http also serves the same downloads with gunicorn as `make run` does and reads them over a socket
(bench/export_http.py); bench/run.py's namespace has no such flag, so there it is skipped.
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

# bench_reports and data (Row, table, parse_args) load numpy, pandas and the demo: imported only in the parent,
# so that a child's memory is the export's and the app's alone.
FULL, QUICK = 100_000, 10_000
FIRST_BYTE_TARGET, PEAK_TARGET_MIB = 1.0, 200.0
CHILD_TIMEOUT = 1800
LONG_SQL = ("SELECT r.id, r.submitted_on, tp.code, tp.name, t.name, a.question_id, a.value, a.text "
            "FROM responses r JOIN touchpoints tp ON tp.id = r.touchpoint_id JOIN teams t ON t.id = r.team_id "
            "JOIN answers a ON a.response_id = r.id WHERE r.wave_id = {wave}")


def _peak_mib() -> float:
    """This process's peak resident set size in MiB: VmHWM, else ru_maxrss.

    ru_maxrss survives exec on Linux, so a child forked from a parent holding the generated rows would report
    the parent's peak; VmHWM belongs to the process's own address space, which exec replaced."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _child_export(url: str, wave_id: int, fmt: str, keep: str) -> dict:
    """In a fresh process: create the app, sign in as HR, stream the export and time it."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from surveys.models import Person
    from surveys.org import staff_sessions
    from webapp import create_app

    app = create_app({"IMPORT_THREAD": False, "REPORT_PREWARM": False})  # the database: TANDEM_DATABASE_URL
    with Session(app.extensions["tandem_engine"]) as session:
        person = session.scalars(select(Person).where(Person.role == "hr_admin")).first()
        session_id = staff_sessions.start(session, person)
        session.commit()
    client = app.test_client()
    with client.session_transaction() as cookie:  # what flask_login's login_user() stores
        cookie["_user_id"], cookie["_fresh"] = session_id, True
    before = _peak_mib()
    out = open(keep if keep else os.devnull, "wb")
    size, lines, first, second = 0, 0, None, None
    start = time.perf_counter()
    response = client.get(f"/voice/responses.{fmt}?wave={wave_id}", buffered=False)
    if response.status_code != 200:
        raise SystemExit(f"export answered {response.status_code}: {response.get_data(as_text=True)[:500]}")
    for chunk in response.response:
        if chunk and first is None:
            first = time.perf_counter() - start
        elif chunk and second is None:  # the header (CSV) or the workbook's fixed parts (XLSX) come first
            second = time.perf_counter() - start
        size += len(chunk)
        lines += chunk.count(b"\n")
        out.write(chunk)
    total = time.perf_counter() - start
    response.close()
    out.close()
    return {"first": first, "second": second, "total": total, "bytes": size, "lines": lines, "before": before,
            "peak": _peak_mib()}


def _child_baseline(url: str, wave_id: int) -> dict:
    """In a fresh process: the raw SQL-to-CSV of the wave's answers in long format, with the driver alone."""
    import csv

    from sqlalchemy import make_url

    before = _peak_mib()
    sql = LONG_SQL.format(wave=int(wave_id))
    start = time.perf_counter()
    first, rows = None, 0
    with open(os.devnull, "w", newline="") as sink:
        writer = csv.writer(sink)
        if url.startswith("sqlite"):
            import sqlite3

            conn = sqlite3.connect(make_url(url).database)
            cursor = conn.execute(sql)
        else:
            import psycopg

            conn = psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False))
            cursor = conn.cursor(name="baseline")  # server-side, as the export's
            cursor.itersize = 2000
            cursor.execute(sql)
        for row in cursor:
            if first is None:
                first = time.perf_counter() - start
            writer.writerow(row)
            rows += 1
        conn.close()
    return {"first": first, "total": time.perf_counter() - start, "rows": rows, "before": before,
            "peak": _peak_mib()}


def _run_child(*argv: str) -> dict:
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", *argv], cwd=HERE.parent,
                          capture_output=True, text=True, timeout=CHILD_TIMEOUT,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "TANDEM_DATABASE_URL": argv[1],
                               "TANDEM_SECRET_KEY": "bench-secret-key-0123456789",
                               "TANDEM_INSTANCE_PATH": str(HERE / "out" / "instance")})
    if done.returncode != 0:
        raise RuntimeError(f"child {argv[0]} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _check_xlsx(path: Path, responses: int) -> str:
    """The streamed workbook is a sound zip (every CRC checked) whose sheet opens in openpyxl."""
    with zipfile.ZipFile(path) as book:
        bad = book.testzip()
        if bad:
            raise RuntimeError(f"the streamed XLSX has a corrupt member: {bad}")
        tail = book.open("xl/worksheets/sheet1.xml").read()[-4000:]
    last = tail.rsplit(b'<row r="', 1)[-1].split(b'"', 1)[0]
    if int(last) != responses + 1:
        raise RuntimeError(f"the streamed XLSX ends at row {last.decode()}, not {responses + 1}")
    try:
        import openpyxl
    except ImportError:
        return "XLSX: zip CRCs ok (openpyxl not installed)"
    sheet = openpyxl.load_workbook(path, read_only=True)["Responses"]
    head = [row for _, row in zip(range(3), sheet.iter_rows(values_only=True))]
    if head[0][0] != "response" or head[1][0] != 1 or len(head[1]) > len(head[0]):
        raise RuntimeError(f"the streamed XLSX does not read back: {head[:2]}")
    return f"XLSX: zip CRCs ok, {responses + 1:,} rows, header and first rows read back by openpyxl"


def measure(args) -> tuple[list[str], list]:
    """Build the wave, run the baseline and both exports in child processes; context lines and table rows."""
    from bench_reports import Row
    from export_data import OUT, build, scratch_database

    n = QUICK if args.quick else FULL
    url, cleanup = scratch_database(args.database_url)
    keep, log = OUT / f"export-{os.getpid()}.xlsx", OUT / f"export-gunicorn-{os.getpid()}.log"
    try:
        started = time.perf_counter()
        wave_id, answers = build(url, n)
        built = time.perf_counter() - started
        base = _run_child("baseline", url, str(wave_id))
        csv_fig = _run_child("export", url, str(wave_id), "csv", "")
        xlsx_fig = _run_child("export", url, str(wave_id), "xlsx", str(keep))
        checked = _check_xlsx(keep, n)
        if getattr(args, "http", False):
            from export_http import measure_http

            http = measure_http(url, wave_id, log)
    finally:
        keep.unlink(missing_ok=True)
        log.unlink(missing_ok=True)
        cleanup()
    if csv_fig["lines"] != n + 1:
        raise RuntimeError(f"the CSV has {csv_fig['lines']} lines, not {n + 1}")
    if base["rows"] != answers:
        raise RuntimeError(f"the baseline read {base['rows']} answers, not {answers}")
    where = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    lines = [f"data: one customer wave, {n:,} responses x 30 questions ({answers:,} answers) on {where}, "
             f"bulk-built in {built:.1f} s",
             f"baseline: raw SQL-to-CSV, long format (one line per answer), driver only: first row "
             f"{base['first']:.3f} s, all {base['total']:.2f} s, peak RSS {base['peak']:.0f} MiB",
             f"memory = peak RSS of the child process (VmHWM), whole process; growth during the request: "
             f"csv {csv_fig['peak'] - csv_fig['before']:.0f} MiB, xlsx {xlsx_fig['peak'] - xlsx_fig['before']:.0f} MiB",
             f"second chunk (the first with response rows): csv {csv_fig['second']:.3f} s, "
             f"xlsx {xlsx_fig['second']:.3f} s",
             f"files: csv {csv_fig['bytes'] / 2**20:.1f} MiB ({csv_fig['lines'] - 1:,} rows), "
             f"xlsx {xlsx_fig['bytes'] / 2**20:.1f} MiB; {checked}"]
    rows = []
    if getattr(args, "http", False):
        lines.append(f"over HTTP (gunicorn -c webapp.gunicorn_conf, 2 workers, warmed for reports): worker RSS "
                     f"{http['worker_rss_before']:.0f} MiB before the downloads, peak {http['worker_peak_after']:.0f} "
                     f"MiB after them (growth {http['worker_peak_after'] - http['worker_rss_before']:.0f} MiB)")
        for fmt, fig in http["formats"].items():
            rows += [Row(f"http {fmt} {n // 1000}k x 30: first byte (s)", fig["first"], base["first"],
                         f"< {FIRST_BYTE_TARGET:.0f} s", fig["first"] < FIRST_BYTE_TARGET),
                     Row(f"http {fmt} {n // 1000}k x 30: whole file (s)", fig["total"], base["total"], "-", None)]
    for fmt, fig in (("csv", csv_fig), ("xlsx", xlsx_fig)):
        rows += [Row(f"export {fmt} {n // 1000}k x 30: first byte (s)", fig["first"], base["first"],
                     f"< {FIRST_BYTE_TARGET:.0f} s", fig["first"] < FIRST_BYTE_TARGET),
                 Row(f"export {fmt} {n // 1000}k x 30: whole file (s)", fig["total"], base["total"], "-", None),
                 Row(f"export {fmt} {n // 1000}k x 30: peak RSS (MiB, not s)", fig["peak"], base["peak"],
                     f"< {PEAK_TARGET_MIB:.0f} MiB", fig["peak"] < PEAK_TARGET_MIB)]
    return lines, rows


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        kind, url, wave = argv[1:4]
        fig = _child_baseline(url, int(wave)) if kind == "baseline" else _child_export(url, int(wave), *argv[4:6])
        print(json.dumps(fig))
        return 0
    from bench_reports import table
    from data import parse_args

    args = parse_args([a for a in argv if a != "--http"], __doc__)
    args.http = "--http" in argv  # also over real HTTP under gunicorn (bench/export_http.py)
    lines, rows = measure(args)
    print("\n".join(lines))
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
