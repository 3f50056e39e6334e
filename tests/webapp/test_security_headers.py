"""Security headers on every kind of response, and no inline script or style in any page we render."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from surveys.insights.reports import REPORTS, available

from surveys.collection import preview
from surveys.fieldwork import results_links
from surveys.goals import service as goals
from surveys.ingestion import jobs
from surveys.models import Action, ActionStep, ActionUpdate, Alert, FollowUpCase, utcnow
from surveys.publicity import known_issues
from webapp import create_app
from webapp.security import CSP

ROOT = Path(__file__).resolve().parents[2]
NOW = utcnow()
# JSON data blocks (type="application/json") are never executed, so the CSP does not concern them.
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)


@pytest.fixture
def world(make, db_session, app):
    """One of everything a page can show: employee and customer programs with open waves, a touchpoint."""
    employee = make.program(code="PULSE")
    wave = make.wave(program=employee, label="2026-11", opens_at=NOW - dt.timedelta(days=1))
    customer = make.program(audience="customer", code="CX")
    make.wave(program=customer, opens_at=NOW - dt.timedelta(days=1))
    touchpoint = make.touchpoint(code="STORE1", channel="store")
    _invitation, token = make.invitation(wave=wave)
    closed = make.wave(program=employee, status="closed", label="2026-10", opens_at=NOW - dt.timedelta(days=40))
    job = jobs.create_job(db_session, kind="touchpoints", files=[], options={}, dry_run=False, actor_id=None,
                          now=NOW)  # an upload waiting for its import: the progress page
    action = Action(title="Huddles", metric="process", teams=[touchpoint.team], starts_on=NOW.date(),
                    due_on=NOW.date(), steps=[ActionStep(text="Book a room")], updates=[ActionUpdate(note="Begun")])
    db_session.add(action)
    goal = goals.create_goal(db_session, metric="engagement", team_id=None, target=70, due_on="2099-12-31")
    issue = known_issues.create_issue(db_session, title="Chat is down", what_wrong="The chat does not open.")
    known_issues.set_published(db_session, issue.id, True)
    [said] = make.responses(make.wave(program=customer, status="closed"), touchpoint.team, 1)
    said.touchpoint_id = touchpoint.id
    case = FollowUpCase(response_id=said.id, touchpoint_id=touchpoint.id, team_id=touchpoint.team_id,
                        trigger="nps_detractor", score=3, due_at=NOW)
    db_session.add(case)
    alert = Alert(touchpoint_id=touchpoint.id, team_id=touchpoint.team_id, metric="csat", kind="sudden_week",
                  began_on=NOW.date(), detected_on=NOW.date(), last_seen_on=NOW.date(), baseline=80, current=50,
                  drop=30, low=20, high=40, baseline_n=200, current_n=40)
    db_session.add(alert)
    db_session.commit()
    survey = employee.survey
    return {"survey_id": survey.id, "question_id": survey.questions[0].id, "program_id": employee.id,
            "wave_id": wave.id, "code": touchpoint.code, "template": "engagement", "program_code": "CX",
            "touchpoint_code": touchpoint.code, "token": token, "job_id": job.id,
            "action_id": action.id, "goal_id": goal.id, "issue_id": issue.id, "case_id": case.id, "alert_id": alert.id,
            "team_code": touchpoint.team.code,
            "link": results_links.make_token(results_links.link_key(app.config), closed.id, touchpoint.team_id),
            "digest_period": "weekly", "digest_day": "2026-11-23"}


def assert_headers(response, *, cache="no-store"):
    headers = response.headers
    assert headers["Content-Security-Policy"] == CSP
    assert "'unsafe-inline'" not in CSP and "script-src 'self'" in CSP and "style-src 'self'" in CSP
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Frame-Options"] == "DENY"
    if cache:
        assert headers["Cache-Control"] == cache
    assert "Strict-Transport-Security" not in headers  # plain http


def assert_no_inline_code(path: str, html: str):
    assert not INLINE_SCRIPT.search(html), f"{path}: inline <script>"
    assert not HANDLER.search(html), f"{path}: on*= handler {HANDLER.search(html).group()!r}"
    assert not STYLE.search(html), f"{path}: inline style"


def test_respondent_page(client, world):
    response = client.get("/r/c/CX/STORE1")
    assert response.status_code == 200
    assert_headers(response)


def test_public_known_issues_pages_may_be_cached_by_anyone(client, world):
    for path in ("/known-issues", f"/known-issues/{world['issue_id']}", "/known-issues.atom"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_headers(response, cache="public, max-age=300")


def test_staff_page(client, login, world):
    login("hr_admin")
    for path in ("/admin/programs", f"/admin/programs/{world['program_id']}", "/reports/", "/actions/",
                 "/api/me", "/login", "/known-issues/manage", f"/known-issues/{world['issue_id']}/edit"):
        response = client.get(path)
        assert response.status_code in (200, 302), path
        assert_headers(response)


def test_csv_download(client, login, world):
    login("hr_admin")
    response = client.post("/admin/touchpoints/contact-links",
                           data={"program": "CX", "touchpoint": "STORE1", "count": "2"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert_headers(response)


@pytest.mark.parametrize("path", ["/no/such/page", "/r/i/not-a-token", "/admin/programs/999999"])
def test_error_pages(client, login, path):
    login("hr_admin")
    response = client.get(path)
    assert response.status_code == 404
    assert_headers(response)


def test_static_files_and_logo_keep_their_own_caching(client):
    response = client.get("/static/tandem.js")
    assert response.status_code == 200 and response.headers["Cache-Control"] != "no-store"
    assert response.headers["Content-Security-Policy"] == CSP
    response.close()


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://tandem.test")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.parametrize("proxies, expected", [(0, False), (1, True)])
def test_hsts_behind_a_proxy_needs_trusted_proxies(app_config, proxies, expected):
    # Without TANDEM_TRUSTED_PROXIES anyone could send X-Forwarded-Proto; with it, the proxy's word counts.
    app = create_app({**app_config, "TRUSTED_PROXIES": proxies})
    response = app.test_client().get("/login", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.9"})
    assert ("Strict-Transport-Security" in response.headers) is expected


def test_no_template_holds_inline_script_handlers_or_style():
    for path in sorted((ROOT / "templates").rglob("*.html")):
        if "mail" in path.parts:  # mail is read in mail clients, which need inline style, and never runs script
            continue
        assert_no_inline_code(str(path.relative_to(ROOT)), path.read_text())


QUERIES = {"admin.touchpoint_qr": "?program=CX", "admin.touchpoint_qr_svg": "?program=CX"}


def _fill(rule, world: dict) -> str:
    path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: str(world[m.group(1)]), rule.rule)
    return path + QUERIES.get(rule.endpoint, "")


def test_every_page_renders_without_inline_script(app, client, login, world):
    """Every GET route, as an HR admin, with real ids: no inline script, handler or style in the HTML."""
    login("hr_admin")
    seen = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "auth.home") or rule.rule.startswith("/r/"):
            continue
        if rule.endpoint in ("reports.export", "reports.chart", "api.v1.report", "voice.wave_responses"):
            continue  # files and JSON, not pages
        paths = ([f"/reports/{name}" for name in REPORTS if available(name)] if rule.endpoint == "reports.page"
                 else [_fill(rule, world)])
        for path in paths:
            response = client.get(path, follow_redirects=True)  # e.g. opening an open wave goes to its program
            if response.mimetype == "text/html":
                assert response.status_code == 200, path
                assert_no_inline_code(path, response.get_data(as_text=True))
                seen.append(path)
    assert len(seen) >= 20
    # Respondent pages, including the chart-free preview and an employee's walk from link to first page.
    token = preview.make_token(app.config["SECRET_KEY"], world["wave_id"])
    for path in ("/r/c/CX/STORE1", f"/r/p/{token}", f"/r/i/{world['token']}", "/r/thanks", "/r/i/unknown"):
        response = client.get(path, follow_redirects=True)
        assert response.mimetype == "text/html", path
        assert_no_inline_code(path, response.get_data(as_text=True))
