"""Answering through an invitation: paging, drafts, validation and the single anonymous submission."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError

from surveys.collection import opening, paging, queue, submission
from surveys.errors import AlreadySubmitted, Conflict, NotFound, ValidationError
from surveys.models import Answer, Invitation, PendingSubmission, Response, SubmissionReceipt, utcnow
from tests.conftest import TEST_QUEUE_KEY
from tests.factories import DRAFT_KEY as KEY

NOW = utcnow()
LONG = [{"code": f"e{i}", "qtype": "likert5", "dimension": "engagement"} for i in range(5)] + \
       [{"code": f"c{i}", "qtype": "likert5", "dimension": "culture"} for i in range(2)] + [
    {"code": "enps", "qtype": "scale0_10", "dimension": "enps"},
    {"code": "role", "qtype": "single_choice", "choices": ["Office", "Field", "Remote"], "dimension": "other"},
    {"code": "tools", "qtype": "multi_choice", "choices": ["Mail", "Chat", "Wiki"], "dimension": "other",
     "required": False},
    {"code": "comment", "qtype": "text", "dimension": "comment", "required": False},
]


@pytest.fixture
def open_wave(make):
    def _wave(questions=None, audience="employee", **kwargs):
        program = make.program(survey=make.survey(audience=audience, questions=questions or LONG))
        return make.wave(program=program, opens_at=NOW - dt.timedelta(days=1), **kwargs)
    return _wave


@pytest.fixture
def invitation(make, open_wave):
    team = make.team()
    inv, _token = make.invitation(wave=open_wave(), person=make.person(team=team))
    return inv


PAGE1 = {f"e{i}": [str(i + 1)] for i in range(5)}
PAGE2 = {**{f"c{i}": ["4"] for i in range(2)}, "enps": ["9"], "role": ["1"], "tools": ["Chat", "Mail"],
         "comment": ["  Good place  "]}


def _answer_all(db_session, inv):
    submission.start(db_session, inv.id, NOW, key=KEY)
    assert submission.record_page(db_session, inv.id, 0, PAGE1, "next", NOW, key=KEY).page == 1
    return submission.record_page(db_session, inv.id, 1, PAGE2, "submit", NOW, key=KEY)


def test_paginate_keeps_dimensions_together_and_packs_short_runs(make):
    survey = make.survey(questions=LONG)
    pages = paging.paginate(survey.questions)
    assert [[q.code for q in page] for page in pages] == [
        ["e0", "e1", "e2", "e3", "e4"], ["c0", "c1", "enps", "role", "tools", "comment"]]
    many = make.survey(questions=[{"code": f"q{i}", "qtype": "likert5", "dimension": "people"}
                                  for i in range(8)])
    assert [len(p) for p in paging.paginate(many.questions)] == [6, 2]


def test_draft_saves_page_and_resumes(db_session, invitation):
    submission.start(db_session, invitation.id, NOW, key=KEY)
    assert submission.draft_of(invitation, KEY) == (0, {})
    outcome = submission.record_page(db_session, invitation.id, 0, PAGE1, "next", NOW, key=KEY)
    assert outcome == submission.PageOutcome(page=1)
    db_session.expire_all()
    page, answers = submission.draft_of(db_session.get(Invitation, invitation.id), KEY)
    assert page == 1 and answers == {"e0": "1", "e1": "2", "e2": "3", "e3": "4", "e4": "5"}


def test_back_saves_without_requiring_answers(db_session, invitation):
    submission.start(db_session, invitation.id, NOW, key=KEY)
    submission.record_page(db_session, invitation.id, 0, PAGE1, "next", NOW, key=KEY)
    outcome = submission.record_page(db_session, invitation.id, 1, {"c0": ["5"]}, "back", NOW, key=KEY)
    assert outcome.page == 0 and not outcome.errors
    assert submission.draft_of(invitation, KEY) == (0, {**{k: v[0] for k, v in PAGE1.items()}, "c0": "5"})


def test_next_requires_answers_but_keeps_the_valid_ones(db_session, invitation):
    submission.start(db_session, invitation.id, NOW, key=KEY)
    outcome = submission.record_page(db_session, invitation.id, 0, {"e0": ["2"], "e1": [""]}, "next", NOW, key=KEY)
    assert outcome.page == 0
    assert set(outcome.errors) == {"e1", "e2", "e3", "e4"}
    assert outcome.errors["e1"] == "This question needs an answer."
    assert submission.draft_of(invitation, KEY) == (0, {"e0": "2"})


@pytest.mark.parametrize("posted, field, message", [
    ({"e0": ["9"]}, "e0", "9 is outside the allowed range 1–5."),
    ({"e0": ["abc"]}, "e0", "'abc' is not a whole number."),
    ({"e0": ["1", "2"]}, "e0", "Please give only one answer to this question."),
    ({"nope": ["1"]}, None, "'nope', which is not a question on this page"),
    ({"c0": ["1"]}, None, "'c0', which is not a question on this page"),
])
def test_forged_values_are_errors_even_when_going_back(db_session, invitation, posted, field, message):
    submission.start(db_session, invitation.id, NOW, key=KEY)
    outcome = submission.record_page(db_session, invitation.id, 0, posted, "back", NOW, key=KEY)
    assert message in outcome.errors[field]
    assert submission.draft_of(invitation, KEY) == (0, {})


def test_submit_creates_one_anonymous_response_and_erases_the_draft(db_session, make, invitation):
    team_id = invitation.person.team_id
    outcome = _answer_all(db_session, invitation)
    assert outcome.submitted
    assert _count(db_session, invitation) == 0  # held in the submission queue until its team's batch
    make.peers(invitation.wave, invitation.person.team, 4)  # four colleagues answered too: a batch of k
    assert queue.release(db_session, invitation.wave_id) == 5
    response = next(r for r in db_session.scalars(select(Response).where(Response.wave_id == invitation.wave_id))
                    if r.answers)
    assert (response.team_id, response.touchpoint_id, response.source, response.channel) == \
        (team_id, None, "invitation", None)
    assert response.submitted_on == NOW.date()
    by_code = {a.question_id: a for a in response.answers}
    questions = {q.code: q for q in invitation.wave.survey.questions}
    assert by_code[questions["e3"].id].value == 4
    assert (by_code[questions["e3"].id].scale_min, by_code[questions["e3"].id].scale_max) == (1, 5)
    assert by_code[questions["role"].id].value == 1
    assert by_code[questions["tools"].id].text == '["Mail", "Chat"]'
    assert by_code[questions["comment"].id].text == "Good place"
    assert len(response.answers) == len(LONG)
    assert invitation.draft is None and db_session.get(SubmissionReceipt, invitation.id) is not None


def test_response_rows_cannot_lead_back_to_a_person():
    columns = {c.key for c in inspect(Response).columns}
    assert columns == {"id", "wave_id", "team_id", "touchpoint_id", "source", "channel", "submitted_on"}
    assert {c.key for c in inspect(SubmissionReceipt).columns} == {"invitation_id", "released"}


def test_second_submission_is_refused_and_changes_nothing(db_session, make, invitation):
    _answer_all(db_session, invitation)
    with pytest.raises(AlreadySubmitted):
        submission.submit_invitation(db_session, invitation.id, NOW.date(), now=NOW, key=KEY)
    with pytest.raises(AlreadySubmitted):
        submission.record_page(db_session, invitation.id, 1, PAGE2, "submit", NOW, key=KEY)
    make.peers(invitation.wave, invitation.person.team, 4)
    queue.release(db_session, invitation.wave_id, everything=True)
    count = _count(db_session, invitation) - 4
    assert count == 1


def test_receipt_primary_key_stops_a_concurrent_second_submission(db_session, invitation):
    submission.start(db_session, invitation.id, NOW, key=KEY)
    submission.record_page(db_session, invitation.id, 0, PAGE1, "next", NOW, key=KEY)
    submission.record_page(db_session, invitation.id, 1, PAGE2, "save", NOW, key=KEY)
    # Another request already wrote the receipt while this one was paging.
    db_session.add(SubmissionReceipt(invitation_id=invitation.id))
    db_session.flush()
    with pytest.raises(AlreadySubmitted):
        submission.submit_invitation(db_session, invitation.id, NOW.date(), now=NOW, key=KEY)
    assert db_session.scalar(select(func.count()).select_from(Response).where(
        Response.wave_id == invitation.wave_id)) == 0


def test_database_refuses_a_duplicate_receipt(db_session, invitation):
    db_session.add(SubmissionReceipt(invitation_id=invitation.id))
    db_session.flush()
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.add(SubmissionReceipt(invitation_id=invitation.id))


def test_database_checks_answer_ranges(db_session, invitation):
    question = invitation.wave.survey.questions[0]
    with pytest.raises(ValidationError):
        from surveys.instruments.question_types import parse_answer
        parse_answer(question, "9")
    response = Response(wave_id=invitation.wave_id, team_id=invitation.person.team_id, source="invitation",
                        submitted_on=NOW.date())
    db_session.add(response)
    db_session.flush()
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.add(Answer(response_id=response.id, question_id=question.id, scale_min=1, scale_max=5,
                              value=9))
    # Copying wrong bounds does not help: they must match the question's own.
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.add(Answer(response_id=response.id, question_id=question.id, scale_min=1, scale_max=10,
                              value=9))


def test_submit_revalidates_every_page(db_session, invitation):
    submission.start(db_session, invitation.id, NOW, key=KEY)
    submission.record_page(db_session, invitation.id, 0, {"e0": ["1"]}, "save", NOW, key=KEY)
    submission.save_draft(invitation, KEY, 1, {"e0": "1"})
    db_session.flush()
    outcome = submission.record_page(db_session, invitation.id, 1, PAGE2, "submit", NOW, key=KEY)
    assert not outcome.submitted and outcome.page == 0 and set(outcome.errors) == {"e1", "e2", "e3", "e4"}
    assert db_session.get(SubmissionReceipt, invitation.id) is None
    # The answers given on the last page were kept.
    assert submission.draft_of(invitation, KEY)[1]["enps"] == "9"


def test_closed_wave_refuses_and_stores_nothing(db_session, invitation):
    submission.start(db_session, invitation.id, NOW, key=KEY)
    submission.record_page(db_session, invitation.id, 0, PAGE1, "next", NOW, key=KEY)
    submission.record_page(db_session, invitation.id, 1, PAGE2, "save", NOW, key=KEY)
    invitation.wave.status = "closed"
    db_session.flush()
    with pytest.raises(opening.WaveNotOpen, match="closed early"):
        submission.submit_invitation(db_session, invitation.id, NOW.date(), now=NOW, key=KEY)
    late = invitation.wave.closes_at + dt.timedelta(minutes=1)
    invitation.wave.status = "open"
    with pytest.raises(opening.WaveNotOpen, match="closed on"):
        submission.submit_invitation(db_session, invitation.id, late.date(), now=late, key=KEY)
    assert db_session.get(SubmissionReceipt, invitation.id) is None


def test_wave_not_yet_open_names_the_day(db_session, make, open_wave):
    wave = open_wave(status="draft")
    wave.opens_at = dt.datetime(2031, 3, 5, 9, 0)
    wave.closes_at = dt.datetime(2031, 3, 19, 9, 0)
    inv, _ = make.invitation(wave=wave, person=make.person(team=make.team()))
    with pytest.raises(opening.WaveNotOpen, match="opens on 5 March 2031 at 09:00 UTC"):
        opening.open_invitation(db_session, inv.id, NOW)


def test_person_without_team_is_told_to_contact_hr(db_session, make, open_wave):
    inv, _ = make.invitation(wave=open_wave(), person=make.person(team=None))
    with pytest.raises(Conflict, match="contact HR"):
        submission.start(db_session, inv.id, NOW, key=KEY)


def test_team_is_the_unit_fixed_when_the_wave_opened(db_session, make, invitation):
    first_team = invitation.person.team_id
    _answer_all(db_session, invitation)
    make.peers(invitation.wave, invitation.person.team, 4)
    invitation.person.team = make.team()  # a move before the batch is released changes nothing
    db_session.flush()
    queue.release(db_session, invitation.wave_id, everything=True)
    response = db_session.scalar(select(Response).where(Response.wave_id == invitation.wave_id).limit(1))
    assert response.team_id == first_team


def test_find_invitation_by_token(db_session, make, open_wave):
    inv, token = make.invitation(wave=open_wave(), person=make.person(team=make.team()))
    assert opening.find_invitation(db_session, token, kind="employee") is inv
    for bad, kind in ((token + "x", "employee"), ("", "employee"), (token, "contact")):
        with pytest.raises(NotFound, match="This link is not valid"):
            opening.find_invitation(db_session, bad, kind=kind)


def test_unknown_action_and_page_are_refused(db_session, invitation):
    submission.start(db_session, invitation.id, NOW, key=KEY)
    with pytest.raises(ValidationError, match="Unknown form action"):
        submission.record_page(db_session, invitation.id, 0, {}, "delete", NOW, key=KEY)
    with pytest.raises(ValidationError, match="page does not exist"):
        submission.record_page(db_session, invitation.id, 7, {}, "next", NOW, key=KEY)
    with pytest.raises(ValidationError, match="remaining pages"):
        submission.record_page(db_session, invitation.id, 0, PAGE1, "submit", NOW, key=KEY)


def test_two_racing_submissions_store_one_response(engine):
    """Two requests submit the same invitation at once on real connections: one wins, one is refused."""
    import threading

    from sqlalchemy import delete
    from sqlalchemy.orm import Session

    from surveys.models import Person, Program, Survey, Team, Wave
    from tests.factories import Factories

    with Session(engine) as setup:
        make = Factories(setup)
        program = make.program(survey=make.survey(questions=LONG[:2]))
        wave = make.wave(program=program, opens_at=NOW - dt.timedelta(days=1))
        inv, _token = make.invitation(wave=wave, person=make.person(team=make.team()))
        submission.save_draft(inv, KEY, 0, {"e0": "3", "e1": "4"})
        setup.commit()
        ids = (inv.id, wave.id, program.id, program.survey_id, inv.person_id, inv.person.team_id)
    barrier, outcomes = threading.Barrier(2), []

    def submit():
        with Session(engine) as session:
            barrier.wait()
            try:
                session.info["queue_key"] = TEST_QUEUE_KEY
                submission.submit_invitation(session, ids[0], NOW.date(), now=NOW, key=KEY)
                session.commit()
                outcomes.append("stored")
            except AlreadySubmitted:
                session.rollback()
                outcomes.append("refused")

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    try:
        assert sorted(outcomes) == ["refused", "stored"]
        with Session(engine) as check:
            check.info["queue_key"] = TEST_QUEUE_KEY
            assert check.scalar(select(func.count()).select_from(PendingSubmission)
                                .where(PendingSubmission.wave_id == ids[1])) == 1  # one answer set queued
    finally:
        with Session(engine) as cleanup:
            cleanup.execute(delete(Response).where(Response.wave_id == ids[1]))
            cleanup.execute(delete(PendingSubmission).where(PendingSubmission.wave_id == ids[1]))
            cleanup.execute(delete(Wave).where(Wave.id == ids[1]))
            cleanup.execute(delete(Program).where(Program.id == ids[2]))
            cleanup.execute(delete(Survey).where(Survey.id == ids[3]))
            cleanup.execute(delete(Person).where(Person.id == ids[4]))
            cleanup.execute(delete(Team).where(Team.id == ids[5]))
            cleanup.commit()


def _count(db_session, invitation) -> int:
    return db_session.scalar(select(func.count()).select_from(Response).where(Response.wave_id == invitation.wave_id))
