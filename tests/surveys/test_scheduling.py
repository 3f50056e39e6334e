"""Wave lifecycle, the tick steps and invitation claims, tested with a session and no app."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, text

from surveys.errors import Conflict, ValidationError
from surveys.fieldwork import cadence, invitations, scheduling
from surveys.models import AuditEvent, Invitation, SubmissionReceipt, Wave
from surveys.tokens import hash_token

T0 = dt.datetime(2026, 11, 1, 8, 0)


def day(n: int, hour: int = 8) -> dt.datetime:
    return dt.datetime(2026, 11, 1, hour) + dt.timedelta(days=n - 1)


def count_invitations(session, wave) -> int:
    return session.scalar(select(func.count()).select_from(Invitation).where(Invitation.wave_id == wave.id))


def tick_steps(session, now, k=5, kc=10):
    """The scheduling half of `tandem tick` (the mail half needs SMTP: see test_mail.py)."""
    closed = scheduling.close_due(session, now)
    scheduled = cadence.schedule_due(session, now)
    opened, invited = scheduling.open_due(session, now, k, kc)
    scheduled += cadence.schedule_due(session, now)
    return {"closed": closed, "scheduled": scheduled, "opened": opened, "invited": invited}


@pytest.fixture
def org(make):
    """Two sibling teams under a root, a sub-team, and people (one inactive, one without a team)."""
    root = make.team(name="Root")
    sales = make.team(name="Sales", parent=root)
    north = make.team(name="Sales North", parent=sales)
    ops = make.team(name="Ops", parent=root)
    people = {
        "sales": [make.person(team=sales) for _ in range(2)],
        "north": [make.person(team=north) for _ in range(3)],
        "ops": [make.person(team=ops) for _ in range(2)],
        "inactive": make.person(team=sales, active=False),
        "teamless": make.person(team=None),
    }
    return {"root": root, "sales": sales, "north": north, "ops": ops, "people": people}


# --- labels and dates -------------------------------------------------------------------------------

def test_period_labels():
    assert scheduling.period_label("monthly", dt.datetime(2026, 11, 20)) == "2026-11"
    assert scheduling.period_label("quarterly", dt.datetime(2026, 11, 20)) == "2026-Q4"
    assert scheduling.period_label("quarterly", dt.datetime(2027, 1, 1)) == "2027-Q1"
    assert scheduling.period_label("quarterly", dt.datetime(2026, 6, 30)) == "2026-Q2"
    assert scheduling.period_label("always_on", dt.datetime(2026, 2, 3)) == "2026-02"
    assert scheduling.period_label("custom", dt.datetime(2026, 2, 3)) is None


def test_add_months_clamps_to_month_end_and_keeps_anchor_day():
    jan31 = dt.datetime(2026, 1, 31, 9)
    assert scheduling.add_months(jan31, 1) == dt.datetime(2026, 2, 28, 9)
    assert scheduling.add_months(jan31, 2) == dt.datetime(2026, 3, 31, 9)
    assert scheduling.add_months(dt.datetime(2026, 11, 15), 3) == dt.datetime(2027, 2, 15)


# --- guarded transitions ----------------------------------------------------------------------------

def test_open_close_extend_happy_path(db_session, make, org):
    program = make.program(cadence="custom")
    program.teams = [org["sales"]]
    wave = make.wave(program, status="draft", opens_at=T0)
    invited = scheduling.open_wave(db_session, wave.id, T0, None, 7, 12)
    assert invited == 5  # sales (2) + its descendant north (3); not the inactive person, not ops
    assert (wave.status, wave.min_group_size, wave.min_comment_group_size) == ("open", 7, 12)
    assert wave.survey.frozen is True
    scheduling.extend_wave(db_session, wave.id, T0 + dt.timedelta(days=20), day(2), None)
    assert wave.closes_at == T0 + dt.timedelta(days=20)
    scheduling.close_wave(db_session, wave.id, day(3), None)
    assert wave.status == "closed" and wave.closes_at == day(3)
    actions = db_session.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == wave.id,
                                                                 AuditEvent.entity_type == "wave"))
    assert list(actions) == ["wave.open", "wave.extend", "wave.close"]


def test_illegal_transitions_raise_conflict_with_clear_messages(db_session, make):
    draft = make.wave(status="draft", label="2026-11", opens_at=T0)
    with pytest.raises(Conflict, match="2026-11 has not opened yet"):
        scheduling.close_wave(db_session, draft.id, day(2), None)
    with pytest.raises(Conflict, match="which has passed; extend it"):
        scheduling.open_wave(db_session, draft.id, day(30), None, 5, 10)
    scheduling.open_wave(db_session, draft.id, day(2), None, 5, 10)
    with pytest.raises(Conflict, match="already open; only a draft wave can be opened"):
        scheduling.open_wave(db_session, draft.id, day(2), None, 5, 10)
    with pytest.raises(ValidationError, match="must be after the current one") as err:
        scheduling.extend_wave(db_session, draft.id, day(3), day(2), None)
    assert err.value.field == "closes_at"
    scheduling.close_wave(db_session, draft.id, day(3), None)
    with pytest.raises(Conflict, match="already closed"):
        scheduling.close_wave(db_session, draft.id, day(4), None)
    with pytest.raises(Conflict, match="cannot be reopened"):
        scheduling.extend_wave(db_session, draft.id, day(40), day(4), None)
    with pytest.raises(Conflict, match="already closed"):
        scheduling.open_wave(db_session, draft.id, day(4), None, 5, 10)


def test_opening_early_moves_the_window_start(db_session, make):
    wave = make.wave(status="draft", opens_at=day(10))
    scheduling.open_wave(db_session, wave.id, day(2), None, 5, 10)
    assert wave.opens_at == day(2)


def test_duplicate_label_is_a_clear_validation_error(db_session, make):
    program = make.program(cadence="custom")
    make.wave(program, status="draft", label="spring")
    with pytest.raises(ValidationError, match="already has a wave labelled 'spring'") as err:
        scheduling.add_custom_wave(db_session, program.id, "spring", day(5), None, T0)
    assert err.value.field == "label"
    wave = scheduling.add_custom_wave(db_session, program.id, "autumn", day(5), None, T0)
    assert wave.closes_at == day(5) + dt.timedelta(days=program.wave_days)


def test_adding_a_wave_by_hand_is_only_for_custom_programs(db_session, make):
    program = make.program(cadence="monthly")
    with pytest.raises(Conflict, match="Only custom programs"):
        scheduling.add_custom_wave(db_session, program.id, "x", day(5), None, T0)


def test_always_on_waves_cannot_outlive_their_month(db_session, make):
    program = make.program(audience="customer", cadence="always_on")
    wave = make.wave(program, status="open", label="2026-11", opens_at=dt.datetime(2026, 11, 1), days=30)
    with pytest.raises(ValidationError, match="end of November 2026"):
        scheduling.extend_wave(db_session, wave.id, dt.datetime(2026, 12, 5), day(3), None)


@pytest.mark.parametrize("when", [dt.datetime(9999, 12, 31), dt.datetime(1, 1, 1), dt.datetime(2031, 11, 2)])
def test_dates_more_than_five_years_away_are_refused_by_name(db_session, make, when):
    program = make.program(cadence="custom")
    with pytest.raises(ValidationError, match="more than 5 years from today") as err:
        scheduling.add_custom_wave(db_session, program.id, "far", when, None, T0)
    assert err.value.field == "opens_at"
    with pytest.raises(ValidationError, match="more than 5 years") as err:
        scheduling.add_custom_wave(db_session, program.id, "far", day(2), dt.datetime(9999, 12, 31), T0)
    assert err.value.field == "closes_at"
    wave = make.wave(program, status="open", opens_at=T0)
    with pytest.raises(ValidationError, match="more than 5 years") as err:
        scheduling.extend_wave(db_session, wave.id, dt.datetime(9999, 12, 31, 23, 59), day(2), None)
    assert err.value.field == "closes_at"
    # Up to five years ahead is fine.
    assert scheduling.add_custom_wave(db_session, program.id, "late", dt.datetime(2031, 10, 31), None, T0).id


# --- invitations ------------------------------------------------------------------------------------

def test_whole_organisation_when_no_team_is_targeted(db_session, make, org):
    wave = make.wave(make.program(), status="draft", opens_at=T0)
    assert scheduling.open_wave(db_session, wave.id, T0, None, 5, 10) == 7
    person_ids = set(db_session.scalars(select(Invitation.person_id).where(Invitation.wave_id == wave.id)))
    assert org["people"]["inactive"].id not in person_ids and org["people"]["teamless"].id not in person_ids


def test_creating_invitations_twice_adds_no_duplicates(db_session, make, org):
    wave = make.wave(make.program(), status="draft", opens_at=T0)
    scheduling.open_wave(db_session, wave.id, T0, None, 5, 10)
    assert invitations.create_for_wave(db_session, wave) == 0
    assert count_invitations(db_session, wave) == 7


def test_customer_waves_create_no_invitations(db_session, make, org):
    wave = make.wave(make.program(audience="customer", cadence="custom"), status="draft", opens_at=T0)
    assert scheduling.open_wave(db_session, wave.id, T0, None, 5, 10) == 0


def test_invitation_claims_interleaved_only_one_host_wins(db_session, make, org):
    wave = make.wave(make.program(), status="draft", opens_at=T0)
    scheduling.open_wave(db_session, wave.id, T0, None, 5, 10)
    first = invitations.claim_invitations(db_session, T0)
    second = invitations.claim_invitations(db_session, T0)  # a second host running the same step
    assert len(first) == 7 and second == []
    for job in first:
        stored = db_session.scalar(select(Invitation.token_hash).where(Invitation.id == job.invitation_id))
        assert stored == hash_token(job.token) == job.token_hash != job.previous_hash


def test_released_claim_is_retried_with_the_old_hash_restored(db_session, make, org):
    wave = make.wave(make.program(), status="draft", opens_at=T0)
    scheduling.open_wave(db_session, wave.id, T0, None, 5, 10)
    job = invitations.claim_invitations(db_session, T0, limit=1)[0]
    assert invitations.release(db_session, job)
    row = db_session.execute(select(Invitation.sent_at, Invitation.token_hash)
                             .where(Invitation.id == job.invitation_id)).one()
    assert row == (None, job.previous_hash)
    again = invitations.claim_invitations(db_session, T0, limit=1)
    assert again[0].invitation_id == job.invitation_id


def test_reminders_after_n_days_only_to_non_responders_and_only_once(db_session, make, org):
    program = make.program()
    program.reminder_days = 3
    wave = make.wave(program, status="draft", opens_at=T0)
    scheduling.open_wave(db_session, wave.id, T0, None, 5, 10)
    sent = invitations.claim_invitations(db_session, T0)
    db_session.add(SubmissionReceipt(invitation_id=sent[0].invitation_id))
    db_session.flush()
    assert invitations.claim_reminders(db_session, T0 + dt.timedelta(days=3, seconds=-1)) == []
    reminders = invitations.claim_reminders(db_session, T0 + dt.timedelta(days=3))
    assert sorted(j.invitation_id for j in reminders) == sorted(j.invitation_id for j in sent[1:])
    assert all(j.kind == "reminder" for j in reminders)
    assert invitations.claim_reminders(db_session, day(6)) == []  # only once
    for job in reminders:  # the reminder's link replaces the invitation's
        stored = db_session.scalar(select(Invitation.token_hash).where(Invitation.id == job.invitation_id))
        assert stored == hash_token(job.token) and job.previous_hash == next(
            s.token_hash for s in sent if s.invitation_id == job.invitation_id)


def test_no_reminders_when_reminder_days_is_zero_or_wave_closed(db_session, make, org):
    program = make.program()
    program.reminder_days = 0
    wave = make.wave(program, status="draft", opens_at=T0)
    scheduling.open_wave(db_session, wave.id, T0, None, 5, 10)
    invitations.claim_invitations(db_session, T0)
    assert invitations.claim_reminders(db_session, day(8)) == []
    program.reminder_days = 2
    scheduling.close_wave(db_session, wave.id, day(5), None)
    assert invitations.claim_reminders(db_session, day(8)) == []


def test_closing_erases_unsubmitted_drafts(db_session, make, org):
    wave = make.wave(make.program(), status="draft", opens_at=T0)
    scheduling.open_wave(db_session, wave.id, T0, None, 5, 10)
    ids = list(db_session.scalars(select(Invitation.id).where(Invitation.wave_id == wave.id)))
    for inv_id in ids[:3]:
        db_session.get(Invitation, inv_id).draft = {"eng1": 4}
    db_session.flush()
    assert scheduling.close_wave(db_session, wave.id, day(3), None) == 3
    left = db_session.scalar(text("SELECT count(*) FROM invitations WHERE wave_id = :w AND draft IS NOT NULL"),
                             {"w": wave.id})
    assert left == 0


# --- tick steps -------------------------------------------------------------------------------------

def test_tick_steps_are_idempotent(db_session, make, org):
    program = make.program(cadence="monthly")
    make.wave(program, status="draft", label="2026-11", opens_at=T0)
    first = tick_steps(db_session, day(1, 9))
    assert first == {"closed": 0, "scheduled": 1, "opened": 1, "invited": 7}
    state = db_session.execute(select(Wave.label, Wave.status).where(Wave.program_id == program.id)
                               .order_by(Wave.opens_at)).all()
    assert state == [("2026-11", "open"), ("2026-12", "draft")]
    second = tick_steps(db_session, day(1, 9))
    assert second == {"closed": 0, "scheduled": 0, "opened": 0, "invited": 0}
    assert db_session.execute(select(Wave.label, Wave.status).where(Wave.program_id == program.id)
                              .order_by(Wave.opens_at)).all() == state
    assert db_session.scalar(select(func.count()).select_from(Invitation)) == 7


def test_tick_closes_ended_waves_and_opens_the_next(db_session, make, org):
    program = make.program(cadence="monthly")
    make.wave(program, status="draft", label="2026-11", opens_at=T0)
    tick_steps(db_session, day(1, 9))
    result = tick_steps(db_session, dt.datetime(2026, 12, 1, 8, 1))
    assert result == {"closed": 1, "scheduled": 1, "opened": 1, "invited": 7}
    labels = db_session.execute(select(Wave.label, Wave.status).where(Wave.program_id == program.id)
                                .order_by(Wave.opens_at)).all()
    assert labels == [("2026-11", "closed"), ("2026-12", "open"), ("2027-01", "draft")]


def test_quarterly_schedule_labels_and_skips_missed_quarters(db_session, make):
    program = make.program(cadence="quarterly")
    make.wave(program, status="draft", label="2026-Q4", opens_at=dt.datetime(2026, 11, 15))
    tick_steps(db_session, dt.datetime(2026, 11, 15, 1))
    assert db_session.scalar(select(Wave.label).where(Wave.status == "draft",
                                                      Wave.program_id == program.id)) == "2027-Q1"
    # Tick does not run for half a year: the missed quarter is skipped, not opened late.
    tick_steps(db_session, dt.datetime(2027, 6, 1))
    rows = db_session.execute(select(Wave.label, Wave.status, Wave.opens_at).where(Wave.program_id == program.id)
                              .order_by(Wave.opens_at)).all()
    assert [(r[0], r[1]) for r in rows] == [("2026-Q4", "closed"), ("2027-Q1", "draft"), ("2027-Q3", "draft")]
    assert rows[-1][2] == dt.datetime(2027, 8, 15)


def test_always_on_keeps_one_open_wave_per_calendar_month(db_session, make):
    program = make.program(audience="customer", cadence="always_on")
    make.wave(program, status="draft", label="2026-11", opens_at=dt.datetime(2026, 11, 20),
              days=11)  # the first wave runs from its opening date to the end of its month
    tick_steps(db_session, dt.datetime(2026, 11, 20, 0, 1))
    rollover = tick_steps(db_session, dt.datetime(2026, 12, 1, 0, 0, 30))
    assert rollover == {"closed": 1, "scheduled": 1, "opened": 1, "invited": 0}
    rows = db_session.execute(select(Wave.label, Wave.status, Wave.opens_at, Wave.closes_at)
                              .where(Wave.program_id == program.id).order_by(Wave.opens_at)).all()
    assert rows == [("2026-11", "closed", dt.datetime(2026, 11, 20), dt.datetime(2026, 12, 1)),
                    ("2026-12", "open", dt.datetime(2026, 12, 1), dt.datetime(2027, 1, 1))]
    assert tick_steps(db_session, dt.datetime(2026, 12, 15)) == {"closed": 0, "scheduled": 0, "opened": 0,
                                                                 "invited": 0}


def test_inactive_programs_are_paused(db_session, make, org):
    program = make.program(cadence="monthly")
    program.active = False
    make.wave(program, status="draft", label="2026-11", opens_at=T0)
    assert tick_steps(db_session, day(2)) == {"closed": 0, "scheduled": 0, "opened": 0, "invited": 0}


def test_open_due_interleaved_second_host_opens_nothing(db_session, make, org):
    wave = make.wave(make.program(cadence="custom"), status="draft", opens_at=T0)
    assert scheduling.open_due(db_session, day(1, 9), 5, 10) == (1, 7)
    assert scheduling.open_due(db_session, day(1, 9), 5, 10) == (0, 0)
    assert scheduling.close_due(db_session, day(20)) == 1
    assert scheduling.close_due(db_session, day(20)) == 0
    assert count_invitations(db_session, wave) == 7
