"""'What you told us' behind a per-team signed link, and 'You said, we did': thresholds, differencing, tokens."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest

from surveys.collection import submission
from surveys.fieldwork import results_links
from surveys.models import Action, utcnow
from webapp.respond.views import DONE_KEY

QUESTIONS = [{"code": "e1", "qtype": "likert5", "dimension": "engagement"},
             {"code": "enps", "qtype": "scale0_10", "dimension": "enps"}]
SIZES = {"A": 12, "B": 8, "S": 2, "C": 10}  # S is below k = 5; B is hidden with it (else D1 - A - B = S)


def answer(db_session, wave, team, n: int, favourable: int):
    e1, enps = wave.survey.questions
    for i in range(n):
        fav = i < favourable
        submission.store_response(db_session, wave=wave, team_id=team.id, source="import",
                                  parsed={e1: (5 if fav else 2, None), enps: (9 if fav else 5, None)},
                                  today=wave.opens_at.date() + dt.timedelta(days=1))


@pytest.fixture
def org(db_session, make):
    """Company > D1 (teams A, B, S) and D2 (team C); wave W1 closed yesterday with answers, W2 open."""
    program = make.program(survey=make.survey(questions=QUESTIONS), code="PULSE")
    program.public_title = "Our pulse"
    now = utcnow()
    wave = make.wave(program, status="closed", label="W1", opens_at=now - dt.timedelta(days=15))
    wave.closes_at = now - dt.timedelta(days=1)
    other = make.wave(program, status="open", label="W2", opens_at=now - dt.timedelta(hours=1))
    company = make.team(code="CO", name="Company")
    d1 = make.team(code="D1", name="Department One", parent=company)
    d2 = make.team(code="D2", name="Department Two", parent=company)
    names = {"A": ("Alpha squad", d1), "B": ("Bravo squad", d1), "S": ("Small squad", d1), "C": ("Charlie squad", d2)}
    teams = {code: make.team(code=code, name=name, parent=parent) for code, (name, parent) in names.items()}
    for code, team in teams.items():
        answer(db_session, wave, team, SIZES[code], SIZES[code] // 2)
    db_session.commit()
    return program, wave, other, {"CO": company, "D1": d1, "D2": d2, **teams}


def link(app, wave_id: int, team_id: int) -> str:
    return "/results/" + results_links.make_token(results_links.link_key(app.config), wave_id, team_id)


def ns(html: str) -> list[int]:
    """Every n shown in the results tables (the last numeric cell of each row)."""
    return [int(x) for x in re.findall(r'<td class="num">(\d+)</td></tr>', html)]


def test_a_team_link_shows_organisation_department_and_team_with_n_and_interval(app, client, org):
    _program, wave, _other, t = org
    page = client.get(link(app, wave.id, t["A"].id))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    assert "What you told us" in html and "Our pulse, W1" in html
    for name in ("The whole organisation", "Department One", "Alpha squad"):
        assert name in html
    # Engagement 50% favourable and eNPS for each of ORG (32), D1 (22) and A (12).
    assert ns(html) == [32, 32, 22, 22, 12, 12]
    assert "50% favourable" in html and " to " in html
    for hidden in ("Bravo squad", "Small squad", "Charlie squad", "Department Two"):
        assert hidden not in html


def test_a_team_below_k_is_never_shown_not_its_row_nor_its_n(app, client, org):
    _program, wave, _other, t = org
    html = client.get(link(app, wave.id, t["S"].id)).get_data(as_text=True)
    assert "Small squad" not in html and "Bravo squad" not in html
    assert ns(html) == [32, 32, 22, 22]  # the organisation and the department only
    assert "Your team&#39;s results are not shown" in html
    # B is not below k, but shown next to D1 and A it would give S away (22 - 12 - 8 = 2): hidden too.
    html_b = client.get(link(app, wave.id, t["B"].id)).get_data(as_text=True)
    assert "Bravo squad" not in html_b and 8 not in ns(html_b)


def test_tampered_foreign_and_stale_links_get_the_same_404(app, client, db_session, org):
    program, wave, other, t = org
    good = link(app, wave.id, t["A"].id)
    mac = good.rsplit(".", 1)[1]
    tampered = good[:-1] + ("A" if mac[-1] != "A" else "B")
    swapped_team = good.replace(f".{t['A'].id}.", f".{t['C'].id}.")
    other_wave = good.replace(f"/results/{wave.id}.", f"/results/{other.id}.")
    for url in (tampered, swapped_team, other_wave, "/results/nonsense", "/results/1.1." + "x" * 43,
                link(app, other.id, t["A"].id)):  # a genuine link to a wave still open
        page = client.get(url)
        assert page.status_code == 404, url
        assert "This results link is not valid" in page.get_data(as_text=True)
    app.config["RESULTS_LINK_DAYS"] = 1  # closed a day and an hour ago: expired
    wave = db_session.get(type(wave), wave.id)  # each request closes the session: load again
    wave.closes_at -= dt.timedelta(hours=1)
    db_session.commit()
    assert client.get(good).status_code == 404
    app.config["RESULTS_LINK_DAYS"] = 365
    assert client.get(good).status_code == 200
    db_session.get(type(program), program.id).share_results = False  # opted out: links already sent stop working
    db_session.commit()
    assert client.get(good).status_code == 404


def test_a_link_made_with_another_key_does_not_open(app, client, org):
    _program, wave, _other, t = org
    forged = "/results/" + results_links.make_token(results_links.link_key({"SECRET_KEY": "x" * 20}), wave.id,
                                                    t["A"].id)
    assert client.get(forged).status_code == 404
    app.config["RESULTS_LINK_KEY"] = "a-dedicated-results-key"
    assert client.get(link(app, wave.id, t["A"].id)).status_code == 200
    assert client.get(forged).status_code == 404


def _action(db_session, title, teams, visibility="published", status="in_progress", due=None):
    action = Action(title=title, metric="engagement", visibility=visibility, status=status, teams=teams,
                    due_on=due or dt.date(2030, 1, 31))
    db_session.add(action)
    return action


def test_you_said_we_did_lists_only_published_actions(client, db_session, org):
    *_rest, t = org
    _action(db_session, "Weekly team retros", [t["A"]])
    _action(db_session, "Clear career paths", [], status="done")
    _action(db_session, "Secret reorganisation plan", [t["C"]], visibility="leaders")
    db_session.commit()
    page = client.get("/you-said-we-did")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Weekly team retros" in html and "Alpha squad" in html and "in progress" in html
    assert "Clear career paths" in html and "The whole organisation" in html and "100%" in html
    assert "2030-01-31" in html and "cannot be measured" in html  # the measured effect, or why there is none
    assert "Secret reorganisation plan" not in html
    assert "% favourable" not in html  # no team-level numbers on the public page


def test_the_results_page_shows_the_actions_of_the_team_its_department_and_the_organisation(app, client, db_session,
                                                                                           org):
    _program, wave, _other, t = org
    _action(db_session, "Alpha retros", [t["A"]])
    _action(db_session, "Department One offsite", [t["D1"]])
    _action(db_session, "Company-wide learning budget", [])
    _action(db_session, "Charlie rota fix", [t["C"]])
    _action(db_session, "Alpha leaders-only plan", [t["A"]], visibility="leaders")
    db_session.commit()
    html = client.get(link(app, wave.id, t["A"].id)).get_data(as_text=True)
    for shown in ("Alpha retros", "Department One offsite", "Company-wide learning budget"):
        assert shown in html
    assert "Charlie rota fix" not in html and "Alpha leaders-only plan" not in html


def test_thank_you_page_and_staff_menu_link_to_you_said_we_did(client, login):
    with client.session_transaction() as cookie:
        cookie[DONE_KEY] = "customer"
    assert 'href="/you-said-we-did"' in client.get("/r/thanks").get_data(as_text=True)
    with client.session_transaction() as cookie:
        cookie[DONE_KEY] = "employee"
    assert 'href="/you-said-we-did"' in client.get("/r/thanks").get_data(as_text=True)
    login("team_lead")
    assert 'href="/you-said-we-did"' in client.get("/you-said-we-did").get_data(as_text=True)


@dataclasses.dataclass(frozen=True)
class _Effect:
    """The fields of surveys.insights.action_effects.MeasuredEffect the pages read."""

    status: str
    verdict: str
    sentence: str


def test_a_measured_effect_is_shown_with_its_verdict_and_sentence(app, db_session, org):
    *_rest, t = org
    measured = _action(db_session, "Weekly team retros", [t["A"]])
    waiting = _action(db_session, "Clear career paths", [])
    db_session.flush()
    sentence = "Engagement rose 9 points more (interval 2 to 16)."
    effects = {measured.id: _Effect("measured", "it likely worked", sentence)}
    with app.test_request_context():
        macro = app.jinja_env.get_template("shared/_actions.html").module.action_table
        html = str(macro([measured, waiting], {measured.id: "Alpha squad", waiting.id: "The whole organisation"},
                         effects, lambda key: key, dt.date(2026, 12, 1)))
    assert "<strong>it likely worked</strong>: Engagement rose 9 points more (interval 2 to 16)." in html
    assert html.count("not measured yet") == 1
