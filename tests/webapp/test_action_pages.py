"""Action plan pages: overview, create (with prefill and baseline), detail, edit, status, steps and notes,
for every role; a team lead never sees or changes another team's action."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from surveys.actions import service
from surveys.actions.fields import Baseline
from surveys.actions.scope import scope_for
from surveys.collection import submission
from surveys.models import Action, Goal
from tests.conftest import STAFF_PASSWORD
from tests.webapp.test_security_headers import assert_no_inline_code

QUESTIONS = [{"code": "e1", "qtype": "likert5", "dimension": "engagement"},
             {"code": "enps", "qtype": "scale0_10", "dimension": "enps"}]


@pytest.fixture
def org(make, db_session):
    root = make.team(code="CO", name="Company")
    ops = make.team(code="OPS", name="Operations", parent=root)
    desk = make.team(code="DESK", name="Help desk", parent=ops)
    sales = make.team(code="SALES", name="Sales", parent=root)
    lead = make.staff(role="team_lead", team=ops)
    other = make.staff(role="team_lead", team=sales)
    hr = make.staff(role="hr_admin")
    db_session.commit()
    return dict(root=root, ops=ops, desk=desk, sales=sales, lead=lead, other=other, hr=hr)


def sign_in(app, person):
    client = app.test_client()
    response = client.post("/login", data={"email": person.email, "password": STAFF_PASSWORD})
    assert response.status_code == 302
    return client


def plant(db_session, org, team="desk", owner="lead", **over) -> Action:
    person = org["hr"]
    values = dict(title=f"Plan for {org[team].name}", description="", owner_id=org[owner].id,
                  team_ids=[org[team].id], metric="process", target="70", starts_on=dt.date(2026, 12, 1),
                  due_on=dt.date(2027, 3, 1), visibility="leaders", source="manual")
    values.update(over)
    action = service.create_action(db_session, scope_for(db_session, person.id, person.role, None),
                                   actor_id=person.id, baseline=Baseline(61.5, 42, 55.0, 68.0, "2026-10"),
                                   **values)
    db_session.commit()
    return action


def form(org, **over) -> dict:
    data = dict(title="Weekly huddles", description="Ten minutes on Mondays.", team_ids=[str(org["desk"].id)],
                metric="engagement", target="75", owner_id=str(org["lead"].id), starts_on="2026-12-01",
                due_on="2027-03-01", visibility="leaders", source="manual", goal_id="", steps="Book a room\nAgenda")
    data.update(over)
    return data


def page(response) -> str:
    return response.get_data(as_text=True)


def test_overview_shows_a_lead_only_their_teams_actions(app, org, db_session):
    mine, theirs = plant(db_session, org), plant(db_session, org, team="sales", owner="other")
    lead_page = page(sign_in(app, org["lead"]).get("/actions/"))
    assert mine.title in lead_page and theirs.title not in lead_page
    assert 'id="actions-table"' in lead_page and "effect-none" in lead_page
    hr_page = page(sign_in(app, org["hr"]).get("/actions/"))
    assert mine.title in hr_page and theirs.title in hr_page


def test_overview_filters_counts_and_overdue(app, org, db_session):
    late = plant(db_session, org, due_on=dt.date(2026, 1, 31), starts_on=dt.date(2026, 1, 1))
    plant(db_session, org, team="sales", owner="other", metric="enps", target="10")
    client = sign_in(app, org["hr"])
    overdue = page(client.get("/actions/?status=overdue"))
    assert late.title in overdue and "Plan for Sales" not in overdue and "is-overdue" in overdue
    by_metric = page(client.get("/actions/?metric=enps"))
    assert "Plan for Sales" in by_metric and late.title not in by_metric
    by_department = page(client.get("/actions/?department=OPS"))
    assert late.title in by_department and "Plan for Sales" not in by_department
    by_owner = page(client.get(f"/actions/?owner={org['other'].id}"))
    assert "Plan for Sales" in by_owner and late.title not in by_owner
    assert '<b>2</b> planned' in page(client.get("/actions/")) and '<b>1</b> overdue' in overdue


def test_overview_names_bad_filters_instead_of_failing(app, org):
    response = sign_in(app, org["lead"]).get("/actions/?status=someday&metric=mood&owner=x&team=SALES")
    text = page(response)
    assert response.status_code == 400
    assert "Status &#39;someday&#39; is not one of" in text and "Unknown metric &#39;mood&#39;" in text
    assert "no owner with id &#39;x&#39;" in text and "no team &#39;SALES&#39; among your teams" in text


def test_a_lead_creates_an_action_with_steps_and_history(app, org, db_session):
    client = sign_in(app, org["lead"])
    new = page(client.get("/actions/new"))
    assert 'id="action-form"' in new and "Help desk" in new and "Sales" not in new.split('id="teams"')[1][:2000]
    response = client.post("/actions/new", data=form(org))
    assert response.status_code == 302
    action = db_session.scalar(select(Action).where(Action.title == "Weekly huddles"))
    assert (action.metric, action.target, action.status, action.created_by_id) == ("engagement", 75.0, "planned",
                                                                                  org["lead"].id)
    assert [s.text for s in action.steps] == ["Book a room", "Agenda"] and action.baseline is None
    detail = page(client.get(response.headers["Location"]))
    assert "Weekly huddles" in detail and "created" in detail and 'id="add-step-form"' in detail


def test_create_refuses_another_teams_team_and_keeps_what_was_typed(app, org, db_session):
    client = sign_in(app, org["lead"])
    response = client.post("/actions/new", data=form(org, team_ids=[str(org["sales"].id)], target="150",
                                                      metric="engagement", due_on="2026-01-01"))
    text = page(response)
    assert response.status_code == 400
    assert "Sales is not one of them" in text and "150 is outside that range" in text
    assert "before the start date" in text and 'value="Weekly huddles"' in text
    assert db_session.scalar(select(Action)) is None


def test_create_form_errors_from_wtforms_and_the_domain_together(app, org, db_session):
    response = sign_in(app, org["hr"]).post("/actions/new", data=form(org, title="", team_ids=[], starts_on="soon",
                                                                      metric="mood"))
    text = page(response)
    assert response.status_code == 400
    assert "Give the action a title." in text and "Choose at least one team." in text
    assert "Unknown metric &#39;mood&#39;" in text and 'id="starts_on-error"' in text
    forged = sign_in(app, org["hr"]).post("/actions/new", data=form(org, source="import"))
    assert forged.status_code == 400 and "must be one of manual, focus or goal" in page(forged)
    assert db_session.scalar(select(Action)) is None


def engagement_wave(make, db_session, org, favourable: int, n: int):
    program = make.program(survey=make.survey(questions=QUESTIONS), code="PULSE")
    wave = make.wave(program, status="closed", label="2026-10", opens_at=dt.datetime(2026, 10, 1))
    e1, enps = wave.survey.questions
    for i in range(n):
        fav = i < favourable
        submission.store_response(db_session, wave=wave, team_id=org["desk"].id, source="import",
                                  parsed={e1: (5 if fav else 1, None), enps: (9 if fav else 3, None)},
                                  today=dt.date(2026, 10, 3))
    db_session.commit()


def test_baseline_comes_from_the_latest_wave_with_n_and_interval(app, org, make, db_session):
    engagement_wave(make, db_session, org, 12, 20)
    client = sign_in(app, org["lead"])
    shown = page(client.get("/actions/new?team=DESK&metric=engagement&source=focus&title=Huddles"))
    assert 'id="baseline-preview"' in shown and "n = 20" in shown and "2026-10" in shown and "60" in shown
    assert 'value="focus"' in shown and 'value="Huddles"' in shown
    preview = client.post("/actions/new", data=form(org, preview="1", title=""))
    assert preview.status_code == 200 and "n = 20" in page(preview) and db_session.scalar(select(Action)) is None
    assert "Give the action a title." not in page(preview)
    assert client.post("/actions/new", data=form(org, source="focus")).status_code == 302
    action = db_session.scalar(select(Action))
    assert (action.baseline, action.baseline_n, action.baseline_label, action.source) == (60.0, 20, "2026-10", "focus")
    assert action.baseline_low < 60 < action.baseline_high
    assert "n = 20" in page(client.get(f"/actions/{action.id}"))


def test_a_suppressed_baseline_is_said_and_not_stored(app, org, make, db_session):
    engagement_wave(make, db_session, org, 2, 3)
    client = sign_in(app, org["lead"])
    shown = page(client.get("/actions/new?team=DESK&metric=engagement"))
    assert "Hidden:" in shown and "saved without a baseline" in shown
    assert client.post("/actions/new", data=form(org)).status_code == 302
    action = db_session.scalar(select(Action))
    assert action.baseline is None and action.baseline_n is None


def test_new_from_a_goal_prefills_metric_team_target_and_due(app, org, db_session):
    goal = Goal(metric="enps", team_id=org["desk"].id, target=20.0, due_on=dt.date(2027, 6, 30))
    db_session.add(goal)
    db_session.commit()
    text = page(sign_in(app, org["lead"]).get(f"/actions/new?goal={goal.id}"))
    assert 'selected value="enps"' in text and 'value="20"' in text and 'value="2027-06-30"' in text
    assert f'value="{org["desk"].id}" checked' in text and 'value="goal"' in text and f'value="{goal.id}"' in text
    odd = sign_in(app, org["lead"]).get("/actions/new?goal=999&team=SALES&metric=mood&source=alert")
    assert odd.status_code == 200
    for message in ("There is no goal 999", "Team &#39;SALES&#39; is not one of your teams", "Unknown metric",
                    "&#39;alert&#39; is not a source"):
        assert message in page(odd)


def test_another_teams_action_is_a_404_for_every_page_and_button(app, org, db_session):
    action = plant(db_session, org, team="sales", owner="other")
    sign_in(app, org["other"]).post(f"/actions/{action.id}/steps", data={"text": "Call customers"})
    client = sign_in(app, org["lead"])
    assert client.get(f"/actions/{action.id}").status_code == 404
    assert client.get(f"/actions/{action.id}/edit").status_code == 404
    assert client.get("/actions/999999").status_code == 404
    step_id = db_session.scalar(select(Action).where(Action.id == action.id)).steps[0].id
    for path, data in ((f"/actions/{action.id}/status", {"to": "in_progress"}),
                       (f"/actions/{action.id}/steps", {"text": "x"}),
                       (f"/actions/{action.id}/steps/{step_id}/done", {"done": "1"}),
                       (f"/actions/{action.id}/steps/{step_id}/remove", {}),
                       (f"/actions/{action.id}/notes", {"note": "x"}),
                       (f"/actions/{action.id}/edit", form(org))):
        assert client.post(path, data=data).status_code == 404, path
    db_session.expire_all()
    again = db_session.get(Action, action.id)
    assert again.status == "planned" and [s.done for s in again.steps] == [False] and again.updates == []
    assert again.title == "Plan for Sales"
    assert sign_in(app, org["hr"]).get(f"/actions/{action.id}").status_code == 200


def test_status_buttons_steps_and_notes_through_the_page(app, org, db_session):
    action = plant(db_session, org)
    client = sign_in(app, org["lead"])
    base = f"/actions/{action.id}"
    assert client.post(f"{base}/steps", data={"text": "Map hand-offs"}).status_code == 302
    assert client.post(f"{base}/steps", data={"text": "Pilot"}).status_code == 302
    db_session.expire_all()
    first = db_session.get(Action, action.id).steps[0]
    assert client.post(f"{base}/steps/{first.id}/done", data={"done": "1"}).status_code == 302
    assert client.post(f"{base}/status", data={"to": "in_progress"}).status_code == 302
    assert client.post(f"{base}/notes", data={"note": "Mapped five hand-offs."}).status_code == 302
    text = page(client.get(base))
    assert "50%" in text and "Mapped five hand-offs." in text and "planned → in progress" in text
    assert 'id="status-done"' in text and 'id="add-note-form"' in text and "step done" in text
    for path in (base, f"{base}/edit", "/actions/", "/actions/new"):
        assert_no_inline_code(path, page(client.get(path)))
    refused = client.post(f"{base}/status", data={"to": "abandoned", "reason": ""})
    assert refused.status_code == 400 and "Say why the action is abandoned." in page(refused)
    illegal = client.post(f"{base}/status", data={"to": "planned"})
    assert illegal.status_code == 409 and "cannot go back to planned" in page(illegal)
    assert client.post(f"{base}/status", data={"to": "abandoned", "reason": "Team merged."}).status_code == 302
    text = page(client.get(base))
    assert "Abandoned because" in text and "Team merged." in text and 'id="add-step-form"' not in text


def test_a_bad_note_keeps_what_was_typed(app, org, db_session):
    action = plant(db_session, org)
    client = sign_in(app, org["lead"])
    response = client.post(f"/actions/{action.id}/notes", data={"note": "x" * 6000})
    assert response.status_code == 400 and "x" * 6000 in page(response)
    blank = client.post(f"/actions/{action.id}/notes", data={"note": "  "})
    assert blank.status_code == 400 and "Write the progress note first." in page(blank)
    assert client.post(f"/actions/{action.id}/steps/99999/done", data={"done": "1"}).status_code == 404
    forged = client.post(f"/actions/{action.id}/steps/1/done", data={"done": "maybe"})
    assert forged.status_code == 400


def test_edit_changes_fields_and_records_history(app, org, db_session):
    action = plant(db_session, org)
    client = sign_in(app, org["lead"])
    shown = page(client.get(f"/actions/{action.id}/edit"))
    assert 'value="Plan for Help desk"' in shown and 'value="70"' in shown
    response = client.post(f"/actions/{action.id}/edit", data=form(org, title="Better plan", metric="process",
                                                                   target="72", visibility="published"))
    assert response.status_code == 302
    text = page(client.get(f"/actions/{action.id}"))
    assert "Better plan" in text and "70 → 72" in text and "leaders → published" in text
    bad = client.post(f"/actions/{action.id}/edit", data=form(org, title="", due_on="2020-01-01"))
    assert bad.status_code == 400 and "Give the action a title." in page(bad) and "before the start date" in page(bad)


def test_executive_sees_and_changes_any_action(app, org, make, db_session):
    action = plant(db_session, org, team="sales", owner="other")
    executive = make.staff(role="executive")
    db_session.commit()
    client = sign_in(app, executive)
    assert client.get(f"/actions/{action.id}").status_code == 200
    assert client.post(f"/actions/{action.id}/status", data={"to": "in_progress"}).status_code == 302


def test_a_lead_sees_but_cannot_change_an_action_reaching_beyond_their_teams(app, org, db_session):
    action = plant(db_session, org, team_ids=[org["desk"].id, org["sales"].id], owner="other")
    client = sign_in(app, org["lead"])
    text = page(client.get(f"/actions/{action.id}"))
    assert "only its owner, HR or an executive can change it" in text and 'id="add-note-form"' not in text
    assert client.post(f"/actions/{action.id}/status", data={"to": "in_progress"}).status_code == 403


def test_effect_macros_read_a_measured_an_unmeasurable_and_a_missing_effect(app):
    from types import SimpleNamespace

    with app.test_request_context():
        macros = app.jinja_env.get_template("actions/_macros.html").module
        worked = SimpleNamespace(status="measured", effect=9.04, low=2.0, high=16.1, verdict="likely worked",
                                 sentence="Process rose 9 points more than in 11 comparable teams.", n_treated=1,
                                 n_comparison=11, before="2026-05", after="2026-07", compared_with="Sales")
        unknown = SimpleNamespace(status="too_few_teams", effect=None, low=None, high=None, verdict=None,
                                  sentence="Too few comparable teams to tell.")
        assert "+9.0" in macros.effect_cell(worked) and "2.0 to 16.1" in macros.effect_cell(worked)
        assert "likely worked" in macros.effect_cell(worked)
        assert "too few teams" in macros.effect_cell(unknown) and "not measured yet" in macros.effect_cell(None)
        block = macros.effect_block(worked)
        assert "95% interval 2.0 to 16.1" in block and "Process rose 9 points" in block
        assert "1 team with this action against 11 comparable teams in Sales" in block
        assert "2026-05 with 2026-07" in block
        assert "Too few comparable teams to tell." in macros.effect_block(unknown)
        assert "Not measured yet" in macros.effect_block(None)


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(app_config, org, db_session):
    from webapp import create_app

    action = plant(db_session, org)
    guarded = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    client = guarded.test_client()
    login = client.get("/login").get_data(as_text=True)
    token = login.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert client.post("/login", data={"email": org["lead"].email, "password": STAFF_PASSWORD,
                                       "csrf_token": token}).status_code == 302
    response = client.post(f"/actions/{action.id}/status", data={"to": "in_progress"})
    assert response.status_code == 400 and "not sent by this site" in page(response)
    db_session.expire_all()
    assert db_session.get(Action, action.id).status == "planned"


def test_edit_retakes_the_baseline_while_planned_and_fixes_metric_and_teams_once_started(app, org, make, db_session):
    engagement_wave(make, db_session, org, 12, 20)
    action = plant(db_session, org, team="ops")  # process, baseline planted by hand
    client = sign_in(app, org["lead"])
    assert client.post(f"/actions/{action.id}/edit", data=form(org, metric="engagement")).status_code == 302
    db_session.expire_all()
    action = db_session.get(Action, action.id)
    assert (action.metric, [t.code for t in action.teams], action.baseline, action.baseline_n) == (
        "engagement", ["DESK"], 60.0, 20)
    assert client.post(f"/actions/{action.id}/status", data={"to": "in_progress"}).status_code == 302
    shown = page(client.get(f"/actions/{action.id}/edit"))
    assert "fixed once an action has started" in shown and 'name="metric"' not in shown
    # A forged metric or team on a started action is not taken.
    assert client.post(f"/actions/{action.id}/edit", data=form(org, metric="enps", team_ids=[str(org["ops"].id)],
                                                               title="Renamed")).status_code == 302
    db_session.expire_all()
    action = db_session.get(Action, action.id)
    assert (action.title, action.metric, [t.code for t in action.teams]) == ("Renamed", "engagement", ["DESK"])


def test_an_edit_post_without_a_target_field_is_a_clear_error_not_a_crash(app, org, db_session):
    action = plant(db_session, org)  # target 70, stored as a number
    client = sign_in(app, org["lead"])
    response = client.post(f"/actions/{action.id}/edit", data={"title": "Only a title"})
    assert response.status_code == 400
    db_session.expire_all()
    assert db_session.get(Action, action.id).title == "Plan for Help desk"  # nothing half-saved


def test_a_lead_cannot_read_or_link_a_goal_of_another_part_of_the_organisation(app, org, db_session):
    theirs = Goal(metric="nps", team_id=org["sales"].id, target=63.25, due_on=dt.date(2027, 3, 31))
    db_session.add(theirs)
    db_session.commit()
    client = sign_in(app, org["lead"])
    shown = page(client.get(f"/actions/new?goal={theirs.id}"))
    # A target no id or name on the page can contain by chance (PostgreSQL's ids run high across the suite).
    assert f"There is no goal {theirs.id}" in shown and "63.2" not in shown
    response = client.post("/actions/new", data=form(org, source="goal", goal_id=str(theirs.id)))
    assert response.status_code == 400
    assert db_session.scalar(select(Action).where(Action.goal_id == theirs.id)) is None
