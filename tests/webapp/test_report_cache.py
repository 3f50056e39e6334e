"""Report pages are served from the database cache while their data is unchanged, and never after."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from surveys.collection import submission
from surveys.models import ReportCache

QUESTIONS = [{"code": "e1", "qtype": "likert5", "dimension": "engagement"}]


@pytest.fixture
def wave(db_session, make):
    team = make.team(code="A", name="Alpha")
    wave = make.wave(make.program(survey=make.survey(questions=QUESTIONS), code="EX"), status="closed",
                     opens_at=dt.datetime(2026, 1, 1), days=10, label="W1")
    for i in range(6):
        _answer(db_session, wave, team, 5 if i < 3 else 1)
    db_session.commit()
    return wave, team


def _sign_in_as_the_lead(client, login, wave, db_session):
    """Sign out, then in as the lead of the wave's team (a subtree scope of their own)."""
    client.post("/logout")
    lead = login("team_lead", team=wave[1])
    wave[1].lead_id = lead.id
    db_session.commit()


def _answer(session, wave, team, value):
    submission.store_response(session, wave=wave, team_id=team.id, source="import",
                              parsed={wave.survey.questions[0]: (value, None)}, today=dt.date(2026, 1, 3))


def test_second_reader_gets_the_stored_page_without_recomputing(client, login, wave, statements, db_session):
    login("executive")
    first = client.get("/reports/questions")
    assert first.status_code == 200 and db_session.scalar(select(func.count()).select_from(ReportCache)) == 1
    statements.clear()
    second = client.get("/reports/questions")
    assert second.status_code == 200
    assert not [s for s in statements if "rollup_item_options" in s or "rollup_items" in s]
    start = lambda html: html[html.index("<!--tandem:content-->"):]  # noqa: E731
    assert start(second.get_data(as_text=True)) == start(first.get_data(as_text=True))


def test_a_new_answer_invalidates_the_page(client, login, wave, db_session):
    wave_, team = wave
    login("executive")
    before = client.get("/reports/questions.json").get_json()
    client.get("/reports/questions")
    _answer(db_session, wave_, team, 5)
    db_session.commit()
    page = client.get("/reports/questions").get_data(as_text=True)
    after = client.get("/reports/questions.json").get_json()
    assert after["figures"] != before["figures"]
    favourable = next(f for f in after["figures"] if f["metric"].endswith("favourable") or "fav" in f["metric"])
    assert str(favourable["value"]) in page


def test_each_scope_has_its_own_page_and_the_header_is_fresh(client, login, wave, db_session, make):
    executive = login("executive")
    assert executive.name in client.get("/reports/questions").get_data(as_text=True)
    client.post("/logout")
    hr = login("hr_admin")
    page = client.get("/reports/questions").get_data(as_text=True)
    assert hr.name in page and executive.name not in page
    # Executives and HR read the same organisation-wide page: one stored copy, each with their own header.
    assert db_session.scalar(select(func.count()).select_from(ReportCache)) == 1
    _sign_in_as_the_lead(client, login, wave, db_session)
    assert client.get("/reports/questions").status_code == 200
    assert db_session.scalar(select(func.count()).select_from(ReportCache)) == 2  # a team lead's subtree


def test_comments_are_never_stored(client, login, wave, db_session):
    login("executive")
    assert client.get("/reports/comments").status_code == 200
    assert db_session.scalar(select(func.count()).select_from(ReportCache)) == 0


def test_tick_renders_stale_default_pages_into_the_cache(app, runner, client, login, wave, db_session, statements):
    wave_, team = wave
    app.config["REPORT_PREWARM"] = True
    first = runner.invoke(args=["tick"])
    assert first.exit_code == 0 and "reports refreshed" in first.output
    stored = db_session.scalar(select(func.count()).select_from(ReportCache))
    assert stored >= 5  # every organisation-wide default page that can be built (not comments)
    assert "reports refreshed" not in runner.invoke(args=["tick"]).output  # nothing changed
    login("executive")
    statements.clear()
    assert client.get("/reports/heatmap").status_code == 200
    assert not [s for s in statements if "rollup_items" in s or "rollup_dimensions" in s]  # served stored
    _answer(db_session, wave_, team, 5)
    db_session.commit()
    assert "reports refreshed" in runner.invoke(args=["tick"]).output


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx", "pdf"])
def test_a_second_export_is_the_stored_file_and_still_audited(client, login, wave, statements, db_session, fmt):
    from surveys.models import AuditEvent

    login("executive")
    first = client.get(f"/reports/questions.{fmt}")
    assert first.status_code == 200
    statements.clear()
    second = client.get(f"/reports/questions.{fmt}")
    assert second.status_code == 200 and second.data == first.data  # the same bytes, binary formats too
    assert second.headers["Content-Disposition"] == first.headers["Content-Disposition"]
    assert second.mimetype == first.mimetype
    assert not [s for s in statements if "rollup_item_options" in s or "rollup_items" in s]  # not rebuilt
    exports = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "export.report")).all()
    assert len(exports) == 2 and exports[0].detail == exports[1].detail  # every download is in the trail


def test_a_new_answer_invalidates_a_stored_export(client, login, wave, db_session):
    wave_, team = wave
    login("executive")
    before = client.get("/reports/questions.csv").data
    assert client.get("/reports/questions.csv").data == before
    _answer(db_session, wave_, team, 5)
    db_session.commit()
    after = client.get("/reports/questions.csv").data
    assert after != before


def test_exports_are_stored_per_format_filter_and_scope(client, login, wave, db_session):
    login("executive")
    csv = client.get("/reports/questions.csv").data
    assert client.get("/reports/questions.json").data != csv
    assert client.get("/reports/questions.csv?unit=A").status_code == 200
    # Three exports, three stored files (the unit filter is part of the key).
    assert db_session.scalar(select(func.count()).select_from(ReportCache)) == 3
    _sign_in_as_the_lead(client, login, wave, db_session)
    assert client.get("/reports/questions.csv").status_code == 200
    assert db_session.scalar(select(func.count()).select_from(ReportCache)) == 4  # a team lead's subtree


def test_comment_exports_and_bad_filters_are_never_stored(client, login, wave, db_session):
    login("executive")
    assert client.get("/reports/comments.csv").status_code in (200, 404)
    assert client.get("/reports/questions.csv?compare=nonsense").status_code == 400
    assert db_session.scalar(select(func.count()).select_from(ReportCache)) == 0
