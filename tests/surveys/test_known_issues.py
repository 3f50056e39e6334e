"""Known issues service: checks with clear messages, statuses with dated notes, publishing, the public list."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from surveys.errors import Conflict, NotFound, ValidationError, ValidationErrors
from surveys.models import AuditEvent, PublicIssue, utcnow
from surveys.publicity import known_issues as ki


def _issue(session, **kw):
    fields = {"title": "Card payments fail at checkout", "what_wrong": "Some card payments are refused.",
              "what_doing": "Our payment provider is on it.", **kw}
    return ki.create_issue(session, **fields, actor_id=None)


def test_create_is_a_draft_investigating_with_one_update_and_audited(db_session):
    issue = _issue(db_session, started_on="2026-10-12")
    assert (issue.published, issue.status, issue.started_on) == (False, "investigating", dt.date(2026, 10, 12))
    assert [(u.status, u.note) for u in issue.updates] == [("investigating", "")]
    actions = db_session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "public_issue")).all()
    assert actions == ["known_issue.create"]


def test_every_problem_is_named_at_once(db_session):
    with pytest.raises(ValidationErrors) as caught:
        ki.create_issue(db_session, title="  ", what_wrong="", what_doing="x" * 4001, started_on="12/10/2026",
                        alert_id="999999", action_id="abc")
    errors = caught.value.field_errors
    assert errors["title"] == ["The title is required: write it as customers should read it."]
    assert errors["what_wrong"] == ["What is wrong is required: write it as customers should read it."]
    assert errors["what_doing"] == ["What is being done is 4001 characters long; keep it to 4000 at most."]
    assert "YYYY-MM-DD" in errors["started_on"][0] and "12/10/2026" in errors["started_on"][0]
    assert errors["alert_id"] == ["There is no alert #999999 to link this issue to."]
    assert errors["action_id"] == ["There is no action #abc to link this issue to."]
    assert db_session.scalar(select(PublicIssue.id)) is None


def test_limits_and_future_dates(db_session):
    with pytest.raises(ValidationError, match="201 characters long; keep it to 200"):
        _issue(db_session, title="t" * 201)
    tomorrow = (utcnow() + dt.timedelta(days=2)).date().isoformat()
    with pytest.raises(ValidationError, match="is in the future"):
        _issue(db_session, started_on=tomorrow)
    assert _issue(db_session, title="t" * 200).title == "t" * 200


def test_status_moves_forward_back_on_regression_and_each_step_is_a_dated_public_note(db_session):
    issue = _issue(db_session)
    ki.change_status(db_session, issue.id, "fix_planned", "A fix goes out on Tuesday.")
    ki.change_status(db_session, issue.id, "fixed", "Payments work again.")
    assert issue.status == "fixed" and issue.fixed_at is not None
    with pytest.raises(Conflict, match="cannot become 'Fix planned'"):
        ki.change_status(db_session, issue.id, "fix_planned", "again")
    ki.change_status(db_session, issue.id, "investigating", "It came back for some cards.")
    assert issue.status == "investigating" and issue.fixed_at is None
    ki.change_status(db_session, issue.id, "investigating", "Still looking.")  # a note alone
    assert [(u.status, u.note) for u in issue.updates] == [
        ("investigating", ""), ("fix_planned", "A fix goes out on Tuesday."), ("fixed", "Payments work again."),
        ("investigating", "It came back for some cards."), ("investigating", "Still looking.")]
    assert all(u.at.date() == utcnow().date() for u in issue.updates)


def test_status_refuses_nonsense_and_empty_updates(db_session):
    issue = _issue(db_session)
    with pytest.raises(ValidationError, match="Choose a status"):
        ki.change_status(db_session, issue.id, "solved")
    with pytest.raises(ValidationError, match="already 'Investigating'; write a note"):
        ki.change_status(db_session, issue.id, "investigating", "   ")
    with pytest.raises(ValidationError, match="2001 characters"):
        ki.change_status(db_session, issue.id, "fixed", "n" * 2001)
    with pytest.raises(NotFound):
        ki.change_status(db_session, 987654, "fixed")


def test_publish_dates_once_and_the_public_list_orders_open_then_recently_fixed(db_session):
    old_fixed, recent_fixed, open_one, draft = (_issue(db_session, title=t) for t in ("Old", "Recent", "Open", "Draft"))
    for issue in (old_fixed, recent_fixed, open_one):
        ki.set_published(db_session, issue.id, True)
    first = open_one.published_at
    ki.set_published(db_session, open_one.id, False)
    ki.set_published(db_session, open_one.id, True)
    assert open_one.published_at == first
    ki.change_status(db_session, old_fixed.id, "fixed")
    ki.change_status(db_session, recent_fixed.id, "fixed")
    old_fixed.fixed_at = utcnow() - dt.timedelta(days=91)
    db_session.flush()
    assert [i.title for i in ki.public_issues(db_session)] == ["Open", "Recent"]
    assert ki.published_issue(db_session, old_fixed.id).title == "Old"  # its own page stays while published
    with pytest.raises(NotFound):
        ki.published_issue(db_session, draft.id)
    assert [i.title for i in ki.all_issues(db_session)][-2:] in (["Recent", "Old"], ["Old", "Recent"])
    audited = db_session.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == open_one.id,
                                                                 AuditEvent.entity_type == "public_issue")).all()
    assert audited == ["known_issue.create", "known_issue.publish", "known_issue.unpublish", "known_issue.publish"]


def test_edit_changes_only_the_text_and_records_which_fields(db_session):
    issue = _issue(db_session)
    ki.edit_issue(db_session, issue.id, title="Card payments fail", what_wrong=issue.what_wrong,
                  what_doing="Fixed by Friday.", started_on="")
    assert (issue.title, issue.what_doing) == ("Card payments fail", "Fixed by Friday.")
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "known_issue.edit")).one()
    assert event.detail == {"fields": ["title", "what_doing"]}
    with pytest.raises(ValidationError, match="What is wrong is required"):
        ki.edit_issue(db_session, issue.id, title="x", what_wrong=" ")
