"""Bursts of submissions: the real answering endpoints under gunicorn against a bare insert, loaded by wrk.

A scratch database (a SQLite file under bench/out/, or a new PostgreSQL database on the server of
--database-url) gets a team tree, an open employee wave with one unused invitation per request (a one-page
survey of five agreement items and a comment, each invitation past its promise page) and an open customer
wave with 40 touchpoints. gunicorn serves Tandem (`webapp.gunicorn_conf`, WORKERS workers, as the README's
deployment recommends) and, in turn, a bare Flask app (bench/ingest/bare_app.py) whose one POST inserts one
row into the same database. wrk (Debian package) keeps CONNECTIONS connections busy for SECONDS, each request
a prepared POST used once (bench/ingest/post.lua):

- employee: the survey page's final POST (`/r/survey`, action submit) with the respondent's signed session
  cookie and CSRF token, as a browser sends it; it writes the receipt and the sealed queue entry;
- customer: a touchpoint's public form POST (`/r/c/<program>/<touchpoint>`), rate limit and flood rules
  raised out of the way (one client address sends everything), answers varied;
- baseline: `POST /bare`, one INSERT and COMMIT.

BENCH_GUNICORN_ARGS (e.g. "--workers 8" or "--workers 4 --worker-class gthread --threads 4") replaces the
`--workers WORKERS` given to both servers, to compare deployment settings; the README's recommendation is
the default. Runs alternate bare, employee, customer, twice; figures are the better of the two (the machine is shared).
Rate ratio = submissions per second / bare inserts per second (target >= 0.7); p99 latency target 100 ms.
Every acknowledged employee submission must be stored exactly once: receipts and queue entries are counted
against wrk's successful requests (plus at most one request in flight per connection when a run stops).

    python bench/bench_ingest.py [--database-url postgresql://...] [--seconds 10]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from bench_reports import Row, table  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

WORKERS, CONNECTIONS, WRK_THREADS = 4, 32, 2
GUNICORN_ARGS = os.environ.get("BENCH_GUNICORN_ARGS", f"--workers {WORKERS}").split()
SECONDS = 10
PER_RUN = 6000          # prepared requests per run (more than a run can use at these rates)
SECRET = "bench-ingest-secret-key-0123456789abcdef"
MIN_RATIO, MAX_P99_MS = 0.7, 100.0


@dataclass(frozen=True)
class Load:
    """What wrk measured in one run."""

    requests: int
    failed: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rate(self) -> float:
        return (self.requests - self.failed) / self.seconds


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def scratch_database(server_url: str | None) -> tuple[str, callable]:
    """A migrated empty database with the bare app's table, and a function that removes it."""
    from export_data import scratch_database as migrated

    url, cleanup = migrated(server_url, "ingest")
    with create_engine(url).begin() as conn:
        conn.execute(text("CREATE TABLE bench_bare (id INTEGER PRIMARY KEY "
                          + ("AUTOINCREMENT" if url.startswith("sqlite") else "GENERATED ALWAYS AS IDENTITY")
                          + ", body TEXT NOT NULL)"))
    return url, cleanup


def seed(url: str, invitations: int) -> tuple[list[tuple[int, str]], list[str]]:
    """Teams, an open employee wave with `invitations` started invitations, an open customer wave."""
    from surveys.collection import drafts, submission
    from surveys.instruments import library, question_types
    from surveys.models import Invitation, Person, Program, Question, Survey, Team, Touchpoint, Wave, utcnow
    from surveys.tokens import new_token

    now = utcnow()
    engine = create_engine(url)
    with Session(engine) as session:
        root = Team(code="ORG", name="Organisation")
        teams = [Team(code=f"T{i:03d}", name=f"Team {i}", parent=root) for i in range(100)]
        survey = Survey(code="pulse", title="Pulse", audience="employee", status="active")
        lo, hi = question_types.bounds_for("likert5")
        for pos in range(5):
            survey.questions.append(Question(code=f"e{pos}", text=f"Statement {pos}", qtype="likert5",
                                             dimension="engagement", required=True, position=pos,
                                             scale_min=lo, scale_max=hi))
        survey.questions.append(Question(code="comment", text="Anything else?", qtype="text", dimension="comment",
                                         required=False, position=5))
        program = Program(code="PULSE", name="Pulse", survey=survey, audience="employee", cadence="monthly")
        wave = Wave(program=program, survey=survey, label="2026-12", status="open",
                    opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=13))
        cx = library.install(session, "cx")
        touchpoints = [Touchpoint(code=f"TP{i:02d}", name=f"Touchpoint {i}", channel="web", team=teams[i])
                       for i in range(40)]
        cx_program = Program(code="CX", name="Customers", survey=cx, audience="customer", cadence="always_on")
        cx_wave = Wave(program=cx_program, survey=cx, label="always", status="open",
                       opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=90))
        session.add_all([root, *teams, survey, program, wave, *touchpoints, cx_program, cx_wave])
        session.flush()
        people, tokens = [], []
        for i in range(invitations):
            people.append(Person(email=f"p{i}@example.com", name=f"Person {i}", team=teams[i % len(teams)]))
        session.add_all(people)
        session.flush()
        rows = []
        for person in people:
            token, token_hash = new_token()
            tokens.append(token)
            rows.append(Invitation(wave=wave, person=person, token_hash=token_hash, sent_at=now,
                                   unit_team_id=person.team_id))
        session.add_all(rows)
        session.flush()
        for invitation, token in zip(rows, tokens):
            submission.start(session, invitation.id, now, key=drafts.key_for(token))
        session.commit()
        started = [(inv.id, tok) for inv, tok in zip(rows, tokens)]
        codes = [tp.code for tp in touchpoints]
    engine.dispose()
    return started, codes


def employee_lines(app, started) -> list[str]:
    """One final POST per invitation: its signed session cookie and a body with its CSRF token."""
    from flask import session as cookie
    from flask_wtf.csrf import generate_csrf

    from surveys.collection import drafts
    from webapp.respond.views import KEY_KEY, SESSION_KEY

    serializer = app.session_interface.get_signing_serializer(app)
    name = app.config["SESSION_COOKIE_NAME"]
    lines, rng = [], random.Random(7)
    for invitation_id, token in started:
        with app.test_request_context():
            cookie[SESSION_KEY] = invitation_id
            cookie[KEY_KEY] = drafts.encode_key(drafts.key_for(token))
            csrf = generate_csrf()
            value = serializer.dumps(dict(cookie))
        form = {"csrf_token": csrf, "invitation": invitation_id, "page": 0, "action": "submit",
                **{f"q_e{i}": rng.randint(1, 5) for i in range(5)}}
        lines.append(f"/r/survey\t{name}={value}\t{urllib.parse.urlencode(form)}")
    return lines


def customer_lines(app, codes, n) -> list[str]:
    """n public-form POSTs with varied answers, each with a CSRF token of its own session."""
    from flask import session as cookie
    from flask_wtf.csrf import generate_csrf

    serializer = app.session_interface.get_signing_serializer(app)
    name = app.config["SESSION_COOKIE_NAME"]
    lines, rng = [], random.Random(11)
    for i in range(n):
        with app.test_request_context():
            csrf = generate_csrf()
            value = serializer.dumps(dict(cookie))
        form = {"csrf_token": csrf, "website": "", "q_csat": rng.randint(1, 5), "q_nps": rng.randint(0, 10),
                "q_ces": rng.randint(1, 7), "q_comment": f"Visit {i}"}
        lines.append(f"/r/c/CX/{codes[i % len(codes)]}\t{name}={value}\t{urllib.parse.urlencode(form)}")
    return lines


class Server:
    """gunicorn serving an app on a free port, started and stopped."""

    def __init__(self, target: str, env: dict, log: Path):
        self.port = _free_port()
        self.log = log
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "python:webapp.gunicorn_conf", *GUNICORN_ARGS,
             "--bind", f"127.0.0.1:{self.port}", target],
            cwd=HERE.parent, env=env, stdout=subprocess.DEVNULL, stderr=log.open("w"))
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(self.url + "/", timeout=2)  # nosec B310 - loopback
                return
            except urllib.error.HTTPError:
                return  # answering (404 or a redirect page): up
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError(f"gunicorn did not start: see {log}") from None
                time.sleep(0.2)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def wrk(url: str, lines: list[str], seconds: int, work: Path) -> Load:
    """Run wrk over `lines` for `seconds`; the Lua script prints one BENCH line."""
    path = work / f"requests-{uuid.uuid4().hex[:6]}.tsv"
    path.write_text("\n".join(lines) + "\n")
    out = subprocess.run(["wrk", f"-t{WRK_THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s",
                          "-s", str(HERE / "ingest/post.lua"), url, "--", str(path), str(WRK_THREADS)],
                         capture_output=True, text=True, check=True).stdout
    m = re.search(r"BENCH requests=(\d+) errors_status=(\d+) p50_us=(\d+) p99_us=(\d+) duration_us=(\d+)", out)
    if m is None:
        raise RuntimeError(f"wrk printed no figures:\n{out}")
    requests, failed, p50, p99, duration = (int(g) for g in m.groups())
    return Load(requests, failed, duration / 1e6, p50 / 1000, p99 / 1000)


def run(database_url: str | None, seconds: int, say=print, per_run: int = PER_RUN) -> tuple[list[str], list[Row]]:
    """Measure; returns context lines and table rows."""
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (Debian package wrk): apt-get install -y wrk")
    url, cleanup = scratch_database(database_url)
    work = HERE / "out" / f"ingest-{uuid.uuid4().hex[:6]}"
    work.mkdir(parents=True, exist_ok=True)
    try:
        say("seeding invitations ...")
        started, codes = seed(url, 2 * per_run)
        env = {**os.environ, "TANDEM_DATABASE_URL": url, "TANDEM_SECRET_KEY": SECRET, "TANDEM_WARM_UP": "0",
               "TANDEM_INSTANCE_PATH": str(work / "instance"), "TANDEM_PUBLIC_RATE_LIMIT": "100000000/1",
               "TANDEM_FLOOD_DAY_MIN": "1000000", "TANDEM_REPORT_PREWARM": "0", "PYTHONPATH": str(HERE.parent)}
        from webapp import create_app

        app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET, "INSTANCE_PATH": str(work / "instance")})
        batches = [employee_lines(app, started[i * per_run:(i + 1) * per_run]) for i in range(2)]
        customers = [customer_lines(app, codes, per_run) for _ in range(2)]
        bare_lines = [f"/bare\t\tbody={i}" for i in range(per_run)]
        app.extensions["tandem_engine"].dispose()
        tandem = Server("webapp:create_app()", env, work / "tandem.log")
        bare = Server("bench.ingest.bare_app:app", env, work / "bare.log")
        try:
            wrk(bare.url, bare_lines, 2, work)  # warm both servers' workers (imports, connections)
            wrk(tandem.url, customer_lines(app, codes, 500), 2, work)
            found: dict[str, list[Load]] = {"bare": [], "employee": [], "customer": []}
            for round_ in range(2):
                found["bare"].append(wrk(bare.url, bare_lines, seconds, work))
                found["employee"].append(wrk(tandem.url, batches[round_], seconds, work))
                found["customer"].append(wrk(tandem.url, customers[round_], seconds, work))
                say(f"round {round_ + 1}: " + ", ".join(f"{k} {v[-1].rate:.0f}/s p99 {v[-1].p99_ms:.0f} ms"
                                                        for k, v in found.items()))
        finally:
            tandem.stop()
            bare.stop()
        stored = _stored(url)
        acknowledged = sum(load.requests - load.failed for load in found["employee"])
        in_flight = CONNECTIONS * len(found["employee"])
        best = {k: max(v, key=lambda load: load.rate) for k, v in found.items()}
    finally:
        shutil.rmtree(work, ignore_errors=True)
        cleanup()
    kind = "PostgreSQL" if database_url else "SQLite"
    context = [f"database: {kind}; gunicorn {WORKERS} workers; wrk {CONNECTIONS} connections, {seconds} s per run, "
               f"best of 2 runs each",
               f"employee submissions acknowledged {acknowledged}, receipts stored {stored[0]}, queue entries "
               f"{stored[1]} (requests still in flight when wrk stops are stored unacknowledged: at most "
               f"{in_flight})"]
    # Every acknowledged submission stored, each once (one queue entry per receipt), and nothing beyond
    # what was in flight on the connections when a run ended.
    if not (stored[0] == stored[1] and acknowledged <= stored[0] <= acknowledged + in_flight):
        raise RuntimeError(f"acknowledged {acknowledged} employee submissions but stored {stored}")
    rows = [Row(f"bare insert ({kind}, {CONNECTIONS} conn.) s/insert", 1 / best["bare"].rate, None,
                f"{best['bare'].rate:.0f}/s", None)]
    for name in ("employee", "customer"):
        load = best[name]
        rows.append(Row(f"{name} submit ({kind}) s/submission, {load.rate:.0f}/s", 1 / load.rate,
                        1 / best["bare"].rate, f"<= {1 / MIN_RATIO:.2f}x (>= {MIN_RATIO}x rate)",
                        load.rate >= MIN_RATIO * best["bare"].rate))
        rows.append(Row(f"{name} submit ({kind}) p99 latency, p50 {load.p50_ms:.0f} ms", load.p99_ms / 1000,
                        best["bare"].p99_ms / 1000, f"< {MAX_P99_MS:.0f} ms", load.p99_ms < MAX_P99_MS))
    return context, rows


def _stored(url: str) -> tuple[int, int]:
    from surveys.models import PendingSubmission, SubmissionReceipt

    engine = create_engine(url)
    with Session(engine) as session:
        counts = (session.scalar(select(func.count()).select_from(SubmissionReceipt)),
                  session.scalar(select(func.count()).select_from(PendingSubmission)))
    engine.dispose()
    return counts


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL server URL (a scratch database is created there)")
    parser.add_argument("--seconds", type=int, default=SECONDS)
    parser.add_argument("--per-run", type=int, default=PER_RUN, help="prepared requests per run")
    args = parser.parse_args(argv)
    context, rows = run(args.database_url, args.seconds, per_run=args.per_run)
    print("\n".join(context))
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
