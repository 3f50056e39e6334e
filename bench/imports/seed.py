"""The import benchmark's world: teams, an employee program with two past waves, a customer program with
monthly waves over 2025, touchpoints and one HR admin; and the generated response and feedback CSV files."""
from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

TEAMS, TOUCHPOINTS, QUESTIONS = 100, 40, 10
EMPLOYEE, CUSTOMER, RAW_CUSTOMER = "EMP", "CX", "CXRAW"  # CXRAW: the raw executemany's twin program
WAVE, RAW_WAVE = "2025-H1", "2025-RAW"  # the import's wave, the raw executemany's wave (same survey, same tables)
STAFF_EMAIL, STAFF_PASSWORD = "hr@example.com", "bench-password-123"
YEAR = 2025
COMMENTS = ("The onboarding was slow and confusing", "Great support from my manager, thanks",
            "Too many meetings, not enough focus time", "Checkout was quick and easy",
            "Waited forty minutes on the phone", "Friendly staff, clear answers")


def seed(url: str) -> None:
    """Create the world on a migrated, empty database."""
    from surveys.instruments import question_types
    from surveys.models import Person, Program, Question, Survey, Team, Touchpoint, Wave
    from surveys.org.accounts import hash_password

    def survey(code, audience, specs):
        s = Survey(code=code, title=code, audience=audience, status="active")
        for pos, (qcode, qtype, dim) in enumerate(specs):
            lo, hi = question_types.bounds_for(qtype)
            s.questions.append(Question(code=qcode, text=qcode, qtype=qtype, dimension=dim, position=pos,
                                        required=qtype != "text", scale_min=lo, scale_max=hi))
        return s

    engine = create_engine(url)
    with Session(engine) as session:
        root = Team(code="ORG", name="Organisation")
        teams = [Team(code=f"T{i:03d}", name=f"Team {i}", parent=root) for i in range(TEAMS)]
        emp = survey("pulse", "employee", [(f"e{i}", "likert5", "engagement") for i in range(QUESTIONS)]
                     + [("comment", "text", "comment")])
        program = Program(code=EMPLOYEE, name="Pulse", survey=emp, audience="employee", cadence="monthly")
        waves = [Wave(program=program, survey=emp, label=label, status="closed", historical=True,
                      opens_at=dt.datetime(YEAR, 1, 1), closes_at=dt.datetime(YEAR, 7, 1))
                 for label in (WAVE, RAW_WAVE)]
        cx = survey("cx", "customer", [("csat", "likert5", "csat"), ("nps", "scale0_10", "nps"),
                                       ("ces", "likert7", "ces"), ("comment", "text", "comment")])
        cx_program = Program(code=CUSTOMER, name="Customers", survey=cx, audience="customer", cadence="monthly")
        twin = Program(code=RAW_CUSTOMER, name="Raw twin", survey=cx, audience="customer", cadence="monthly",
                       active=False)
        months = [Wave(program=p, survey=cx, label=f"{YEAR}-{m:02d}", status="closed",
                       opens_at=dt.datetime(YEAR, m, 1), closes_at=dt.datetime(YEAR + m // 12, m % 12 + 1, 1))
                  for p in (cx_program, twin) for m in range(1, 13)]
        touchpoints = [Touchpoint(code=f"TP{i:02d}", name=f"Touchpoint {i}", channel="web", team=teams[i])
                       for i in range(TOUCHPOINTS)]
        staff = Person(email=STAFF_EMAIL, name="HR", role="hr_admin", team=root,
                       password_hash=hash_password(STAFF_PASSWORD))
        session.add_all([root, *teams, emp, program, *waves, cx, cx_program, twin, *months, *touchpoints, staff])
        session.commit()
    engine.dispose()


def response_csv(path: Path, rows: int, seed_: int = 1) -> Path:
    """`rows` employee respondents over the first half of the year: ten scores, a comment on one row in ten."""
    rnd = random.Random(seed_)
    day0 = dt.date(YEAR, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("team_code,submitted_on," + ",".join(f"e{i}" for i in range(QUESTIONS)) + ",comment\n")
        for i in range(rows):
            scores = ",".join(str(rnd.randint(1, 5)) for _ in range(QUESTIONS))
            comment = f'"{rnd.choice(COMMENTS)} ({i})"' if i % 10 == 0 else ""
            fh.write(f"T{i % TEAMS:03d},{day0 + dt.timedelta(days=i % 181)},{scores},{comment}\n")
    return path


def feedback_csv(path: Path, rows: int, seed_: int = 2) -> Path:
    """`rows` customer interactions over the year: CSAT and NPS, a comment on one row in five."""
    rnd = random.Random(seed_)
    day0 = dt.date(YEAR, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("touchpoint,date,channel,csat,nps,ces,comment\n")
        for i in range(rows):
            comment = f'"{rnd.choice(COMMENTS)} ({i})"' if i % 5 == 0 else ""
            fh.write(f"TP{i % TOUCHPOINTS:02d},{day0 + dt.timedelta(days=i % 365)},,{rnd.randint(1, 5)},"
                     f"{rnd.randint(0, 10)},,{comment}\n")
    return path
