"""Invitation and reminder mail through a real SMTP server on loopback, and `tandem tick` end to end."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from surveys.fieldwork import invitations, mailer, scheduling
from surveys.models import Invitation, SubmissionReceipt, Wave
from surveys.tokens import hash_token

from ..mailserver import free_port

BASE_URL = "https://tandem.example"
LINK_RE = re.compile(re.escape(BASE_URL) + r"/r/i/([A-Za-z0-9_-]+)")
T0 = dt.datetime(2026, 11, 2, 8, 0)



@pytest.fixture
def app_config(app_config, smtp_server):
    _handler, port = smtp_server
    return {**app_config, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "SMTP_SENDER": "surveys@tandem.example",
            "BASE_URL": BASE_URL, "MIN_GROUP_SIZE": 5, "MIN_COMMENT_GROUP_SIZE": 10}


@pytest.fixture
def inbox(smtp_server):
    return smtp_server[0]


@pytest.fixture
def staff_wave(make):
    """A monthly engagement program for one team of six people, its November wave still a draft."""
    team = make.team(name="Support")
    people = [make.person(team=team) for _ in range(6)]
    program = make.program(cadence="monthly")
    program.name, program.reminder_days = "Monthly pulse", 3
    program.survey.title = "Engagement pulse"
    wave = make.wave(program, status="draft", label="2026-11", opens_at=T0)
    return wave, people


def parts(message):
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def stored_hash(db_session, email: str, wave_id: int) -> str:
    return db_session.scalar(select(Invitation.token_hash).join(Invitation.person)
                             .where(Invitation.wave_id == wave_id, Invitation.person.has(email=email)))


def tick(runner, when: str):
    result = runner.invoke(args=["tick", "--now", when])
    assert result.exit_code == 0, result.output
    return result


def test_send_mail_delivers_text_and_html_parts(inbox, smtp_server):
    _handler, port = smtp_server
    mailer.send_mail("127.0.0.1", port, "surveys@tandem.example", "ann@example.com", "Hello", "plain body",
                     "<p>html body</p>")
    (message,) = inbox.messages
    assert message["To"] == "ann@example.com" and message["Subject"] == "Hello"
    assert message.get_content_type() == "multipart/alternative"
    text, html = parts(message)
    assert text.strip() == "plain body" and "<p>html body</p>" in html


def test_invitation_mail_names_survey_closing_date_promise_and_link(db_session, staff_wave, smtp_server, inbox):
    wave, _people = staff_wave
    scheduling.open_wave(db_session, wave.id, T0, None, 5, 10)
    job = invitations.claim_invitations(db_session, T0, limit=1)[0]
    subject, text, html = mailer.render(job, BASE_URL)
    mailer.send_mail("127.0.0.1", smtp_server[1], "surveys@tandem.example", job.email, subject, text, html)
    received_text, received_html = parts(inbox.messages[0])
    for body in (received_text, received_html):
        assert "Engagement pulse" in body
        assert "Monday 16 November 2026, 08:00 UTC" in body
        assert "Your answers are anonymous" in body and "at least 5 people" in body
        assert f"{BASE_URL}/r/i/{job.token}" in body
    assert "<img" not in received_html.lower()  # no tracking pixels
    assert subject == "Your invitation: Engagement pulse"


def test_html_part_escapes_names(db_session, staff_wave):
    wave, people = staff_wave
    people[0].name = "<script>alert(1)</script>"
    scheduling.open_wave(db_session, wave.id, T0, None, 5, 10)
    job = next(j for j in invitations.claim_invitations(db_session, T0) if j.email == people[0].email)
    _subject, _text, html = mailer.render(job, BASE_URL)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_tick_cli_opens_invites_mails_and_is_idempotent(runner, db_session, staff_wave, inbox):
    wave, people = staff_wave
    result = tick(runner, "2026-11-02T08:00:30")
    assert "opened 1, closed 0, released 0, scheduled 1, invited 6, sent 6, reminded 0, failed 0" in result.output
    assert sorted(m["To"] for m in inbox.messages) == sorted(p.email for p in people)
    for message in inbox.messages:
        text, html = parts(message)
        token = LINK_RE.search(text).group(1)
        assert LINK_RE.search(html).group(1) == token
        assert hash_token(token) == stored_hash(db_session, message["To"], wave.id)
    again = tick(runner, "2026-11-02T08:01:00")
    assert "opened 0, closed 0, released 0, scheduled 0, invited 0, sent 0, reminded 0, failed 0" in again.output
    assert len(inbox.messages) == 6  # no duplicate mail
    assert db_session.scalar(select(func.count()).select_from(Invitation)) == 6


def test_tick_reminds_non_responders_once_with_a_replacing_link(runner, db_session, staff_wave, inbox):
    wave, people = staff_wave
    tick(runner, "2026-11-02T08:00:30")
    answered = db_session.scalar(select(Invitation).where(Invitation.person_id == people[0].id))
    db_session.add(SubmissionReceipt(invitation_id=answered.id))
    db_session.commit()
    inbox.messages.clear()
    assert "reminded 0" in tick(runner, "2026-11-05T08:00:00").output  # 3 days not yet passed
    result = tick(runner, "2026-11-05T08:01:00")
    assert "reminded 5" in result.output
    assert sorted(m["To"] for m in inbox.messages) == sorted(p.email for p in people[1:])
    for message in inbox.messages:
        text, _html = parts(message)
        assert "replaces the one in our earlier email" in text
        assert message["Subject"].startswith("Reminder: Engagement pulse")
        assert hash_token(LINK_RE.search(text).group(1)) == stored_hash(db_session, message["To"], wave.id)
    assert "reminded 0" in tick(runner, "2026-11-07T08:00:00").output
    assert len(inbox.messages) == 5


def test_refused_recipient_is_released_and_retried_others_still_sent(runner, db_session, staff_wave, inbox):
    wave, people = staff_wave
    inbox.refuse.add(people[2].email)
    result = tick(runner, "2026-11-02T08:00:30")
    assert "sent 5" in result.output and "failed 1" in result.output
    assert f"invitation to {people[2].email} refused" in result.output
    assert db_session.scalar(select(Invitation.sent_at).where(Invitation.person_id == people[2].id)) is None
    inbox.refuse.clear()
    assert "sent 1, reminded 0, failed 0" in tick(runner, "2026-11-02T08:01:00").output
    assert sorted(m["To"] for m in inbox.messages) == sorted(p.email for p in people)


def test_unreachable_smtp_server_leaves_everything_for_the_next_tick(app, runner, db_session, staff_wave):
    wave, _people = staff_wave
    app.config["SMTP_PORT"] = free_port()  # nothing listens there
    result = tick(runner, "2026-11-02T08:00:30")
    assert "opened 1" in result.output and "sent 0" in result.output and "failed 6" in result.output
    assert "cannot reach SMTP server" in result.output
    unsent = db_session.scalar(select(func.count()).select_from(Invitation)
                               .where(Invitation.wave_id == wave.id, Invitation.sent_at.is_(None)))
    assert unsent == 6


def test_tick_rejects_a_bad_now(runner):
    result = runner.invoke(args=["tick", "--now", "next tuesday"])
    assert result.exit_code == 2
    assert "is not an ISO date-time" in result.output


def test_tick_closes_with_drafts_erased(runner, db_session, staff_wave):
    wave, _people = staff_wave
    tick(runner, "2026-11-02T08:00:30")
    inv = db_session.scalar(select(Invitation).where(Invitation.wave_id == wave.id))
    inv.draft = {"eng1": 3}
    db_session.commit()
    assert "closed 1" in tick(runner, "2026-11-16T08:00:00").output
    assert db_session.scalar(select(func.count()).select_from(Invitation)
                             .where(Invitation.wave_id == wave.id, Invitation.draft.is_not(None))) == 0
    assert db_session.scalar(select(Wave.status).where(Wave.id == wave.id)) == "closed"
