"""Comments report: open-text answers only from groups at or above the comment threshold, whatever the
unit filter or search; counts per unit as its figures; random order; never exported in bulk."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from surveys.collection import submission
from surveys.insights.comments import comment_groups
from surveys.insights.figures import ParamError
from surveys.insights.reports import comments
from surveys.insights.reports.common import Tree
from surveys.insights.reports.params import ReportParams, ReportSettings, Scope


@pytest.fixture
def org(db_session, make):
    """DEPT > BIG (12 respondents), MID (8), SMALL (3); a second root OTHER > TINY (4). Comment threshold 10.

    Every respondent leaves one comment naming their team; SMALL's and TINY's contain 'secret'.
    """
    dept = make.team(code="DEPT", name="Department")
    teams = {"DEPT": dept}
    for code, parent in (("BIG", dept), ("MID", dept), ("SMALL", dept)):
        teams[code] = make.team(code=code, name=code.title(), parent=parent)
    teams["OTHER"] = make.team(code="OTHER", name="Other")
    teams["TINY"] = make.team(code="TINY", name="Tiny", parent=teams["OTHER"])
    wave = make.wave(make.program(code="EX"), status="closed", label="W1")
    eng, _enps, comment = wave.survey.questions
    for code, n in (("BIG", 12), ("MID", 8), ("SMALL", 3), ("TINY", 4)):
        for i in range(n):
            word = "secret" if code in ("SMALL", "TINY") else "remark"
            submission.store_response(db_session, wave=wave, team_id=teams[code].id, source="import",
                                      parsed={eng: (4, None), comment: (None, f"{code.lower()} {word} {i}")},
                                      today=dt.date(2026, 1, 3))
    db_session.commit()
    return teams, wave


def build(db_session, scope=Scope(None), unit=None, **options):
    return comments.build(db_session, ReportParams(unit=unit, options=options), scope, ReportSettings())


def texts(report) -> set[str]:
    return {t for q in report.context["questions"] for t in q.texts}


def teams_in(report) -> set[str]:
    return {t.split()[0] for t in texts(report)}


def test_small_teams_pool_with_their_parent_and_a_small_root_is_never_shown(db_session, org):
    teams, _wave = org
    groups = comment_groups(Tree(db_session), {teams["BIG"].id: 12, teams["MID"].id: 8, teams["SMALL"].id: 3,
                                               teams["TINY"].id: 4}, 10)
    assert groups.size == {teams["BIG"].id: 12, teams["DEPT"].id: 11}  # DEPT: 0 + MID 8 + SMALL 3
    assert set(groups.members[teams["DEPT"].id]) == {teams[c].id for c in ("DEPT", "MID", "SMALL")}


def test_counts_per_unit_are_the_figures(db_session, org):
    report = build(db_session)
    figs = {f.unit: f for f in report.figures}
    # Shown: BIG's 12 comments and the DEPT pool's 11; TINY's 4 (a root pool below 10) nowhere.
    assert (figs["ORG"].value, figs["ORG"].n) == (23.0, 23)
    assert (figs["DEPT"].value, figs["BIG"].value, figs["BIG"].n) == (23.0, 12.0, 12)
    assert all(figs[c].suppressed for c in ("MID", "SMALL", "OTHER", "TINY"))
    assert report.threshold == 10 and report.params["wave"] == "W1"
    assert teams_in(report) == {"big", "mid", "small"}
    assert sum(q.total for q in report.context["questions"]) == 23


@pytest.mark.parametrize("unit, shown", [("SMALL", set()), ("MID", set()), ("TINY", set()), ("OTHER", set()),
                                         ("BIG", {"big"}), ("DEPT", {"big", "mid", "small"})])
def test_no_unit_filter_isolates_a_small_group(db_session, org, unit, shown):
    report = build(db_session, unit=unit)
    assert teams_in(report) == shown
    # Department minus BIG is the pool of 11 (MID and SMALL together), never SMALL alone.
    if unit == "DEPT":
        assert {t.split()[0] for t in texts(report) - texts(build(db_session, unit="BIG"))} == {"mid", "small"}


@pytest.mark.parametrize("unit", [None, "SMALL", "TINY", "DEPT"])
def test_search_never_reaches_a_small_group(db_session, org, unit):
    report = build(db_session, unit=unit, q="SECRET")
    assert "tiny" not in teams_in(report)
    assert teams_in(report) == ({"small"} if unit in (None, "DEPT") else set())  # SMALL only inside its pool
    figs = {f.unit: f for f in report.figures}
    if unit is None:
        assert figs["ORG"].value == 3.0 and figs["SMALL"].suppressed


def test_the_waves_own_threshold_applies_when_higher(db_session, org):
    _teams, wave = org
    wave.min_comment_group_size = 13
    db_session.flush()
    assert teams_in(build(db_session, unit="BIG")) == set()  # 12 < 13: BIG pools into DEPT
    report = build(db_session, unit="DEPT")
    assert report.threshold == 13 and teams_in(report) == {"big", "mid", "small"}


def test_random_order_and_limit(db_session, org):
    orders = {tuple(build(db_session, unit="BIG").context["questions"][0].texts) for _ in range(10)}
    assert len(orders) > 1 and all(len(o) == 12 for o in orders)
    limited = build(db_session, unit="BIG", limit="5").context["questions"][0]
    assert (limited.total, len(limited.texts)) == (12, 5)
    with pytest.raises(ParamError) as err:
        build(db_session, limit="0")
    assert err.value.param == "limit"


def test_pages_roles_and_no_bulk_export(client, login, runner, db_session, org):
    teams, _wave = org
    login("hr_admin")
    page = client.get("/reports/comments")
    assert page.status_code == 200 and b"big remark" in page.data and b"tiny secret" not in page.data
    assert b"2026-01-03" not in page.data  # no date finer than the wave
    assert client.get("/reports/comments?unit=SMALL").data.count(b"small secret") == 0
    assert client.get("/reports/comments.csv").status_code == 404
    assert client.get("/reports/comments.json").status_code == 404
    assert client.get("/reports/comments?limit=x").status_code == 400
    out = runner.invoke(args=["report", "comments", "--format", "json"]).output
    data = json.loads(out)
    assert "remark" not in out and {f["unit"] for f in data["figures"] if not f["suppressed"]} == {"ORG", "DEPT", "BIG"}


def test_team_lead_sees_only_their_subtree(client, login, db_session, org):
    teams, _wave = org
    lead = login("team_lead", team=teams["BIG"])
    teams["BIG"].lead_id = lead.id
    db_session.commit()
    page = client.get("/reports/comments")
    assert page.status_code == 200 and b"big remark" in page.data
    assert b"mid remark" not in page.data and b"small secret" not in page.data
    assert client.get("/reports/comments?unit=DEPT").status_code == 400
    found = client.get("/reports/comments?q=secret").data
    assert b"small secret" not in found and b"tiny secret" not in found


def test_a_lead_of_a_small_team_sees_no_comment(client, login, db_session, org):
    teams, _wave = org
    lead = login("team_lead", team=teams["SMALL"])
    teams["SMALL"].lead_id = lead.id
    db_session.commit()
    page = client.get("/reports/comments?q=secret")
    assert page.status_code == 200 and b"small secret" not in page.data and b"fewer than 10" in page.data
