"""`tandem report actions`, /reports/actions and the API: every action with its measured effect."""
import csv
import datetime as dt
import io
import json

import pytest

from tests.surveys.effects_world import action, plant


@pytest.fixture
def world(db_session, make):
    teams = plant(db_session, make)
    owner = make.staff(role="team_lead", team=teams["A"])
    worked = action(db_session, [teams["A"]], title="Untangle hand-offs", owner_id=owner.id,
                    due_on=dt.date(2026, 3, 1))
    small = action(db_session, [teams["B6"]], metric="people", title="Recognition", status="done")
    sales = action(db_session, [teams["C1"]], metric="csat", title="Call-backs", starts_on=dt.date(2026, 4, 20))
    db_session.commit()
    return {**teams, "owner": owner, "worked": worked, "small": small, "sales": sales}


def _json(runner, *options):
    result = runner.invoke(args=["report", "actions", "--format", "json", *options])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_cli_lists_every_action_with_its_effect(runner, world):
    data = _json(runner)
    rows = {f["title"]: f for f in data["figures"]}
    assert set(rows) == {"Untangle hand-offs", "Recognition", "Call-backs"}
    a = rows["Untangle hand-offs"]
    # Hand-worked in tests/surveys/test_action_effects.py: 10 - 2 = 8, interval 3.2 to 12.8, 1 + 5 teams.
    assert (a["unit"], a["metric"], a["value"], a["ci_low"], a["ci_high"], a["n"]) == ("A", "process", 8.0, 3.2,
                                                                                        12.8, 6)
    assert (a["n_treated"], a["n_comparison"], a["verdict"], a["effect_status"]) == (1, 5, "worked", "measured")
    assert (a["status"], a["overdue"], a["due_on"], a["owner"]) == ("in_progress", True, "2026-03-01",
                                                                   world["owner"].name)
    assert a["period"] == "W1 to W2" and a["sentence"].endswith("it likely worked.")
    small, sales = rows["Recognition"], rows["Call-backs"]
    assert (small["effect_status"], small["value"], small["verdict"]) == ("too_few", None, "too few teams to tell")
    assert small["percent_complete"] == 100 and small["overdue"] is False
    assert (sales["effect_status"], sales["value"]) == ("waiting", None)
    table = runner.invoke(args=["report", "actions"]).output
    assert "Untangle hand-offs" in table and "worked" in table
    rows = list(csv.DictReader(io.StringIO(runner.invoke(args=["report", "actions", "--format", "csv"]).output)))
    assert [r["verdict"] for r in rows if r["title"] == "Untangle hand-offs"] == ["worked"]


def test_filters(runner, world):
    assert [f["title"] for f in _json(runner, "--option", "status=done")["figures"]] == ["Recognition"]
    assert [f["title"] for f in _json(runner, "--option", "metric=CSAT")["figures"]] == ["Call-backs"]
    assert {f["title"] for f in _json(runner, "--option", "department=OPS")["figures"]} == {"Untangle hand-offs",
                                                                                            "Recognition"}
    assert [f["title"] for f in _json(runner, "--unit", "C1")["figures"]] == ["Call-backs"]
    for bad, param in (("metric=shoe size", "metric"), ("status=stalled", "status"), ("department=A", "department")):
        result = runner.invoke(args=["report", "actions", "--option", bad])
        assert result.exit_code == 1 and f"({param})" in result.output, result.output


def test_page_export_and_api_agree(client, login, runner, world):
    login("executive")
    page = client.get("/reports/actions")
    assert page.status_code == 200 and b"Untangle hand-offs" in page.data and b"it likely worked" in page.data
    exported = json.loads(client.get("/reports/actions.json").data)
    assert exported["figures"] == _json(runner)["figures"]


def test_team_lead_sees_only_actions_on_their_subtree(client, login, db_session, world):
    lead = login("team_lead", team=world["OPS"])
    world["OPS"].lead_id = lead.id
    db_session.commit()
    data = json.loads(client.get("/reports/actions.json").data)
    assert {f["title"] for f in data["figures"]} == {"Untangle hand-offs", "Recognition"}
    assert client.get("/reports/actions?unit=C1").status_code == 400
    assert client.get("/reports/actions?department=SAL").status_code == 400
    page = client.get("/reports/actions?department=OPS")
    assert page.status_code == 200 and b"Call-backs" not in page.data
