"""The participation rollup kept at write time equals a recount of invitations and receipts after every path."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import case, delete, func, select, update

from surveys import rollups
from surveys.collection import queue, submission
from surveys.fieldwork import invitations, scheduling
from surveys.insights import participation
from surveys.models import Invitation, RollupParticipation, SubmissionReceipt, Team, utcnow
from surveys.org import personal_data
from surveys.tokens import new_token

from ..factories import DRAFT_KEY

NOW = utcnow()
SECRET = "test-secret-key-0123456789"
QUESTIONS = [{"code": "e1", "qtype": "likert5", "dimension": "engagement"}]


def recount(db_session, wave_id: int) -> dict[str, tuple[int, int]]:
    """Invited and released receipts per unit counted from the raw tables: the definition before the rollup."""
    rows = db_session.execute(
        select(Team.name, func.count(Invitation.id), func.count(case((SubmissionReceipt.released, 1))))
        .select_from(Invitation)
        .outerjoin(Team, Team.id == Invitation.unit_team_id)
        .outerjoin(SubmissionReceipt, SubmissionReceipt.invitation_id == Invitation.id)
        .where(Invitation.wave_id == wave_id, Invitation.person_id.is_not(None))
        .group_by(Invitation.unit_team_id, Team.name)).all()
    return {name or "(no team)": (int(i), int(r)) for name, i, r in rows}


def from_rollup(db_session, wave_id: int) -> dict[str, tuple[int, int]]:
    return {c.team: (c.invited, c.responded) for c in participation.team_counts(db_session, [wave_id])}


def answer(db_session, invitation_id: int) -> None:
    submission.start(db_session, invitation_id, NOW, key=DRAFT_KEY)
    assert submission.record_page(db_session, invitation_id, 0, {"e1": "4"}, "submit", NOW,
                                  key=DRAFT_KEY).submitted


@pytest.fixture
def opened(db_session, make):
    """A wave opened the real way (bulk invitations, frozen units): Big has 6 people; Small's 2 are pooled
    with the 3 of their parent Dept."""
    dept = make.team(name="Dept")
    big, small = make.team(name="Big", parent=dept), make.team(name="Small", parent=dept)
    people = {"big": [make.person(team=big) for _ in range(6)], "small": [make.person(team=small) for _ in range(2)],
              "dept": [make.person(team=dept) for _ in range(3)]}
    program = make.program(survey=make.survey(questions=QUESTIONS), cadence="custom")
    wave = make.wave(program, status="draft", opens_at=NOW - dt.timedelta(days=1))
    assert scheduling.open_wave(db_session, wave.id, NOW - dt.timedelta(days=1), None, 5, 5) == 11
    return wave, people, {"dept": dept, "big": big, "small": small}


def invitation_of(db_session, wave, person) -> Invitation:
    return db_session.scalar(select(Invitation).where(Invitation.wave_id == wave.id, Invitation.person_id == person.id))


def test_the_rollup_equals_a_recount_after_a_mixed_scenario(db_session, make, opened):
    wave, people, teams = opened
    assert from_rollup(db_session, wave.id) == recount(db_session, wave.id) == {"Big": (6, 0), "Dept": (5, 0)}
    # Someone joins Big: inviting again adds only them (the others are skipped as already invited).
    newcomer = make.person(team=teams["big"])
    assert invitations.create_for_wave(db_session, wave) == 1
    # Five of Big answer: held in the queue (receipts not released), then released as one batch.
    for person in people["big"][:5]:
        answer(db_session, invitation_of(db_session, wave, person).id)
    assert from_rollup(db_session, wave.id)["Big"] == (7, 0)
    assert queue.release(db_session, wave.id) == 5
    # One of Small answers (its unit is Dept): held, not counted.
    answer(db_session, invitation_of(db_session, wave, people["small"][0]).id)
    # Through the ORM: an invitation with no unit and a released receipt, a customer contact link
    # (never a participation figure), a unit corrected by hand, a receipt released by hand.
    loner, _token = make.invitation(wave, make.person(team=None))
    db_session.add(SubmissionReceipt(invitation_id=loner.id))
    contact = Invitation(wave=wave, touchpoint=make.touchpoint(), token_hash=new_token()[1])
    db_session.add(contact)
    db_session.flush()
    db_session.add(SubmissionReceipt(invitation_id=contact.id))
    moved = invitation_of(db_session, wave, newcomer)
    moved.unit_team_id = teams["small"].id
    held = db_session.get(SubmissionReceipt, invitation_of(db_session, wave, people["small"][0]).id)
    held.released = True
    db_session.flush()
    assert from_rollup(db_session, wave.id) == recount(db_session, wave.id) == {
        "Big": (6, 5), "Dept": (5, 1), "Small": (1, 0), "(no team)": (1, 1)}
    # Erasure: one who answered (released), and the loner (their unit empties and disappears).
    personal_data.erase_person(db_session, people["big"][0].email, SECRET)
    personal_data.erase_person(db_session, loner.person.email, SECRET)
    # An ORM delete of an invitation with a receipt.
    db_session.delete(db_session.get(Invitation, invitation_of(db_session, wave, people["big"][1]).id))
    db_session.flush()
    expected = {"Big": (4, 3), "Dept": (5, 1), "Small": (1, 0)}
    assert from_rollup(db_session, wave.id) == recount(db_session, wave.id) == expected
    assert rollups.verify(db_session) is None
    # The wave closes: the rest is released or stays sealed, and the rollup follows.
    scheduling.close_wave(db_session, wave.id, NOW, None)
    assert from_rollup(db_session, wave.id) == recount(db_session, wave.id)
    assert rollups.verify(db_session) is None


def test_wave_counts_read_the_rollup_only(db_session, make, opened):
    wave, people, _teams = opened
    for person in people["big"][:5]:
        answer(db_session, invitation_of(db_session, wave, person).id)
    queue.release(db_session, wave.id)
    assert participation.wave_counts(db_session, [wave])[wave.id] == participation.WaveCount(11, 5, 0, 5)
    # The raw rows are not read: changing the rollup alone changes the figure.
    db_session.execute(update(RollupParticipation).where(RollupParticipation.wave_id == wave.id)
                       .values(invited=RollupParticipation.invited + 1))
    assert participation.wave_counts(db_session, [wave])[wave.id].invited == 13  # two units, +1 each


def test_verify_detects_tampering_and_rebuild_repairs_it(db_session, make, opened):
    wave, people, teams = opened
    for person in people["big"][:5]:
        answer(db_session, invitation_of(db_session, wave, person).id)
    queue.release(db_session, wave.id)
    assert rollups.verify(db_session) is None
    db_session.execute(update(RollupParticipation).where(RollupParticipation.team_id == teams["big"].id)
                       .values(responded=RollupParticipation.responded + 1))
    difference = rollups.verify(db_session)
    assert (difference.table, difference.column, difference.rollup, difference.raw) == (
        "rollup_participation", "responded", 6, 5)
    assert difference.key == {"wave_id": wave.id, "team_id": teams["big"].id}
    rollups.rebuild(db_session)
    assert rollups.verify(db_session) is None
    db_session.execute(delete(RollupParticipation).where(RollupParticipation.team_id == teams["dept"].id))
    missing = rollups.verify(db_session)
    assert (missing.table, missing.column, missing.rollup, missing.raw) == ("rollup_participation", "invited",
                                                                          None, 5)
    # A raw change made behind the rollup's back (here: a receipt deleted in bulk) is found too.
    rollups.rebuild(db_session)
    db_session.execute(delete(SubmissionReceipt).where(SubmissionReceipt.invitation_id == invitation_of(
        db_session, wave, people["big"][0]).id))
    assert rollups.verify(db_session).column == "responded"
