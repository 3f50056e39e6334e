"""The fuzz suite's world: one organisation with every kind of object a route can name, a client signed
in as each role, and a savepoint around every example so examples never see each other's writes."""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from surveys.insights.reports import REPORTS
from sqlalchemy import func, select

from surveys.collection import preview
from surveys.instruments.library import BUILTIN
from surveys.models import (
    Action, ActionEvent, ActionStep, ActionUpdate, Alert, Answer, Goal, Person, Program, Question, Response, Survey,
    Team, Touchpoint, Wave, utcnow,
)
from surveys.models.voice import Outcome, OutcomeMetric
from tests.conftest import STAFF_PASSWORD

ROLES = ("hr_admin", "executive", "team_lead", None)  # None: nobody signed in
# Rows a refused request must never leave behind ("never a partial write").
DOMAIN_TABLES = (Response, Answer, Team, Person, Touchpoint, Program, Wave, Survey, Question, Action, ActionStep,
                 ActionUpdate, ActionEvent, Goal, Outcome, OutcomeMetric)
CX_QUESTIONS = [
    {"code": "csat", "qtype": "likert5", "dimension": "csat"},
    {"code": "nps", "qtype": "scale0_10", "dimension": "nps"},
    {"code": "comment", "qtype": "text", "dimension": "comment", "required": False},
]


@dataclass
class World:
    team: Team
    editable: Survey  # used by no program: the editor changes it in place
    program: Program  # employee, custom cadence, with an open and a draft wave
    open_wave: Wave
    draft_wave: Wave
    cx_program: Program
    cx_wave: Wave
    touchpoint: Touchpoint
    token: str  # an employee's invitation to the open wave
    invitation_id: int
    preview_token: str
    action_id: int  # an action of `team` with one step
    step_id: int
    action_owner_id: int
    alert_id: int = 0  # an open alert at `touchpoint`

    def path_values(self, name: str) -> tuple:
        """Real values for a route's path parameter, so a POST reaches its form handling."""
        return {
            "survey_id": (self.editable.id, self.program.survey_id, self.cx_program.survey_id),
            "question_id": tuple(q.id for q in self.editable.questions) + (self.program.survey.questions[0].id,),
            "program_id": (self.program.id, self.cx_program.id),
            "wave_id": (self.open_wave.id, self.draft_wave.id, self.cx_wave.id),
            "template": tuple(BUILTIN),
            "code": (self.touchpoint.code,),
            "program_code": (self.cx_program.code,),
            "touchpoint_code": (self.touchpoint.code,),
            "token": (self.token, self.preview_token),
            "name": tuple(REPORTS),
            "fmt": ("csv", "json", "xlsx", "pdf", "svg", "png"),
            "chart": ("rates", "trend", "nothing"),
            "job_id": (1,),  # no import job exists here: its pages answer 404, never 500
            "token_id": (1, 2),  # API tokens: the fuzzed person's own first, or someone else's (404)
            "alert_id": (self.alert_id, self.alert_id + 1000),
            "action_id": (self.action_id, self.action_id + 1000),  # the second: none, or out of scope (404)
            "step_id": (self.step_id, self.step_id + 1000),
            "goal_id": (1,),  # no goal exists here: editing one answers 404, never 500
            "issue_id": (1,),  # no known issue exists here: its pages answer 404, never 500
            "case_id": (1,),  # no follow-up case exists here: its pages and forms answer 404, never 500
            "theme_id": (1,),  # no theme exists here: an edit flashes "There is no theme 1", never 500
            "team_code": (self.team.code, "NO-SUCH-TEAM"),
            "digest_period": ("weekly", "fortnightly"), "digest_day": ("2026-11-23", "2026-13-45"),
            # Results links: no wave here has closed, so a well-formed and a forged link both answer 404.
            "link": (f"{self.open_wave.id}.{self.team.id}.{'0' * 64}", "not-a-link"),
        }[name]

    def hints(self) -> tuple[str, ...]:
        """Real values a form field might hold (ids, codes, choices), mixed into the generated values."""
        ids = (self.team.id, self.editable.id, self.program.id, self.open_wave.id, self.draft_wave.id,
               self.cx_program.id, self.invitation_id)
        codes = (self.team.code, self.program.code, self.cx_program.code, self.touchpoint.code, *BUILTIN)
        choices = ("employee", "customer", "likert5", "scale0_10", "single_choice", "multi_choice", "text",
                   "engagement", "csat", "web", "phone", "monthly", "custom", "always_on", "teams", "people",
                   "touchpoints", "feedback", "responses", "#1f6f8b", "1", "0", "5", "10")
        return tuple(str(v) for v in (*ids, *codes, *choices))


@pytest.fixture
def world(make, db_session) -> World:
    now = utcnow().replace(second=0, microsecond=0)
    team = make.team(code="OPS")
    editable = make.survey(questions=[
        {"code": "eng1", "qtype": "likert5", "dimension": "engagement"},
        {"code": "pick", "qtype": "single_choice", "dimension": "culture", "choices": ["a", "b"]},
        {"code": "comment", "qtype": "text", "dimension": "comment", "required": False}])
    program = make.program(cadence="custom")
    open_wave = make.wave(program, opens_at=now - dt.timedelta(days=1), days=30)
    draft_wave = make.wave(program, status="draft", opens_at=now + dt.timedelta(days=40), days=10)
    cx_program = make.program(survey=make.survey(audience="customer", questions=CX_QUESTIONS),
                              cadence="always_on")
    cx_wave = make.wave(cx_program, opens_at=now - dt.timedelta(days=1), days=30)
    touchpoint = make.touchpoint(team=team, code="WEB-SHOP")
    invitation, token = make.invitation(open_wave, make.person(team=team))
    owner = make.staff(role="team_lead", team=team, email="action-owner@example.com")
    action = Action(title="Fuzzed action", metric="process", owner=owner, teams=[team],
                    starts_on=dt.date(2026, 12, 1), due_on=dt.date(2027, 3, 1), steps=[ActionStep(text="A step")])
    db_session.add(action)
    alert = Alert(touchpoint=touchpoint, team=team, metric="csat", kind="sudden_week", began_on=dt.date(2026, 10, 5),
                  detected_on=dt.date(2026, 10, 14), last_seen_on=dt.date(2026, 10, 20), drop=12.0, low=3.0, high=21.0)
    db_session.add(alert)
    db_session.commit()
    preview_token = preview.make_token("test-secret-key-0123456789", open_wave.id)
    return World(team, editable, program, open_wave, draft_wave, cx_program, cx_wave, touchpoint, token,
                 invitation.id, preview_token, action.id, action.steps[0].id, owner.id, alert.id)


@pytest.fixture
def role_client(app, make, world, db_session):
    """A test client signed in as `role` (None: anonymous), holding an employee's survey session too."""

    def _client(role: str | None):
        client = app.test_client()
        if role is not None:
            person = make.staff(role=role, team=world.team, password=STAFF_PASSWORD)
            db_session.commit()
            response = client.post("/login", data={"email": person.email, "password": STAFF_PASSWORD})
            assert response.status_code == 302, response.data
        assert client.get(f"/r/i/{world.token}").status_code == 302  # the survey session cookie
        db_session.close()
        return client

    return _client


def domain_counts(connection) -> dict[str, int]:
    return {t.__tablename__: connection.scalar(select(func.count()).select_from(t)) for t in DOMAIN_TABLES}


@contextmanager
def example_savepoint(connection, db_session, client=None):
    """Run one example inside a savepoint of the test's connection, then roll it back (cookies too)."""
    db_session.close()
    cookies = dict(client._cookies) if client is not None else {}
    nested = connection.begin_nested()
    try:
        yield
    finally:
        db_session.close()
        if nested.is_active:
            nested.rollback()
        if client is not None:
            client._cookies.clear()
            client._cookies.update(cookies)
