"""The export benchmark's data: one closed customer wave of N responses x 30 questions, bulk-inserted.

The organisation, instrument, program, wave and one HR account go in through the models; the responses,
answers and contact details go in with the driver's bulk path (executemany on SQLite, COPY on PostgreSQL),
already sorted by the answers' primary key, so 100,000 x 30 takes seconds rather than minutes. The data is
correct by construction (every value within its question's bounds), and no rollups are written: the export
reads only responses, answers, touchpoints, teams and contacts.
"""
from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.orm import Session

from migrations import alembic_config

OUT = Path(__file__).resolve().parent / "out"
QUESTIONS = 30
TEAMS, TOUCHPOINTS = 50, 200
CHANNELS = ("web", "phone", "store", "email")
WORDS = ("waited", "friendly", "slow", "quick", "helpful", "rude", "price", "app", "delivery", "refund",
         "staff", "queue", "great", "never", "again", "-minus", "=sum", "+plus", "@at")


def question_specs() -> list[dict]:
    """Thirty questions: agreement and 0-10 items, one single and one multiple choice, NPS and a comment."""
    specs = [{"code": f"q{i:02d}", "qtype": "likert5" if i % 2 else "scale0_10", "dimension": "other"}
             for i in range(1, QUESTIONS - 3)]
    specs += [{"code": "visit", "qtype": "single_choice", "choices": ["First", "Second", "Regular", "Former"]},
              {"code": "used", "qtype": "multi_choice", "choices": ["App", "Web", "Phone", "Store"]},
              {"code": "nps", "qtype": "scale0_10", "dimension": "nps"},
              {"code": "comment", "qtype": "text", "dimension": "comment"}]
    assert len(specs) == QUESTIONS
    return specs


def scratch_database(database_url: str | None, prefix: str = "export") -> tuple[str, callable]:
    """A new migrated database (a SQLite file in bench/out/, or a new database on that PostgreSQL server),
    named `prefix` and a random suffix, and a function that removes it."""
    if database_url is None:
        OUT.mkdir(exist_ok=True)
        path = OUT / f"{prefix}-{uuid.uuid4().hex[:8]}.sqlite"
        url = f"sqlite:///{path}"

        def cleanup():
            for extra in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{extra}").unlink(missing_ok=True)
    else:
        server = make_url(database_url)
        name = f"tandem_{prefix}_{uuid.uuid4().hex[:8]}"
        admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = server.set(database=name).render_as_string(hide_password=False)

        def cleanup():
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    command.upgrade(alembic_config(url), "head")
    return url, cleanup


def _setup(url: str) -> tuple[int, list[tuple], list[tuple]]:
    """Teams, touchpoints, the instrument, a closed wave and an HR account; (wave id, touchpoints, questions)."""
    from surveys.db import make_engine
    from surveys.instruments import question_types
    from surveys.models import Person, Program, Question, Survey, Team, Touchpoint, Wave

    engine = make_engine(url)
    with Session(engine) as session:
        root = Team(code="ORG", name="Organisation")
        teams = [Team(code=f"T{i:03d}", name=f"Team {i}", parent=root) for i in range(TEAMS)]
        points = [Touchpoint(code=f"TP{i:03d}", name=f"Touchpoint {i}", channel=CHANNELS[i % 4],
                             team=teams[i % TEAMS]) for i in range(TOUCHPOINTS)]
        survey = Survey(code="cx-bench", title="Customer experience", audience="customer", status="active",
                        frozen=True)
        for pos, spec in enumerate(question_specs()):
            lo, hi = question_types.bounds_for(spec["qtype"], spec.get("choices"))
            survey.questions.append(Question(code=spec["code"], text=f"Question {pos + 1} ({spec['qtype']})",
                                             qtype=spec["qtype"], dimension=spec.get("dimension"), required=False,
                                             position=pos, choices=spec.get("choices"), scale_min=lo, scale_max=hi))
        program = Program(code="cx-bench", name="CX benchmark", survey=survey, audience="customer",
                          cadence="custom")
        wave = Wave(program=program, survey=survey, label="2026-Q1", opens_at=dt.datetime(2026, 1, 1),
                    closes_at=dt.datetime(2026, 3, 31), status="closed")
        hr = Person(email="hr@bench.example", name="HR", role="hr_admin", team=root)
        session.add_all([root, *teams, *points, survey, program, wave, hr])
        session.commit()
        tps = [(t.id, t.team_id) for t in points]
        qs = [(q.id, q.qtype, q.scale_min, q.scale_max, len(q.choices or [])) for q in survey.questions]
        wave_id = wave.id
    engine.dispose()
    return wave_id, tps, qs


def _answer(rng: random.Random, qtype: str, lo, hi, n_choices: int) -> tuple:
    if qtype == "text":
        words = rng.choices(WORDS, k=rng.randint(3, 14))
        return None, " ".join(words).capitalize()
    if qtype == "multi_choice":
        return None, json.dumps(sorted(rng.sample(["App", "Web", "Phone", "Store"], rng.randint(1, 3))))
    return rng.randint(lo, hi), None


def generate(n: int, wave_id: int, tps: list[tuple], qs: list[tuple], seed: int = 7):
    """(responses, answers, contacts) rows, responses sorted by id and answers by (response, question)."""
    rng = random.Random(seed)
    ids = sorted({rng.getrandbits(62) or 1 for _ in range(n + 100)})[:n]
    start = dt.date(2026, 1, 1)
    responses, answers, contacts = [], [], []
    for rid in ids:
        tp_id, team_id = tps[rng.randrange(len(tps))]
        responses.append((rid, wave_id, team_id, tp_id, "public_link", None, start + dt.timedelta(rng.randrange(90))))
        for qid, qtype, lo, hi, n_choices in qs:
            if rng.random() < (0.7 if qtype == "text" else 0.05):
                continue  # skipped: most customers leave no comment
            value, words = _answer(rng, qtype, lo, hi, n_choices)
            answers.append((rid, qid, lo, hi, value, words))
        if rng.random() < 0.02:
            contacts.append((rid, f"Customer {rid % 10000}", f"c{rid % 100000}@example.com", "", True))
    return responses, answers, contacts


RESPONSE_COLS = "id, wave_id, team_id, touchpoint_id, source, channel, submitted_on"
ANSWER_COLS = "response_id, question_id, scale_min, scale_max, value, text"
CONTACT_COLS = "response_id, name, email, phone, consent"


def _insert_sqlite(url: str, responses, answers, contacts) -> None:
    import sqlite3

    conn = sqlite3.connect(make_url(url).database, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("BEGIN")
        conn.executemany(f"INSERT INTO responses ({RESPONSE_COLS}) VALUES (?,?,?,?,?,?,?)",
                         [(*r[:6], r[6].isoformat()) for r in responses])
        conn.executemany(f"INSERT INTO answers ({ANSWER_COLS}) VALUES (?,?,?,?,?,?)", answers)
        conn.executemany(f"INSERT INTO customer_contacts ({CONTACT_COLS}) VALUES (?,?,?,?,?)", contacts)
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def _insert_postgresql(url: str, responses, answers, contacts) -> None:
    import psycopg

    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain) as conn, conn.cursor() as cur:
        for table, cols, rows in (("responses", RESPONSE_COLS, responses), ("answers", ANSWER_COLS, answers),
                                  ("customer_contacts", CONTACT_COLS, contacts)):
            with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        conn.commit()
        conn.autocommit = True
        cur.execute("VACUUM ANALYZE responses")
        cur.execute("VACUUM ANALYZE answers")


def build(url: str, n: int) -> tuple[int, int]:
    """Fill the scratch database with a customer wave of `n` responses; (wave id, answers written)."""
    wave_id, tps, qs = _setup(url)
    responses, answers, contacts = generate(n, wave_id, tps, qs)
    insert = _insert_sqlite if url.startswith("sqlite") else _insert_postgresql
    insert(url, responses, answers, contacts)
    return wave_id, len(answers)
