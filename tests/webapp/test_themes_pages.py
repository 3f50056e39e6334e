"""/themes: roles, the employee comment threshold (with the comments report's pooling), staff edits and the CLI."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from surveys import themes
from surveys.collection import storage
from surveys.models import Question, Theme, Touchpoint, utcnow
from tests.analysis.text_corpus import CORPUS

NOW = utcnow()
ANGRY = "The rota is a mess and nobody listens"


def _employee(db_session, make):
    """Root R with team A (12 respondents, 12 comments), B (3 respondents) and C (12 respondents, 4 comments)."""
    root = make.team(name="Root unit")
    a, b, c = (make.team(name=n, parent=root) for n in ("Alpha team", "Beta team", "Gamma team"))
    wave = make.wave(opens_at=NOW - dt.timedelta(days=2))
    qs = {q.qtype: q for q in db_session.scalars(select(Question).where(Question.survey_id == wave.survey_id))}
    for team, n, with_text in ((a, 12, 12), (b, 3, 3), (c, 12, 4)):
        for i in range(n):
            parsed = {qs["likert5"]: (4, None)}
            if i < with_text:
                parsed[qs["text"]] = (None, f"{ANGRY} in {team.name} ({i})")
            storage.store_response(db_session, wave=wave, team_id=team.id, source="invitation", parsed=parsed,
                                   today=NOW.date())
    db_session.commit()
    return wave, root, a, b, c


def _customer(db_session, make):
    program = make.program(audience="customer", code="CX")
    wave = make.wave(program=program, opens_at=NOW - dt.timedelta(days=2))
    make.touchpoint(team=make.team(), code="DESK", channel="phone")
    q = {q.qtype: q for q in db_session.scalars(select(Question).where(Question.survey_id == wave.survey_id))}
    desk = db_session.scalar(select(Touchpoint).where(Touchpoint.code == "DESK"))
    for text in CORPUS:
        storage.store_response(db_session, wave=wave, team_id=desk.team_id, source="public_link",
                               parsed={q["likert5"]: (4, None), q["text"]: (None, text)}, today=NOW.date(),
                               touchpoint=desk)
    themes.refresh(db_session, "customer", k=3)
    db_session.commit()


def test_staff_only_and_only_editors_manage(client, login, make, db_session):
    assert client.get("/themes/").status_code == 302  # to the login page
    login("team_lead", team=make.team())
    page = client.get("/themes/")
    assert page.status_code == 200 and b"Manage themes" not in page.data
    assert client.post("/themes/1/rename", data={"name": "x"}).status_code == 403
    assert client.post("/themes/refresh", data={"audience": "customer"}).status_code == 403


def test_customer_themes_volume_sentiment_chart_and_verbatims(client, login, make, db_session):
    _customer(db_session, make)
    login("executive")
    page = client.get("/themes/").get_data(as_text=True)
    assert "All comments" in page and "<svg" in page and "Manage themes" in page
    assert page.count("<q>") >= 3  # verbatims of the themes
    one = client.get("/themes/?touchpoint=DESK").get_data(as_text=True)
    assert "DESK" in one
    bad = client.get("/themes/?touchpoint=NOPE", follow_redirects=True)
    assert bad.status_code == 200 and b"There is no touchpoint" in bad.data


def test_employee_themes_only_where_the_comment_threshold_is_met(client, login, make, db_session, app):
    wave, root, a, b, c = _employee(db_session, make)
    login("hr_admin")
    page = client.get(f"/themes/?wave={wave.id}").get_data(as_text=True)
    k = app.config["MIN_COMMENT_GROUP_SIZE"]
    assert k == 10
    section = page[page.index('id="employee"'):]
    rows = {name: next(b for b in section.split("<tbody>") if name in b)
            for name in ("Root unit", "Alpha team", "Beta team", "Gamma team")}
    assert "hidden" not in rows["Alpha team"] and ">12<" in rows["Alpha team"]
    assert "hidden" in rows["Beta team"]  # 3 respondents: pooled upwards, never alone
    assert "hidden" in rows["Gamma team"]  # a large group but only 4 comments
    # The root shows exactly the groups below it that are shown (Alpha's 12 + Gamma's 4), never Beta's pooled 3.
    assert ">16<" in rows["Root unit"] and "hidden" not in rows["Root unit"]
    assert ANGRY not in page  # no employee verbatim on this page


def test_editors_rename_merge_and_see_clear_errors(client, login, make, db_session):
    _customer(db_session, make)
    login("hr_admin")
    a, b, c = db_session.scalars(select(Theme.id).order_by(Theme.id)).all()
    done = client.post(f"/themes/{a}/rename", data={"name": "Queues"}, follow_redirects=True)
    assert b"renamed to &#39;Queues&#39;" in done.data
    empty = client.post(f"/themes/{a}/rename", data={"name": " "}, follow_redirects=True)
    assert empty.status_code == 200 and b"Give the theme a name" in empty.data
    missing = client.post(f"/themes/{a}/merge", data={}, follow_redirects=True)
    assert b"Choose the theme to merge into" in missing.data
    gone = client.post("/themes/999999/merge", data={"into": str(b)}, follow_redirects=True)
    assert b"There is no theme 999999" in gone.data
    merged = client.post(f"/themes/{a}/merge", data={"into": str(b)}, follow_redirects=True)
    assert b"merged into" in merged.data and db_session.get(Theme, a) is None
    rule = client.post(f"/themes/{c}/rules", data={"keyword": "desk"}, follow_redirects=True)
    assert b"Rule &#39;desk&#39; added" in rule.data


@pytest.mark.parametrize("args, message", [
    (["themes", "refresh", "--audience", "customer"], "at least 20 are needed"),
    (["themes", "rename", "999999", "X"], "There is no theme 999999"),
    (["themes", "rule", "remove", "999999", "x"], "There is no theme 999999"),
])
def test_cli_errors_are_one_line(runner, args, message):
    result = runner.invoke(args=args)
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output


def test_cli_refresh_list_rename_rule(runner, make, db_session):
    _customer(db_session, make)
    out = runner.invoke(args=["themes", "refresh", "--audience", "customer", "--k", "3"])
    assert out.exit_code == 0 and "3 themes learned from 24 comments" in out.output
    first = db_session.scalars(select(Theme.id).order_by(Theme.id)).first()
    assert runner.invoke(args=["themes", "rename", str(first), "Queues"]).exit_code == 0
    assert runner.invoke(args=["themes", "rule", "add", str(first), "door"]).exit_code == 0
    listing = runner.invoke(args=["themes", "list"]).output
    assert "Queues" in listing and "rules: door" in listing


def test_employee_theme_counts_on_the_manage_list_cover_only_shown_groups(client, login, make, db_session):
    wave, *_teams = _employee(db_session, make)
    login("hr_admin")
    made = client.post("/themes/new", data={"audience": "employee", "name": "Rota", "keyword": "rota"},
                       follow_redirects=True)
    assert b"Theme &#39;Rota&#39; created" in made.data
    rota = db_session.scalar(select(Theme).where(Theme.name == "Rota"))
    page = client.get(f"/themes/?wave={wave.id}").get_data(as_text=True)
    row = page[page.index(f'id="theme-{rota.id}"'):].split("</tr>")[0]
    # 19 comments mention the rota, but Beta's 3 are in no shown group: Alpha's 12 + Gamma's 4 (as the root unit).
    assert ">16<" in row and ">19<" not in row and 'id="theme-count-note"' in page
    # A rule matching only Beta's comments must not reveal how many there are.
    client.post(f"/themes/{rota.id}/rules", data={"keyword": "beta"})
    page = client.get(f"/themes/?wave={wave.id}").get_data(as_text=True)
    assert ">16<" in page[page.index(f'id="theme-{rota.id}"'):].split("</tr>")[0]
    removed = client.post(f"/themes/{rota.id}/rules/remove", data={"keyword": "beta"}, follow_redirects=True)
    text = removed.get_data(as_text=True)
    assert "Rule &#39;beta&#39; removed; the theme&#39;s shown counts are updated." in text
    assert "comments lost the theme" not in text
