"""The "What you told us" mail through a real SMTP server: once per invitee across ticks, whatever they answered."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from surveys.fieldwork import results_links, results_mail
from surveys.models import Invitation, SubmissionReceipt, Wave

from ..mailserver import free_port
from .test_mail import BASE_URL, T0, parts, tick

RESULTS_RE = re.compile(re.escape(BASE_URL) + r"/results/([0-9]+\.[0-9]+\.[A-Za-z0-9_-]+)")
SECRET = "test-secret-key-0123456789"



@pytest.fixture
def app_config(app_config, smtp_server):
    return {**app_config, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp_server[1], "BASE_URL": BASE_URL,
            "SMTP_SENDER": "surveys@tandem.example", "MIN_GROUP_SIZE": 5, "MIN_COMMENT_GROUP_SIZE": 10}


@pytest.fixture
def inbox(smtp_server):
    return smtp_server[0]


@pytest.fixture
def pulse(make):
    """A monthly employee program for two teams of six, its November wave still a draft."""
    teams = [make.team(name="Support"), make.team(name="Billing")]
    people = [make.person(team=t) for t in teams for _ in range(6)]
    program = make.program(cadence="monthly")
    program.survey.title = "Engagement pulse"
    wave = make.wave(program, status="draft", label="2026-11", opens_at=T0)
    return program, wave, people


def results_mails(inbox):
    return [m for m in inbox.messages if m["Subject"].startswith("What you told us")]


def test_each_invitee_gets_one_results_mail_across_ticks_answered_or_not(runner, db_session, pulse, inbox):
    program, wave, people = pulse
    tick(runner, "2026-11-02T08:00:30")  # opens and invites
    answered = db_session.scalar(select(Invitation).where(Invitation.person_id == people[0].id))
    db_session.add(SubmissionReceipt(invitation_id=answered.id))
    db_session.commit()
    inbox.messages.clear()
    result = tick(runner, "2026-11-16T08:00:00")  # closes
    assert "closed 1" in result.output and "results shared 12" in result.output
    assert "results shared 0" in tick(runner, "2026-11-16T08:01:00").output
    mails = results_mails(inbox)
    assert sorted(m["To"] for m in mails) == sorted(p.email for p in people)
    key = results_links.link_key({"SECRET_KEY": SECRET})
    bodies = {}
    for message in mails:
        text, html = parts(message)
        token = RESULTS_RE.search(text).group(1)
        assert RESULTS_RE.search(html).group(1) == token
        assert f"{BASE_URL}/you-said-we-did" in text and f"{BASE_URL}/you-said-we-did" in html
        person = next(p for p in people if p.email == message["To"])
        assert results_links.read_token(key, token) == (wave.id, person.team_id)
        bodies[person.id] = text.replace(person.name, "NAME")
    # The one who answered got the very words their teammates got: the mail says nothing about answering.
    same_team = [p.id for p in people if p.team_id == people[0].team_id]
    assert len({bodies[pid] for pid in same_team}) == 1
    assert "Thank you to everyone in your team who took part" in bodies[people[0].id]


def test_no_results_mail_when_the_program_opted_out(runner, db_session, pulse, inbox):
    program, _wave, _people = pulse
    program.share_results = False
    db_session.commit()
    tick(runner, "2026-11-02T08:00:30")
    result = tick(runner, "2026-11-16T08:00:00")
    assert "closed 1" in result.output and "results shared 0" in result.output
    assert results_mails(inbox) == []


def test_no_results_mail_for_customer_programs(runner, db_session, make, inbox):
    program = make.program(audience="customer", cadence="custom")
    make.wave(program, status="open", label="Q4", opens_at=T0)
    db_session.commit()
    result = tick(runner, "2026-11-16T08:00:00")
    assert "closed 1" in result.output and "results shared 0" in result.output
    assert results_mails(inbox) == []


def test_waves_closed_long_ago_are_not_mailed(runner, db_session, pulse, inbox):
    tick(runner, "2026-11-02T08:00:30")
    tick(runner, "2026-11-16T07:59:00")  # still open
    assert "results shared 0" in tick(runner, "2026-12-01T08:00:00").output  # closed 15 days ago
    assert results_mails(inbox) == []


def test_refused_results_mail_is_released_and_sent_on_the_next_tick(runner, db_session, pulse, inbox):
    _program, wave, people = pulse
    tick(runner, "2026-11-02T08:00:30")
    inbox.refuse.add(people[3].email)
    result = tick(runner, "2026-11-16T08:00:00")
    assert "results shared 11" in result.output and "failed 1" in result.output
    assert f"results to {people[3].email} refused" in result.output
    stamp = select(Invitation.results_sent_at).where(Invitation.person_id == people[3].id)
    assert db_session.scalar(stamp) is None
    inbox.refuse.clear()
    assert re.search(r"results shared 1\b", tick(runner, "2026-11-16T08:00:30").output)
    assert db_session.scalar(stamp) is not None
    assert sorted(m["To"] for m in results_mails(inbox)) == sorted(p.email for p in people)


def test_unreachable_smtp_server_releases_every_results_claim(app, runner, db_session, pulse, inbox):
    _program, wave, _people = pulse
    tick(runner, "2026-11-02T08:00:30")
    app.config["SMTP_PORT"] = free_port()  # nothing listens there
    result = tick(runner, "2026-11-16T08:00:00")
    assert "closed 1" in result.output and "results shared 0" in result.output and "failed 12" in result.output
    pending = select(Invitation.id).where(Invitation.wave_id == wave.id, Invitation.results_sent_at.is_(None))
    assert len(db_session.scalars(pending).all()) == 12


def test_a_claim_is_taken_once_even_by_two_claimers(db_session, pulse, runner):
    _program, wave, _people = pulse
    tick(runner, "2026-11-02T08:00:30")
    wave = db_session.get(Wave, wave.id)  # the tick's session closed: load it again
    wave.status, wave.closes_at = "closed", T0.replace(day=16)
    db_session.commit()
    now = T0.replace(day=16, hour=9)
    first = results_mail.claim_results(db_session, now, limit=100, key=b"k" * 32)
    second = results_mail.claim_results(db_session, now, limit=100, key=b"k" * 32)
    assert len(first) == 12 and second == []
    assert results_mail.release_results(db_session, first[0])
    again = results_mail.claim_results(db_session, now, key=b"k" * 32)
    assert [j.invitation_id for j in again] == [first[0].invitation_id]
