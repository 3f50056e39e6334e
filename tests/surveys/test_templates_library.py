"""Built-in instruments: the catalogue's contents and `install`."""
from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from surveys.errors import Conflict, NotFound, ValidationError
from surveys.instruments import question_types
from surveys.instruments.library import BUILTIN, install
from surveys.models import Answer, AuditEvent, Question, Response, Survey


def test_catalogue_lists_both_instruments():
    assert list(BUILTIN) == ["engagement", "cx"]
    assert BUILTIN["engagement"].title == "Employee engagement & culture"
    assert BUILTIN["engagement"].audience == "employee"
    assert BUILTIN["cx"].title == "Customer experience"
    assert BUILTIN["cx"].audience == "customer"


def test_engagement_instrument_has_the_documented_dimensions():
    spec = BUILTIN["engagement"]
    sizes = {d: len(spec.codes(d)) for d in spec.dimensions()}
    assert 3 <= sizes.pop("engagement") <= 4
    assert sizes == {"culture": 3, "people": 3, "process": 3, "technology": 3, "enps": 1, "comment": 1}
    likert = [q for q in spec.questions if q.dimension not in ("enps", "comment")]
    assert all(q.qtype == "likert5" and q.required for q in likert)
    reverse = [q for q in spec.questions if q.reverse_keyed]
    assert [(q.dimension, "rules" in q.text) for q in reverse] == [("process", True)]
    by_code = {q.code: q for q in spec.questions}
    assert by_code["enps"].qtype == "scale0_10" and "place to work" in by_code["enps"].text
    assert by_code["comment"].qtype == "text" and not by_code["comment"].required


def test_cx_instrument_keeps_the_codes_the_feedback_import_relies_on():
    questions = {q.code: q for q in BUILTIN["cx"].questions}
    assert [q.code for q in BUILTIN["cx"].questions] == ["csat", "nps", "ces", "comment"]
    assert (questions["csat"].qtype, questions["csat"].dimension) == ("likert5", "csat")
    assert (questions["nps"].qtype, questions["nps"].dimension) == ("scale0_10", "nps")
    assert (questions["ces"].qtype, questions["ces"].dimension) == ("likert7", "ces")
    assert "easy" in questions["ces"].text
    assert questions["comment"].qtype == "text" and not questions["comment"].required


def test_specs_are_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        BUILTIN["cx"].title = "Changed"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        BUILTIN["cx"].questions[0].text = "Changed"  # type: ignore[misc]


@pytest.mark.parametrize("code", ["engagement", "cx"])
def test_install_creates_the_survey_with_ordered_questions_and_bounds(db_session, code):
    survey = install(db_session, code)
    spec = BUILTIN[code]
    stored = db_session.get(Survey, survey.id)
    assert (stored.code, stored.title, stored.audience, stored.version, stored.status) == (
        code, spec.title, spec.audience, 1, "active")
    assert [q.code for q in stored.questions] == [q.code for q in spec.questions]
    assert [q.position for q in stored.questions] == list(range(len(spec.questions)))
    for question, q_spec in zip(stored.questions, spec.questions):
        assert (question.scale_min, question.scale_max) == question_types.bounds_for(q_spec.qtype)
        assert (question.dimension, question.reverse_keyed, question.required) == (
            q_spec.dimension, q_spec.reverse_keyed, q_spec.required)
    no_choices = db_session.scalars(select(Question.code).where(Question.survey_id == survey.id,
                                                               Question.choices.is_(None))).all()
    # SQL NULL, not the JSON value null, wherever a question has no choices or point labels
    assert sorted(no_choices) == sorted(q.code for q in spec.questions if not q.choices)
    labelled = {q.code: list(q.choices) for q in stored.questions if q.choices}
    assert labelled == {q.code: list(q.choices) for q in spec.questions if q.choices}
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "survey.install"))
    assert event.entity_id == survey.id and event.detail == {"template": code, "version": 1}


def test_install_fills_in_the_company_name_only_when_given(db_session):
    by_code = {q.code: q.text for q in install(db_session, "cx", company="Acme Bikes").questions}
    assert by_code["ces"] == "Acme Bikes made it easy to handle my request."
    assert by_code["nps"] == "How likely are you to recommend Acme Bikes to a friend or colleague?"
    generic = {q.code: q.text for q in install(db_session, "cx", version=2).questions}
    assert generic == {q.code: q.text for q in BUILTIN["cx"].questions}
    assert generic["ces"] == "The company made it easy to handle my request."
    assert all("{" not in q.text for spec in BUILTIN.values() for q in spec.questions)


def test_install_accepts_version_and_status(db_session):
    install(db_session, "cx")
    draft = install(db_session, "cx", version=2, status="draft")
    assert (draft.version, draft.status) == (2, "draft")


def test_install_refuses_unknown_code_duplicate_version_and_bad_input(db_session):
    with pytest.raises(NotFound, match="no built-in instrument 'pulse'.*engagement, cx"):
        install(db_session, "pulse")
    install(db_session, "engagement")
    with pytest.raises(Conflict, match="version 1 already exists"):
        install(db_session, "engagement")
    with pytest.raises(ValidationError, match="Status must be one of") as err:
        install(db_session, "engagement", version=3, status="live")
    assert err.value.field == "status"
    with pytest.raises(ValidationError, match="at least 1"):
        install(db_session, "engagement", version=0)


def test_installed_questions_accept_answers_in_range(db_session, make):
    survey = install(db_session, "cx")
    program = make.program(survey=survey, audience="customer", cadence="always_on")
    wave = make.wave(program=program)
    team = make.team()
    response = Response(wave_id=wave.id, team_id=team.id, source="public_link",
                        submitted_on=wave.opens_at.date())
    db_session.add(response)
    db_session.flush()
    for q in survey.questions[:3]:
        db_session.add(Answer(response_id=response.id, question_id=q.id, scale_min=q.scale_min,
                              scale_max=q.scale_max, value=q.scale_max))
    db_session.flush()
    assert len(db_session.scalars(select(Answer).where(Answer.response_id == response.id)).all()) == 3
