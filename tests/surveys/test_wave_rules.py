"""One open wave per program, no extension into the next wave, far dates, and what a close forgets."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from surveys.errors import Conflict, ValidationError
from surveys.fieldwork import cadence, invitations, scheduling
from surveys.models import Invitation, Program, SubmissionReceipt, Survey, Wave

T0 = dt.datetime(2026, 11, 1, 8, 0)


def tick_steps(session, now):
    """The scheduling half of `tandem tick`, in its order."""
    closed = scheduling.close_due(session, now)
    cadence.schedule_due(session, now)
    opened, invited = scheduling.open_due(session, now, 5, 10)
    cadence.schedule_due(session, now)
    return closed, opened, invited


@pytest.fixture
def monthly(make):
    """A monthly program with 27 people: 2026-11 open (1-15 Nov), 2026-12 and 2027-01 drafts."""
    team = make.team()
    for _ in range(27):
        make.person(team=team)
    program = make.program(cadence="monthly")
    waves = {label: make.wave(program, status="draft", label=label, opens_at=opens)
             for label, opens in (("2026-11", T0), ("2026-12", dt.datetime(2026, 12, 1, 8)),
                                  ("2027-01", dt.datetime(2027, 1, 1, 8)))}
    return program, waves


def invitation_count(session, wave) -> int:
    return session.scalar(select(func.count()).select_from(Invitation).where(Invitation.wave_id == wave.id))


def test_opening_a_second_wave_by_hand_is_a_conflict_naming_the_open_one(db_session, monthly):
    _program, waves = monthly
    assert scheduling.open_wave(db_session, waves["2026-11"].id, T0, None, 5, 10) == 27
    with pytest.raises(Conflict, match=r"Wave 2026-11 of program P\d+ is still open \(until 2026-11-15 08:00 UTC\); "
                                       r"a program has one open wave at a time\. Close 2026-11 before opening 2026-12"):
        scheduling.open_wave(db_session, waves["2026-12"].id, T0 + dt.timedelta(days=2), None, 5, 10)
    assert waves["2026-12"].status == "draft" and invitation_count(db_session, waves["2026-12"]) == 0
    # Once the first is closed, the second opens (early) as usual.
    scheduling.close_wave(db_session, waves["2026-11"].id, T0 + dt.timedelta(days=3), None)
    assert scheduling.open_wave(db_session, waves["2026-12"].id, T0 + dt.timedelta(days=3), None, 5, 10) == 27


def test_an_already_open_wave_still_says_so(db_session, monthly):
    _program, waves = monthly
    scheduling.open_wave(db_session, waves["2026-11"].id, T0, None, 5, 10)
    with pytest.raises(Conflict, match="already open; only a draft wave can be opened"):
        scheduling.open_wave(db_session, waves["2026-11"].id, T0, None, 5, 10)


def test_leads_and_other_staff_of_targeted_teams_are_invited(db_session, make):
    team = make.team()
    people = [make.person(team=team, role=role) for role in ("employee", "team_lead", "hr_admin", "executive")]
    program = make.program(cadence="custom")
    program.teams = [team]
    wave = make.wave(program, status="draft", opens_at=T0)
    assert scheduling.open_wave(db_session, wave.id, T0, None, 5, 10) == 4
    invited = set(db_session.scalars(select(Invitation.person_id).where(Invitation.wave_id == wave.id)))
    assert invited == {p.id for p in people}


def test_tick_skips_a_wave_whose_program_still_has_one_open(db_session, make):
    program = make.program(cadence="custom")
    first = make.wave(program, status="open", label="first", opens_at=T0, days=20)
    # Overlapping windows predate the overlap check (or were written by hand): tick must not crash.
    second = make.wave(program, status="draft", label="second", opens_at=T0 + dt.timedelta(days=10))
    assert tick_steps(db_session, T0 + dt.timedelta(days=10, hours=1)) == (0, 0, 0)
    assert second.status == "draft"
    # When the first closes, the same tick opens the second.
    assert tick_steps(db_session, T0 + dt.timedelta(days=20, hours=1)) == (1, 1, 0)
    assert (first.status, second.status) == ("closed", "open")


def test_tick_normal_path_closes_then_opens(db_session, monthly):
    _program, waves = monthly
    assert tick_steps(db_session, T0)[1:] == (1, 27)
    # 2026-11 closes on the 15th; 2026-12 opens on 1 December, with nothing refused on the way.
    assert tick_steps(db_session, dt.datetime(2026, 12, 1, 8, 1)) == (1, 1, 27)
    assert [w.status for w in waves.values()] == ["closed", "open", "draft"]


def test_extending_past_the_next_wave_names_it(db_session, monthly):
    _program, waves = monthly
    scheduling.open_wave(db_session, waves["2026-11"].id, T0, None, 5, 10)
    with pytest.raises(ValidationError, match=r"Wave 2026-11 cannot close after the program's next wave 2026-12 "
                                              r"opens \(2026-12-01 08:00 UTC\)") as err:
        scheduling.extend_wave(db_session, waves["2026-11"].id, dt.datetime(2027, 2, 10), T0, None)
    assert err.value.field == "closes_at" and waves["2026-11"].closes_at == T0 + dt.timedelta(days=14)
    # Up to the next opening is fine: tick closes it before opening the next.
    scheduling.extend_wave(db_session, waves["2026-11"].id, dt.datetime(2026, 12, 1, 8), T0, None)
    # A draft cannot be stretched into its successor either; the last wave has no limit but the date range.
    with pytest.raises(ValidationError, match="next wave 2027-01 opens"):
        scheduling.extend_wave(db_session, waves["2026-12"].id, dt.datetime(2027, 1, 2), T0, None)
    scheduling.extend_wave(db_session, waves["2027-01"].id, dt.datetime(2027, 3, 1), T0, None)


def test_an_added_wave_may_not_overlap_another(db_session, make):
    program = make.program(cadence="custom")
    make.wave(program, status="open", label="spring", opens_at=T0, days=14)
    with pytest.raises(ValidationError, match=r"overlap wave spring \(2026-11-01 08:00 UTC to 2026-11-15 08:00 UTC\)") \
            as err:
        scheduling.add_custom_wave(db_session, program.id, "clash", T0 + dt.timedelta(days=7), None, T0)
    assert err.value.field == "opens_at"
    assert scheduling.add_custom_wave(db_session, program.id, "after", T0 + dt.timedelta(days=14), None, T0).id


@pytest.mark.parametrize("when", [dt.datetime(9999, 12, 31, 12), dt.datetime(1, 1, 1)])
def test_add_months_saturates_instead_of_raising(when):
    assert scheduling.add_months(when, 60) <= dt.datetime.max
    assert scheduling.add_months(when, -60) >= dt.datetime.min
    assert scheduling.add_months(dt.datetime(9999, 12, 31), 1) == dt.datetime.max
    assert scheduling.add_months(dt.datetime(1, 1, 1), -1) == dt.datetime.min
    with pytest.raises(ValidationError, match="more than 5 years from today"):
        scheduling.check_date(dt.datetime(2026, 1, 1), when, "closes_at")


def test_closing_forgets_when_people_were_reminded(db_session, make):
    team = make.team()
    program = make.program(cadence="custom")
    program.reminder_days = 3
    wave = make.wave(program, status="draft", opens_at=T0)
    people = [make.person(team=team) for _ in range(6)]
    scheduling.open_wave(db_session, wave.id, T0, None, 5, 10)
    invitations.claim_invitations(db_session, T0)
    early = db_session.scalar(select(Invitation.id).where(Invitation.person_id == people[0].id))
    db_session.add(SubmissionReceipt(invitation_id=early))  # answered before the reminder day
    db_session.flush()
    assert len(invitations.claim_reminders(db_session, T0 + dt.timedelta(days=3))) == 5
    scheduling.close_wave(db_session, wave.id, T0 + dt.timedelta(days=5), None)
    # "Used but never reminded" would date the early answer; after the close nobody was reminded.
    stamps = db_session.execute(select(Invitation.reminded_at, Invitation.sent_at)
                                .where(Invitation.wave_id == wave.id)).all()
    assert {r for r, _s in stamps} == {None} and all(s == T0 for _r, s in stamps)
    assert db_session.get(Wave, wave.id).status == "closed"


@pytest.fixture
def committed_drafts(engine):
    """A committed custom program with two draft waves (PostgreSQL lock tests need two real sessions)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks: SQLite serialises writers with BEGIN IMMEDIATE instead")
    now = dt.datetime(2026, 11, 1)
    with Session(engine, expire_on_commit=False) as s:
        survey = Survey(code="ONEOPEN-S", title="One open", audience="employee", status="active")
        program = Program(code="ONEOPEN-P", name="One open", survey=survey, audience="employee", cadence="custom")
        waves = [Wave(program=program, survey=survey, label=label, opens_at=now + dt.timedelta(days=d),
                      closes_at=now + dt.timedelta(days=d + 10), status="draft") for label, d in (("a", 0), ("b", 20))]
        s.add_all([survey, program, *waves])
        s.commit()
        ids = [w.id for w in waves]
    yield ids
    with Session(engine) as s:
        # Audit events stay: the trail is append-only (triggers refuse DELETE).
        s.execute(delete(Program).where(Program.code == "ONEOPEN-P"))
        s.execute(delete(Survey).where(Survey.code == "ONEOPEN-S"))
        s.commit()


def test_postgresql_two_opens_of_one_program_take_turns(engine, committed_drafts):
    first_id, second_id = committed_drafts
    now = dt.datetime(2026, 11, 1, 1)
    outcome: list = []
    with Session(engine) as admin:
        scheduling.open_wave(admin, first_id, now, None, 5, 10)  # holds the program row until commit

        def open_second():
            with Session(engine) as other:
                other.execute(text("SET lock_timeout = '10s'"))
                try:
                    scheduling.open_wave(other, second_id, now, None, 5, 10)
                    other.commit()
                    outcome.append("opened")
                except Conflict as exc:
                    outcome.append(exc)

        worker = threading.Thread(target=open_second)
        worker.start()
        worker.join(0.5)
        assert worker.is_alive(), "the second open must wait for the first, not both see no open wave"
        admin.commit()
        worker.join(15)
    assert len(outcome) == 1 and isinstance(outcome[0], Conflict) and "Wave a of program ONEOPEN-P" in str(outcome[0])
    with Session(engine) as check:
        assert check.scalars(select(Wave.status).where(Wave.id.in_([first_id, second_id])).order_by(Wave.id)).all() \
            == ["open", "draft"]
