"""The instrument editor's service: creation, question rules, reordering, and versioning once answered."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from surveys.errors import Conflict, NotFound, ValidationError
from surveys.instruments import catalogue, editor, question_types, rules
from surveys.instruments.library import BUILTIN
from surveys.instruments.rules import QuestionInput
from surveys.models import Answer, AuditEvent, Question, Response, Survey


def q(code="q1", qtype="likert5", dimension="engagement", **kw) -> QuestionInput:
    return QuestionInput(code=code, text=kw.pop("text", f"Text of {code}"), qtype=qtype, dimension=dimension,
                         **kw)


def answer(session, make, wave):
    """Give `wave` one response with one answer, which freezes the version it asks."""
    question = wave.survey.questions[0]
    response = Response(wave_id=wave.id, team_id=make.team().id, source="invitation",
                        submitted_on=dt.date(2026, 1, 5))
    session.add(response)
    session.flush()
    numeric = question.scale_min is not None
    session.add(Answer(response_id=response.id, question_id=question.id, scale_min=question.scale_min,
                       scale_max=question.scale_max, value=question.scale_min if numeric else None,
                       text=None if numeric else "x"))
    session.flush()
    return response


def actions(session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_create_from_scratch(db_session):
    survey = editor.create_instrument(db_session, code="pulse", title=" Pulse ", audience="employee",
                                           description="Short.", actor_id=None)
    assert (survey.code, survey.title, survey.version, survey.status, survey.questions) == \
        ("pulse", "Pulse", 1, "active", [])
    assert "survey.create" in actions(db_session)


@pytest.mark.parametrize("kwargs, field", [
    ({"code": "bad code"}, "code"), ({"code": ""}, "code"), ({"code": "x" * 41}, "code"),
    ({"title": "  "}, "title"), ({"audience": "partners"}, "audience"),
])
def test_create_rejects_bad_input(db_session, kwargs, field):
    args = {"code": "ok", "title": "T", "audience": "customer", **kwargs}
    with pytest.raises(ValidationError) as err:
        editor.create_instrument(db_session, **args)
    assert err.value.field == field


def test_instrument_code_is_unique_and_a_free_one_is_suggested(db_session):
    editor.create_instrument(db_session, code="pulse", title="A", audience="employee")
    with pytest.raises(ValidationError, match="'pulse' already exists; try 'pulse_2'") as err:
        editor.create_instrument(db_session, code="pulse", title="B", audience="employee")
    assert err.value.field == "code"
    with pytest.raises(ValidationError, match="'pulse' already exists"):
        editor.create_instrument(db_session, code="PULSE", title="C", audience="employee")


def test_create_from_template_copies_questions_under_a_new_code(db_session):
    spec = BUILTIN["engagement"]
    code = catalogue.suggest_code(db_session, "engagement")
    first = editor.create_from_template(db_session, "engagement", code=code, title=spec.title)
    assert [x.code for x in first.questions] == [x.code for x in spec.questions]
    assert [x.position for x in first.questions] == list(range(len(spec.questions)))
    assert first.audience == "employee" and first.description == spec.description
    assert next(x for x in first.questions if x.code == "prc_rules").reverse_keyed
    # The same template again needs a different code; the suggestion finds one.
    second_code = catalogue.suggest_code(db_session, "engagement")
    assert second_code != code
    second = editor.create_from_template(db_session, "engagement", code=second_code, title="Again")
    assert second.code == second_code and len(second.questions) == len(spec.questions)
    with pytest.raises(ValidationError):
        editor.create_from_template(db_session, "engagement", code=code, title="Clash")


def test_unknown_template_is_not_found(db_session):
    with pytest.raises(NotFound, match="no built-in template 'nope'"):
        editor.create_from_template(db_session, "nope", code="x", title="X")


@pytest.mark.parametrize("qtype", list(question_types.TYPES))
def test_bounds_come_from_the_registry(db_session, make, qtype):
    survey = make.survey()
    choices = ["Red", "Green", "Blue"] if qtype in rules.CHOICE_TYPES else None
    edit = editor.add_question(db_session, survey.id, q("new_q", qtype, "other", choices=choices))
    assert (edit.question.scale_min, edit.question.scale_max) == question_types.bounds_for(qtype, choices)


def test_add_edit_move_remove(db_session, make):
    survey = make.survey()  # eng1, enps, comment
    edit = editor.add_question(db_session, survey.id, q("pick", "single_choice", "other",
                                                             choices=[" Yes ", "No", ""]))
    assert edit.replaced is None and edit.survey.id == survey.id
    assert edit.question.choices == ["Yes", "No"] and edit.question.position == 3
    edit = editor.update_question(db_session, survey.id, edit.question.id,
                                       q("pick", "single_choice", "other", choices=["Yes", "No", "Maybe"]))
    assert edit.question.scale_max == 2
    pick = edit.question
    editor.move_question(db_session, survey.id, pick.id, "up")
    assert [x.code for x in survey.questions] == ["eng1", "enps", "pick", "comment"]
    editor.move_question(db_session, survey.id, survey.questions[0].id, "down")
    assert [x.code for x in survey.questions] == ["enps", "eng1", "pick", "comment"]
    editor.remove_question(db_session, survey.id, pick.id)
    db_session.expire_all()
    reloaded = db_session.get(Survey, survey.id)
    assert [(x.code, x.position) for x in reloaded.questions] == [("enps", 0), ("eng1", 1), ("comment", 2)]
    assert db_session.get(Question, pick.id) is None
    assert actions(db_session)[-5:] == ["question.add", "question.update", "question.move", "question.move",
                                        "question.remove"]


def test_moving_past_the_edge_is_refused(db_session, make):
    survey = make.survey()
    with pytest.raises(ValidationError, match="already the first"):
        editor.move_question(db_session, survey.id, survey.questions[0].id, "up")
    with pytest.raises(ValidationError, match="already the last"):
        editor.move_question(db_session, survey.id, survey.questions[-1].id, "down")
    with pytest.raises(ValidationError, match="Direction"):
        editor.move_question(db_session, survey.id, survey.questions[0].id, "sideways")


def test_question_code_unique_within_survey_only(db_session, make):
    survey, other = make.survey(), make.survey()
    with pytest.raises(ValidationError, match="already has a question with code 'eng1'") as err:
        editor.add_question(db_session, survey.id, q("eng1"))
    assert err.value.field == "code"
    editor.add_question(db_session, other.id, q("fresh"))
    editor.add_question(db_session, survey.id, q("fresh"))  # another survey may reuse a code
    with pytest.raises(ValidationError, match="code 'fresh'"):
        editor.add_question(db_session, survey.id, q("Fresh"))
    enps = survey.questions[1]
    with pytest.raises(ValidationError, match="'eng1'"):
        editor.update_question(db_session, survey.id, enps.id, q("eng1", "scale0_10", "enps"))


@pytest.mark.parametrize("spec, field, message", [
    (q("bad-code"), "code", "letters, digits and underscores"),
    (q(text="  "), "text", "Write the question text"),
    (q(qtype="slider"), "qtype", "Unknown question type 'slider'"),
    (q(dimension="vibes"), "dimension", "Choose a dimension"),
    (q(dimension=""), "dimension", "Choose a dimension"),
    (q(qtype="scale0_10", reverse_keyed=True), "reverse_keyed", "Only agreement scales"),
    (q(qtype="text", reverse_keyed=True), "reverse_keyed", "Only agreement scales"),
    (q(qtype="single_choice", choices=["Only one"]), "choices", "at least two choices"),
    (q(qtype="multi_choice", choices=None), "choices", "at least two choices"),
    (q(qtype="multi_choice", choices=["A", "b", "a"]), "choices", "'a' appears twice"),
    (q(qtype="likert5", choices=["A", "B"]), "choices", "Give exactly 5 labels"),
    (q(qtype="scale0_10", choices=["A", "B"]), "choices", "Only choice questions and agreement scales"),
])
def test_question_rules(db_session, make, spec, field, message):
    survey = make.survey()
    with pytest.raises(ValidationError, match=message) as err:
        editor.add_question(db_session, survey.id, spec)
    assert err.value.field == field


@pytest.mark.parametrize("qtype", ["likert5", "likert7"])
def test_agreement_scales_may_be_reverse_keyed(db_session, make, qtype):
    edit = editor.add_question(db_session, make.survey().id, q("rev", qtype, reverse_keyed=True))
    assert edit.question.reverse_keyed


def test_question_of_another_survey_is_not_found(db_session, make):
    survey, other = make.survey(), make.survey()
    with pytest.raises(NotFound):
        editor.update_question(db_session, survey.id, other.questions[0].id, q("x"))
    with pytest.raises(NotFound):
        editor.remove_question(db_session, survey.id, 10**9)
    with pytest.raises(NotFound):
        editor.add_question(db_session, 10**9, q("x"))


def test_unanswered_survey_is_edited_in_place_even_with_an_open_wave(db_session, make):
    wave = make.wave()
    edit = editor.add_question(db_session, wave.survey_id, q("extra"))
    assert edit.replaced is None and edit.survey.id == wave.survey_id and edit.version_note is None


def test_freeze_creates_a_new_version_and_repoints_programs(db_session, make):
    program = make.program()
    old = program.survey
    answered_wave = make.wave(program=program)
    draft_wave = make.wave(program=program, status="draft", opens_at=dt.datetime(2026, 3, 1))
    answer(db_session, make, answered_wave)
    old_ids = [x.id for x in old.questions]
    assert catalogue.is_frozen(db_session, old)

    edit = editor.add_question(db_session, old.id, q("extra"), actor_id=None)
    new = edit.survey
    assert edit.replaced is old and new.id != old.id
    assert (new.code, new.version, new.status) == (old.code, 2, "active")
    assert (old.status, old.frozen) == ("archived", True)
    assert [x.code for x in new.questions] == ["eng1", "enps", "comment", "extra"]
    assert [x.code for x in old.questions] == ["eng1", "enps", "comment"]
    assert [x.id for x in old.questions] == old_ids
    assert all((a.scale_min, a.scale_max) == (b.scale_min, b.scale_max)
               for a, b in zip(old.questions, new.questions))
    assert program.survey_id == new.id  # future waves ask version 2
    assert answered_wave.survey_id == old.id  # answers stay with the version they answered
    assert draft_wave.survey_id == new.id  # not yet opened, no answers: it moves too
    assert edit.version_note == "Version 2 created: version 1 has answers and stays as it was."
    assert {"survey.new_version", "question.add"} <= set(actions(db_session))

    # Version 2 has no answers yet, so further edits stay on it.
    again = editor.update_details(db_session, new.id, title="Renamed", description="")
    assert again.survey.id == new.id and again.replaced is None


@pytest.mark.parametrize("change", ["update", "move", "remove", "details"])
def test_every_edit_of_a_frozen_version_goes_to_a_new_one(db_session, make, change):
    wave = make.wave()
    old = wave.survey
    answer(db_session, make, wave)
    target = old.questions[1]  # enps
    if change == "update":
        edit = editor.update_question(db_session, old.id, target.id,
                                           q("enps", "scale0_10", "enps", text="Reworded"))
        assert edit.question.text == "Reworded" and target.text != "Reworded"
    elif change == "move":
        edit = editor.move_question(db_session, old.id, target.id, "up")
        assert [x.code for x in edit.survey.questions][:2] == ["enps", "eng1"]
        assert [x.code for x in old.questions][:2] == ["eng1", "enps"]
    elif change == "remove":
        edit = editor.remove_question(db_session, old.id, target.id)
        assert "enps" not in [x.code for x in edit.survey.questions]
        assert db_session.get(Question, target.id) is not None
    else:
        edit = editor.update_details(db_session, old.id, title="New title", description="d")
        assert old.title != "New title"
    assert edit.survey.version == 2 and edit.replaced is old and wave.survey_id == old.id
    assert edit.question is None or edit.question.survey_id == edit.survey.id


def test_no_op_edit_of_a_frozen_version_creates_nothing(db_session, make):
    wave = make.wave()
    answer(db_session, make, wave)
    first = wave.survey.questions[0]
    spec = q(first.code, first.qtype, first.dimension, text=first.text)
    edit = editor.update_question(db_session, wave.survey_id, first.id, spec)
    assert not edit.changed and edit.survey.id == wave.survey_id
    assert len(catalogue.versions(db_session, wave.survey.code)) == 1


def test_invalid_edit_of_a_frozen_version_creates_no_version(db_session, make):
    wave = make.wave()
    answer(db_session, make, wave)
    with pytest.raises(ValidationError):
        editor.add_question(db_session, wave.survey_id, q("eng1"))
    assert len(catalogue.versions(db_session, wave.survey.code)) == 1


def test_an_archived_version_cannot_be_edited(db_session, make):
    wave = make.wave()
    answer(db_session, make, wave)
    editor.add_question(db_session, wave.survey_id, q("extra"))
    with pytest.raises(Conflict, match="edit the latest version \\(2\\)"):
        editor.add_question(db_session, wave.survey_id, q("other"))


def test_list_shows_latest_version_with_history(db_session, make):
    wave = make.wave()
    answer(db_session, make, wave)
    code = wave.survey.code
    editor.add_question(db_session, wave.survey_id, q("extra"))
    row = next(r for r in catalogue.list_instruments(db_session) if r.survey.code == code)
    assert row.survey.version == 2 and row.question_count == 4 and not row.answered
    assert [s.version for s in row.older] == [1]


def test_a_lost_race_for_a_question_code_is_a_conflict_and_the_session_survives(db_session, make):
    survey = make.survey()
    survey.questions  # loaded now, so the row inserted behind the session's back is not seen
    db_session.execute(Question.__table__.insert().values(
        survey_id=survey.id, code="late", text="t", qtype="text", dimension="other", position=9))
    with pytest.raises(Conflict, match="'late' was just added by someone else"):
        editor.add_question(db_session, survey.id, q("late"))
    assert db_session.scalar(select(Survey.code).where(Survey.id == survey.id)) == survey.code


def test_a_version_sent_in_an_opened_wave_is_frozen_before_any_answer(db_session, make):
    wave = make.wave()
    wave.survey.frozen = True  # what opening a wave does (scheduling.open_wave)
    edit = editor.add_question(db_session, wave.survey_id, q("extra"))
    assert edit.survey.version == 2 and wave.survey_id == edit.replaced.id
    assert edit.version_note == ("Version 2 created: version 1 has been sent to respondents and stays "
                                 "as it was.")


def test_agreement_scale_may_name_its_points(db_session, make):
    survey = make.survey()
    labels = ["Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied"]
    edit = editor.add_question(db_session, survey.id, q("sat", "likert5", "csat", choices=labels))
    assert edit.question.choices == labels and (edit.question.scale_min, edit.question.scale_max) == (1, 5)
