"""Insert generated demo frames into the database with bulk executemany; flushes, never commits.

Invitation tokens come from surveys.tokens (random, not seeded): a predictable token would be a
working survey link for anyone who knows the seed. Everything else is a function of the frames.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from demo.generate import DemoData
from demo.improvements import demo_today
from demo.org import COMPANY_NAME, OrgPlan
from demo.plans_writer import write_actions, write_goals
from demo.result import DemoResult, Login
from surveys import audit, rollups
from surveys.errors import Conflict
from surveys.instruments import library
from surveys.models import (
    Answer,
    Invitation,
    Person,
    Program,
    Response,
    SubmissionReceipt,
    Survey,
    Team,
    Touchpoint,
    Wave,
)
from surveys.org import branding
from surveys.org.accounts import count_people, hash_password
from surveys.tokens import new_token

DEMO_PASSWORD = "tandem-demo-2026"
CHUNK = 20_000
MIN_GROUP_SIZE, MIN_COMMENT_GROUP_SIZE = 5, 10
REMINDER_DAYS = 5
PROGRAM_CODES = ("engagement-pulse", "cx-always-on")
BRAND_COLOUR = "#1d4e45"  # Northwind's pine green; white text on it
PUBLIC_TITLES = {"engagement-pulse": "Your monthly say at Northwind", "cx-always-on": "How did we do?"}
Progress = Callable[[str], None] | None


def _chunks(n: int, size: int = CHUNK) -> Iterator[slice]:
    for start in range(0, n, size):
        yield slice(start, min(start + size, n))


def _insert(model):
    # A Core INSERT on the table: one executemany per chunk. The ORM bulk path costs as much again in
    # per-row bookkeeping and starts a new batch whenever a row's None pattern changes.
    return insert(model.__table__)


def _insert_ids(session: Session, model, key: str, rows: list[dict]) -> np.ndarray:
    """Bulk insert and return the new primary keys in the order of `rows`, matched on unique `key`.

    (RETURNING with a guaranteed order falls back to one statement per row on SQLite; a second
    SELECT on the unique key keeps it to two statements.)
    """
    if not rows:
        return np.empty(0, dtype=np.int64)
    session.execute(_insert(model), rows)
    column = getattr(model, key)
    wanted = [r[key] for r in rows]
    found = {}
    for part in _chunks(len(wanted), 5_000):  # keeps the IN list under every driver's parameter limit
        rows_found = session.execute(select(column, model.id).where(column.in_(wanted[part])))
        found.update((k, i) for k, i in rows_found)
    return np.array([found[k] for k in wanted], dtype=np.int64)


def _survey(session: Session, code: str) -> Survey:
    # A template may already have been installed by hand; the demo then asks a fresh version of it.
    latest = session.scalar(select(func.max(Survey.version)).where(Survey.code == code)) or 0
    return library.install(session, code, version=latest + 1, company=COMPANY_NAME)


def write(session: Session, data: DemoData, *, password: str = DEMO_PASSWORD,
          progress: Progress = None) -> DemoResult:
    """Insert the generated organisation, waves, responses and actions; the database must be empty."""
    say = progress or (lambda _msg: None)
    org = data.org
    _ensure_empty(session, org)
    team_ids = _write_teams(session, org.teams)
    password_hash = hash_password(password)  # argon2 is slow on purpose: hash once, share it
    people = org.people
    # The demo organisation has existed for a year before its first wave: everyone counts towards their
    # team's size (surveys/fieldwork/units.py), as in an organisation that has run for a while.
    since = data.calendar["emp_opens"].iloc[0].to_pydatetime() - dt.timedelta(days=365)
    person_ids = _insert_ids(session, Person, "email", [
        dict(email=p.email, name=p.name, role=p.role, active=True, created_at=since, team_since=since,
             team_id=None if p.team < 0 else int(team_ids[p.team]),
             password_hash=None if p.role == "employee" else password_hash)
        for p in people.itertuples()])
    leads = org.teams[org.teams["lead"] >= 0]
    session.execute(update(Team), [dict(id=int(team_ids[row]), lead_id=int(person_ids[lead]))
                                   for row, lead in zip(leads.index, leads["lead"])])
    tp_ids = _insert_ids(session, Touchpoint, "code", [
        dict(code=t.code, name=t.name, channel=t.channel, team_id=int(team_ids[t.team]), active=True)
        for t in org.touchpoints.itertuples()])
    say(f"organisation: {len(team_ids)} teams, {len(person_ids)} people, {len(tp_ids)} touchpoints")
    if branding.get_branding(session).is_default_name:  # never overwrite branding HR has set
        branding.update_branding(session, name=COMPANY_NAME, colour=BRAND_COLOUR)

    ex_survey, cx_survey = _survey(session, "engagement"), _survey(session, "cx")
    ex_waves = _program(session, "engagement-pulse", "Engagement pulse", ex_survey, "monthly", data.calendar,
                        "emp_opens", "emp_closes")
    cx_waves = _program(session, "cx-always-on", "Customer experience, always on", cx_survey, "always_on",
                        data.calendar, "cx_opens", "cx_closes")
    n_inv = _write_invitations(session, data, ex_waves, person_ids, team_ids, say)
    n_answers = _write_responses(session, data.employee, ex_survey, ex_waves, team_ids, None, say,
                                 "employee")
    n_answers += _write_responses(session, data.customer, cx_survey, cx_waves, team_ids,
                                  (tp_ids, org.touchpoints["channel"].to_numpy()), say, "customer")
    goal_ids = write_goals(session, data.goals, team_ids, person_ids)
    write_actions(session, data.actions, team_ids, person_ids, goal_ids)
    # One aggregate pass over everything written, in the same transaction (per-chunk upserts would
    # read the same answers again chunk by chunk).
    rollups.rebuild(session)
    say("rollups: rebuilt")
    audit.record(session, None, "demo.build", "organisation", int(team_ids[0]), seed=data.config.seed,
                 teams=int(len(org.leaf_teams)), waves=data.config.waves)
    session.flush()
    return _result(data, n_inv, n_answers, password)


def _ensure_empty(session: Session, org: OrgPlan) -> None:
    # Checked up front so a half-built demo never meets a unique constraint as an IntegrityError.
    if count_people(session) > 0:
        raise Conflict("The database already has people; the demo needs an empty database.")
    for model, codes, what in ((Program, list(PROGRAM_CODES), "program"),
                               (Team, org.teams["code"].tolist(), "team"),
                               (Touchpoint, org.touchpoints["code"].tolist(), "touchpoint")):
        taken = session.scalars(select(model.code).where(model.code.in_(codes)).order_by(model.code)).first()
        if taken is not None:
            raise Conflict(f"A {what} with code {taken} already exists; the demo needs an empty database.")


def _write_teams(session: Session, teams: pd.DataFrame) -> np.ndarray:
    ids = np.zeros(len(teams), dtype=np.int64)
    for level in ("company", "department", "team"):  # parents before children
        rows = teams[teams["level"] == level]
        ids[rows.index] = _insert_ids(session, Team, "code", [
            dict(code=t.code, name=t.name, parent_id=None if t.parent < 0 else int(ids[t.parent]))
            for t in rows.itertuples()])
    return ids


def _program(session: Session, code: str, name: str, survey: Survey, cadence: str,
             calendar: pd.DataFrame, opens: str, closes: str) -> dict[int, Wave]:
    # The story starts two weeks before the first wave, not at build time: same seed, same dates.
    created = calendar[opens].iloc[0].to_pydatetime() - dt.timedelta(days=14)
    survey.created_at = created
    program = Program(code=code, name=name, public_title=PUBLIC_TITLES.get(code), survey=survey,
                      audience=survey.audience, cadence=cadence, wave_days=14 if cadence == "monthly" else 31,
                      reminder_days=REMINDER_DAYS, created_at=created)
    waves = {}
    for w in calendar.itertuples():
        waves[w.wave] = Wave(program=program, survey=survey, label=w.label, status="closed",
                             opens_at=getattr(w, opens).to_pydatetime(),
                             closes_at=getattr(w, closes).to_pydatetime(),
                             min_group_size=MIN_GROUP_SIZE, min_comment_group_size=MIN_COMMENT_GROUP_SIZE)
    session.add(program)
    session.add_all(waves.values())
    session.flush()
    return waves


def _write_invitations(session: Session, data: DemoData, waves: dict[int, Wave], person_ids: np.ndarray,
                       team_ids: np.ndarray, say) -> int:
    inv = data.invitations
    opens = data.calendar.set_index("wave")["emp_opens"]
    sent = inv["wave"].map(opens)
    # Every demo wave is closed, and closing a wave forgets its reminder times (whether someone was
    # reminded would tell who answered early), so no invitation keeps one.
    wave_ids = inv["wave"].map({k: w.id for k, w in waves.items()}).to_numpy()
    people = person_ids[inv["person"].to_numpy()]
    # Demo teams are all large enough: each invitation's storage unit is the person's team, which is
    # also the team the generated responses carry.
    units = team_ids[data.org.people["team"].to_numpy()[inv["person"].to_numpy()]]
    for part in _chunks(len(inv)):
        # `draft` is left out on purpose: a Core insert of None into a JSON column stores JSON 'null'.
        rows = [dict(wave_id=int(w), person_id=int(p), touchpoint_id=None, token_hash=new_token()[1],
                     created_at=s.to_pydatetime(), sent_at=s.to_pydatetime(), reminded_at=None, unit_team_id=int(u))
                for w, p, s, u in zip(wave_ids[part], people[part], sent.iloc[part], units[part])]
        session.execute(_insert(Invitation), rows)
        say(f"invitations: {part.stop:,} / {len(inv):,}")
    _write_receipts(session, wave_ids, people, inv["answered_at"].notna().to_numpy())
    return len(inv)


def _write_receipts(session: Session, wave_ids: np.ndarray, people: np.ndarray, answered: np.ndarray) -> None:
    # A receipt (no time) is the only trace that an invitation was used, exactly as in the respondent flow.
    for wave_id in np.unique(wave_ids):
        ids = dict(session.execute(select(Invitation.person_id, Invitation.id)
                                   .where(Invitation.wave_id == int(wave_id))).all())
        used = people[(wave_ids == wave_id) & answered]
        receipts = sorted(ids[int(p)] for p in used)
        for part in _chunks(len(receipts)):
            session.execute(_insert(SubmissionReceipt), [{"invitation_id": i} for i in receipts[part]])


def _write_responses(session: Session, frame: pd.DataFrame, survey: Survey, waves: dict[int, Wave],
                     team_ids: np.ndarray, touchpoints, say, label: str) -> int:
    # Stored in the order of the random ids: the order then says nothing about who answered when, and
    # the primary-key indexes grow at the end instead of taking random inserts (several times faster).
    frame = frame.sort_values("response_id", ignore_index=True)
    n = len(frame)
    rid = frame["response_id"].to_numpy()
    wave_id = frame["wave"].map({k: w.id for k, w in waves.items()}).to_numpy()
    team_id = team_ids[frame["team"].to_numpy()]
    days = frame["submitted_on"].to_numpy()
    if touchpoints is None:
        source, tp_id, channel = "invitation", np.full(n, None), np.full(n, None)
    else:
        tp_ids, channels = touchpoints
        row = frame["touchpoint"].to_numpy()
        source, tp_id, channel = "public_link", tp_ids[row].astype(object), channels[row]
    for part in _chunks(n):
        session.execute(_insert(Response), [
            dict(id=int(r), wave_id=int(w), team_id=int(t), touchpoint_id=None if p is None else int(p),
                 source=source, channel=c, submitted_on=d)
            for r, w, t, p, c, d in zip(rid[part], wave_id[part], team_id[part], tp_id[part], channel[part],
                                        days[part])])
        say(f"{label} responses: {part.stop:,} / {n:,}")
    return _write_answers(session, frame, survey, say, label)


def _write_answers(session: Session, frame: pd.DataFrame, survey: Survey, say, label: str) -> int:
    numeric = [q for q in survey.questions if q.scale_min is not None and q.code in frame]
    values = frame[[q.code for q in numeric]].to_numpy(dtype=np.int64).ravel()  # response-major
    rid = np.repeat(frame["response_id"].to_numpy(), len(numeric))
    qids = np.tile([q.id for q in numeric], len(frame))
    lows = np.tile([q.scale_min for q in numeric], len(frame))
    highs = np.tile([q.scale_max for q in numeric], len(frame))
    total = len(values)
    for part in _chunks(total):
        session.execute(_insert(Answer), [
            dict(response_id=r, question_id=q, scale_min=lo, scale_max=hi, value=v, text=None)
            for r, q, lo, hi, v in zip(rid[part].tolist(), qids[part].tolist(), lows[part].tolist(),
                                       highs[part].tolist(), values[part].tolist())])
        say(f"{label} answers: {part.stop:,} / {total:,}")
    comment = next(q for q in survey.questions if q.code == "comment")
    texts = frame.loc[frame["comment"].notna(), ["response_id", "comment"]]
    for part in _chunks(len(texts)):
        session.execute(_insert(Answer), [
            dict(response_id=int(r), question_id=comment.id, scale_min=None, scale_max=None, value=None,
                 text=t) for r, t in texts.iloc[part].itertuples(index=False)])
    return total + len(texts)


def _result(data: DemoData, invitations: int, answers: int, password: str) -> DemoResult:
    org = data.org
    today = demo_today(data.calendar)
    people = org.people
    first_dept = org.teams[org.teams["level"] == "department"].iloc[0]
    in_first = int((org.teams["department"] == first_dept["department"]).sum() - 1)
    logins = (Login(people.at[0, "email"], "hr_admin", "whole organisation, administration"),
              Login(people.at[1, "email"], "executive", "whole organisation, reports"),
              Login(people.at[2, "email"], "team_lead",
                    f"{first_dept['name']} department ({in_first} team{'s' if in_first != 1 else ''})"))
    return DemoResult(
        company=COMPANY_NAME, seed=data.config.seed,
        departments=int((org.teams["level"] == "department").sum()), teams=int(len(org.leaf_teams)),
        employees=int((people["role"] == "employee").sum()), staff=int((people["role"] != "employee").sum()),
        touchpoints=len(org.touchpoints), touchpoint_families=int(org.touchpoints["family"].nunique()),
        wave_labels=tuple(data.calendar["label"]), invitations=invitations,
        employee_responses=len(data.employee), customer_responses=len(data.customer), answers=answers,
        actions=len(data.actions), logins=logins, password=password, goals=len(data.goals),
        worked=tuple(a["title"] for a in data.actions if a["worked"]),
        overdue=sum(a["status"] in ("planned", "in_progress") and a["due_on"] < today for a in data.actions))
