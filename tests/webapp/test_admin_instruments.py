"""The instrument editor pages, driven through the test client as an HR admin."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from markupsafe import escape

from surveys.instruments import question_types
from surveys.instruments.library import BUILTIN
from surveys.models import Answer, Response, Survey

BASE = "/admin/instruments"

ALL_TYPES = [
    {"code": "agree5", "qtype": "likert5", "dimension": "culture", "text": "Five-point agreement"},
    {"code": "agree7", "qtype": "likert7", "dimension": "ces", "text": "Seven-point agreement"},
    {"code": "likely", "qtype": "scale0_10", "dimension": "nps", "text": "How likely"},
    {"code": "one", "qtype": "single_choice", "dimension": "other", "text": "Pick one",
     "choices": ["Store", "Phone"]},
    {"code": "many", "qtype": "multi_choice", "dimension": "other", "text": "Pick several",
     "choices": ["Price", "Speed", "Staff"]},
    {"code": "words", "qtype": "text", "dimension": "comment", "text": "Anything else?", "required": False},
]


def question_form(**overrides) -> dict:
    data = {"code": "q_new", "text": "My manager listens.", "qtype": "likert5", "dimension": "people",
            "required": "y", "choices": ""}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def give_answers(session, make, wave):
    response = Response(wave_id=wave.id, team_id=make.team().id, source="invitation",
                        submitted_on=dt.date(2026, 1, 5))
    session.add(response)
    session.flush()
    first = wave.survey.questions[0]
    session.add(Answer(response_id=response.id, question_id=first.id, scale_min=first.scale_min,
                       scale_max=first.scale_max, value=first.scale_max))
    session.flush()


def fresh(session, obj):
    """The row as the database has it now: each request closes the shared session, detaching objects."""
    session.expire_all()
    return session.get(type(obj), obj.id)


def field_error(html: str, text: str) -> bool:
    return re.search(r'class="field-error"[^>]*>[^<]*' + re.escape(text), html) is not None


@pytest.mark.parametrize("role", ["executive", "team_lead"])
def test_other_roles_are_refused(client, login, make, db_session, role):
    survey = make.survey()
    login(role)
    for url in (BASE, f"{BASE}/new", f"{BASE}/{survey.id}", f"{BASE}/{survey.id}/preview",
                f"{BASE}/new/engagement", f"{BASE}/{survey.id}/questions/new"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"{BASE}/{survey.id}/questions/new", data=question_form()).status_code == 403
    assert len(fresh(db_session, survey).questions) == 3


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(BASE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_list_shows_latest_versions(client, login, make, db_session):
    wave = make.wave()
    give_answers(db_session, make, wave)
    login()
    client.post(f"{BASE}/{wave.survey_id}/questions/new", data=question_form())
    html = client.get(BASE).get_data(as_text=True)
    assert wave.survey.title in html and f"<code>{wave.survey.code}</code>" in html
    assert f'href="{BASE}/{wave.survey_id}">v1</a>' in html  # the older version stays reachable
    assert 'class="num">2</td>' in html and 'class="num">4</td>' in html  # version 2, four questions


def test_create_from_scratch_and_errors_beside_fields(client, login, db_session):
    login()
    bad = client.post(f"{BASE}/new", data={"code": "has space", "title": "", "audience": "employee"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert field_error(html, "Give a title.")
    ok = client.post(f"{BASE}/new", data={"code": "pulse", "title": "Weekly pulse", "audience": "customer",
                                          "description": "Quick"})
    assert ok.status_code == 302
    survey = db_session.query(Survey).filter_by(code="pulse").one()
    assert survey.audience == "customer" and ok.headers["Location"].endswith(f"{BASE}/{survey.id}")
    again = client.post(f"{BASE}/new", data={"code": "pulse", "title": "Other", "audience": "employee"})
    assert again.status_code == 400
    assert field_error(again.get_data(as_text=True), "already exists; try &#39;pulse_2&#39;")
    forged = client.post(f"{BASE}/new", data={"code": "x1", "title": "X", "audience": "martians"})
    assert forged.status_code == 400 and field_error(forged.get_data(as_text=True), "Audience must be one of")


def test_create_from_template_prefills_a_free_code(client, login, db_session):
    login()
    page = client.get(f"{BASE}/new").get_data(as_text=True)
    for code, spec in BUILTIN.items():
        assert f"{BASE}/new/{code}" in page and str(escape(spec.title)) in page
    form = client.get(f"{BASE}/new/cx").get_data(as_text=True)
    assert 'value="cx"' in form and str(escape(BUILTIN["cx"].title)) in form
    assert client.post(f"{BASE}/new/cx", data={"code": "cx", "title": "CX"}).status_code == 302
    # A second instrument from the same template is offered another code.
    assert 'value="cx_2"' in client.get(f"{BASE}/new/cx").get_data(as_text=True)
    clash = client.post(f"{BASE}/new/cx", data={"code": "cx", "title": "CX again"})
    assert clash.status_code == 400 and field_error(clash.get_data(as_text=True), "already exists")
    assert client.post(f"{BASE}/new/cx", data={"code": "cx_2", "title": "CX again"}).status_code == 302
    survey = db_session.query(Survey).filter_by(code="cx_2").one()
    assert [q.code for q in survey.questions] == [q.code for q in BUILTIN["cx"].questions]
    assert client.get(f"{BASE}/new/nope").status_code == 404


def test_instrument_page_lists_questions_with_their_settings(client, login, make):
    survey = make.survey(questions=ALL_TYPES + [
        {"code": "rev", "qtype": "likert5", "dimension": "process", "reverse_keyed": True}])
    login()
    html = client.get(f"{BASE}/{survey.id}").get_data(as_text=True)
    for spec in ALL_TYPES:
        assert spec["text"] in html and question_types.TYPES[spec["qtype"]].label in html
    assert "Store" in html and "Staff" in html and "reverse" in html and "optional" in html
    assert "CES (customer effort)" in html and "Move up" in html and "Remove" in html


def test_add_question_and_field_errors(client, login, make, db_session):
    survey = make.survey()
    login()
    assert client.get(f"{BASE}/{survey.id}/questions/new").status_code == 200
    cases = [
        (question_form(qtype="scale0_10", reverse_keyed="y"), "Only agreement scales"),
        (question_form(qtype="single_choice", choices="Only"), "at least two choices"),
        (question_form(qtype="multi_choice", choices="A\r\nB\r\nA"), "appears twice"),
        (question_form(code="eng1"), "already has a question with code"),
        (question_form(code="no spaces!"), "letters, digits and underscores"),
        (question_form(dimension=""), "Choose a dimension"),
        (question_form(text=""), "Write the question text."),
    ]
    for data, message in cases:
        response = client.post(f"{BASE}/{survey.id}/questions/new", data=data)
        assert response.status_code == 400, message
        assert field_error(response.get_data(as_text=True), message), message
    response = client.post(f"{BASE}/{survey.id}/questions/new",
                           data=question_form(qtype="single_choice", choices="Yes\r\nNo\r\n"))
    assert response.status_code == 302
    added = fresh(db_session, survey).questions[-1]
    assert (added.code, added.choices, added.scale_min, added.scale_max) == ("q_new", ["Yes", "No"], 0, 1)
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Question &#39;q_new&#39; added." in shown


def test_forged_posts_get_clear_error_pages(client, login, make, db_session):
    survey, other = make.survey(), make.survey()
    login()
    unknown_type = client.post(f"{BASE}/{survey.id}/questions/new", data=question_form(qtype="slider"))
    assert unknown_type.status_code == 400
    assert "Unknown question type &#39;slider&#39;" in unknown_type.get_data(as_text=True)
    foreign = other.questions[0].id
    for path in (f"{foreign}/edit", f"{foreign}/remove", "999999/edit"):
        response = client.post(f"{BASE}/{survey.id}/questions/{path}", data=question_form())
        assert response.status_code == 404
        assert "is not part of instrument version" in response.get_data(as_text=True)
    move = client.post(f"{BASE}/{survey.id}/questions/{foreign}/move", data={"direction": "up"})
    assert move.status_code == 404
    sideways = client.post(f"{BASE}/{survey.id}/questions/{survey.questions[1].id}/move",
                           data={"direction": "sideways"})
    assert sideways.status_code == 400 and "Direction must be up or down" in sideways.get_data(as_text=True)
    assert client.get(f"{BASE}/999999").status_code == 404
    assert [q.code for q in fresh(db_session, other).questions] == ["eng1", "enps", "comment"]


def test_edit_move_and_remove(client, login, make, db_session):
    survey = make.survey()
    enps = survey.questions[1]
    login()
    page = client.get(f"{BASE}/{survey.id}/questions/{enps.id}/edit").get_data(as_text=True)
    assert 'value="enps"' in page and '<option selected value="scale0_10">' in page
    response = client.post(f"{BASE}/{survey.id}/questions/{enps.id}/edit",
                           data=question_form(code="enps", qtype="scale0_10", dimension="enps",
                                              text="Reworded?"))
    assert response.status_code == 302 and fresh(db_session, enps).text == "Reworded?"
    client.post(f"{BASE}/{survey.id}/questions/{enps.id}/move", data={"direction": "up"})
    assert [q.code for q in fresh(db_session, survey).questions] == ["enps", "eng1", "comment"]
    edge = client.post(f"{BASE}/{survey.id}/questions/{enps.id}/move", data={"direction": "up"},
                       follow_redirects=True)
    assert "already the first question" in edge.get_data(as_text=True)
    confirm = client.get(f"{BASE}/{survey.id}/questions/{enps.id}/remove").get_data(as_text=True)
    assert "Remove question" in confirm and "Reworded?" in confirm
    assert [q.code for q in fresh(db_session, survey).questions] == ["enps", "eng1", "comment"]
    assert client.post(f"{BASE}/{survey.id}/questions/{enps.id}/remove").status_code == 302
    assert [q.code for q in fresh(db_session, survey).questions] == ["eng1", "comment"]
    assert fresh(db_session, enps) is None


def test_editing_an_answered_version_creates_the_next_one(client, login, make, db_session):
    program = make.program()
    wave = make.wave(program=program)
    give_answers(db_session, make, wave)
    old = wave.survey
    login()
    page = client.get(f"{BASE}/{old.id}").get_data(as_text=True)
    assert "Your next change creates version 2" in page
    assert "creates version 2" in client.get(f"{BASE}/{old.id}/questions/new").get_data(as_text=True)
    response = client.post(f"{BASE}/{old.id}/details", data={"title": "Renamed", "description": ""})
    new = db_session.query(Survey).filter_by(code=old.code, version=2).one()
    assert response.headers["Location"].endswith(f"{BASE}/{new.id}")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Version 2 created: version 1 has answers and stays as it was" in html
    old = fresh(db_session, old)
    assert new.title == "Renamed" and old.title != "Renamed"
    assert (old.status, old.frozen) == ("archived", True)
    assert fresh(db_session, program).survey_id == new.id and fresh(db_session, wave).survey_id == old.id
    # The archived version is shown read-only and refuses edits.
    archived = client.get(f"{BASE}/{old.id}").get_data(as_text=True)
    assert "kept exactly as its respondents saw it" in archived and "Add a question" not in archived
    refused = client.post(f"{BASE}/{old.id}/questions/new", data=question_form())
    assert refused.status_code == 409 and "edit the latest version (2)" in refused.get_data(as_text=True)


def test_preview_renders_every_question_type_and_stores_nothing(client, login, make):
    survey = make.survey(questions=ALL_TYPES)
    login()
    response = client.get(f"{BASE}/{survey.id}/preview")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Preview — answers are not saved" in html
    for spec in ALL_TYPES:
        assert f'id="q_{spec["code"]}-field"' in html and spec["text"] in html
    assert re.search(r'type="radio"[^>]* name="q_agree7" value="7"', html)
    assert re.search(r'type="radio"[^>]* name="q_likely" value="0"', html)
    assert re.search(r'type="radio"[^>]* name="q_one" value="1"', html) and "Phone" in html
    assert re.search(r'type="checkbox"[^>]* name="q_many" value="Staff"', html)
    assert re.search(r'<textarea[^>]* name="q_words"', html)
    assert "Strongly agree" in html and "Extremely likely" in html and "6. Anything else?" in html
    main = html.split('<main id="main">')[1]
    assert 'type="submit"' not in main and 'method="post"' not in main.split("Preview — answers")[1]


def test_preview_pages_like_the_respondent_form(client, login, make, db_session):
    from surveys.instruments import editor

    login()
    employee = editor.create_from_template(db_session, "engagement", code="eng_p", title="E")
    customer = editor.create_from_template(db_session, "cx", code="cx_p", title="C")
    db_session.commit()  # requests close the shared session, which drops what is only flushed
    first = client.get(f"{BASE}/{employee.id}/preview").get_data(as_text=True)
    assert "Page 1 of " in first and f"{BASE}/{employee.id}/preview?page=2" in first
    assert "Submit (disabled in preview)" not in first
    second = client.get(f"{BASE}/{employee.id}/preview?page=2").get_data(as_text=True)
    numbers = [int(n) for n in re.findall(r"<legend>(\d+)\. ", second)]
    assert numbers and numbers[0] > 1 and numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    assert client.get(f"{BASE}/{employee.id}/preview?page=99").status_code == 404
    one_page = client.get(f"{BASE}/{customer.id}/preview").get_data(as_text=True)
    assert "Page 1 of" not in one_page and one_page.count("<fieldset") == len(BUILTIN["cx"].questions)
    assert "Submit (disabled in preview)" in one_page


def test_question_form_reports_every_problem_at_once(client, login, make):
    survey = make.survey()
    login()
    response = client.post(f"{BASE}/{survey.id}/questions/new",
                           data=question_form(code="eng1", text="", dimension="", qtype="scale0_10",
                                              reverse_keyed="y"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    for message in ("Write the question text.",  # WTForms
                    "already has a question with code", "Choose a dimension", "Only agreement scales"):  # domain
        assert field_error(html, message), message


def test_new_instrument_reports_every_domain_problem_at_once(client, login):
    login()
    bad = client.post(f"{BASE}/new", data={"code": "has space", "title": "T", "audience": "martians"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert field_error(html, "Audience must be one of") and field_error(html, "letters, digits and underscores")
