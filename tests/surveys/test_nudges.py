"""Action nudges through a real SMTP server on loopback: which nudges are due, once each across ticks, a failed
server leaves them to retry, HR's weekly summary once per ISO week, and the settings."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from surveys.actions import nudge_mail, nudges
from surveys.models import Action, Reminder
from webapp.config import ConfigError, load_config

from ..mailserver import free_port

BASE_URL = "https://tandem.example"
MONDAY = dt.datetime(2026, 11, 30, 8, 0)  # ISO week 2026-W49
TODAY = MONDAY.date()



@pytest.fixture
def app_config(app_config, smtp_server):
    return {**app_config, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp_server[1], "BASE_URL": BASE_URL,
            "SMTP_SENDER": "actions@tandem.example"}


@pytest.fixture
def inbox(smtp_server):
    return smtp_server[0]


@pytest.fixture
def people(make):
    team = make.team(code="OPS")
    lead = make.staff(role="team_lead", team=team, email="lead@example.com")
    hr = make.staff(role="hr_admin", email="hr@example.com")
    make.staff(role="hr_admin", email="former-hr@example.com", active=False)
    return team, lead, hr


def add_action(db_session, team, owner, title: str, due: dt.date | None, *, status: str = "in_progress",
               updated: dt.datetime = MONDAY - dt.timedelta(days=1)) -> Action:
    action = Action(title=title, metric="process", status=status, owner=owner, teams=[team],
                    starts_on=dt.date(2026, 9, 1), due_on=due, created_at=updated, updated_at=updated)
    db_session.add(action)
    db_session.flush()
    return action


@pytest.fixture
def three(db_session, people):
    """One action due in 5 days, one 3 days overdue, one silent for 40 days (due much later)."""
    team, lead, _hr = people
    soon = add_action(db_session, team, lead, "Stand-up on blockers", TODAY + dt.timedelta(days=5))
    late = add_action(db_session, team, lead, "Fix onboarding", TODAY - dt.timedelta(days=3))
    quiet = add_action(db_session, team, lead, "Tool survey", TODAY + dt.timedelta(days=90),
                       updated=MONDAY - dt.timedelta(days=40))
    add_action(db_session, team, lead, "Finished", TODAY - dt.timedelta(days=3), status="done")
    db_session.commit()
    return soon, late, quiet


def kinds(found) -> list[tuple[str, str]]:
    return sorted((n.kind, n.key) for n in found)


def tick(runner, when: dt.datetime):
    result = runner.invoke(args=["tick", "--now", when.isoformat()])
    assert result.exit_code == 0, result.output
    return result


def by_subject(inbox) -> dict[str, object]:
    return {m["Subject"]: m for m in inbox.messages}


def test_which_nudges_are_due(db_session, three, people):
    soon, late, quiet = three
    _team, _lead, hr = people
    found = nudges.due_nudges(db_session, MONDAY, nudges.NudgeSettings())
    assert kinds(found) == sorted([
        ("action_due_soon", f"action:{soon.id}:due:2026-12-05"),
        ("action_overdue", f"action:{late.id}:overdue:2026-11-27"),
        ("action_stale", f"action:{quiet.id}:stale:2026-11-20"),  # 30 days after its last change
        ("hr_overdue", f"hr:{hr.id}:week:2026-W49"),  # active HR admins only
    ])
    summary = next(n for n in found if n.kind == "hr_overdue")
    assert [a.title for a in summary.actions] == ["Fix onboarding"]
    assert kinds(nudges.due_nudges(db_session, MONDAY, nudges.NudgeSettings(due_soon_days=0, stale_days=0))) == \
        sorted([("action_overdue", f"action:{late.id}:overdue:2026-11-27"),
                ("hr_overdue", f"hr:{hr.id}:week:2026-W49")])
    assert nudges.due_nudges(db_session, MONDAY, nudges.NudgeSettings(enabled=False)) == []
    four_days = nudges.due_nudges(db_session, MONDAY, nudges.NudgeSettings(due_soon_days=4))
    assert "action_due_soon" not in {n.kind for n in four_days}


def test_an_action_without_an_active_owner_is_only_in_hrs_summary(db_session, three, people):
    _soon, late, _quiet = three
    _team, lead, _hr = people
    lead.active = False
    db_session.flush()
    found = nudges.due_nudges(db_session, MONDAY, nudges.NudgeSettings())
    assert [n.kind for n in found] == ["hr_overdue"] and found[0].actions[0].id == late.id


def test_tick_sends_each_nudge_once_with_a_link_to_the_action(runner, db_session, three, inbox):
    soon, late, quiet = three
    first = tick(runner, MONDAY)
    assert "failed 0, nudges 4," in first.output
    mails = by_subject(inbox)
    assert set(mails) == {"Due in 5 days: Stand-up on blockers", "Overdue: Fix onboarding",
                          "No update for 40 days: Tool survey", "1 overdue action (week 2026-W49)"}
    overdue = mails["Overdue: Fix onboarding"]
    assert overdue["To"] == "lead@example.com"
    text = overdue.get_body(preferencelist=("plain",)).get_content()
    html = overdue.get_body(preferencelist=("html",)).get_content()
    for body in (text, html):
        assert f"{BASE_URL}/actions/{late.id}" in body and "3 days overdue" in body
        assert "Friday 27 November 2026" in body and "anonymous" not in body
    assert f"{BASE_URL}/actions/{soon.id}" in mails["Due in 5 days: Stand-up on blockers"].get_body(
        preferencelist=("plain",)).get_content()
    stale = mails["No update for 40 days: Tool survey"].get_body(preferencelist=("plain",)).get_content()
    assert "last change: Wednesday 21 October 2026" in stale and "after another 30 days without an update" in stale
    summary = mails["1 overdue action (week 2026-W49)"]
    assert summary["To"] == "hr@example.com"
    summary_text = summary.get_body(preferencelist=("plain",)).get_content()
    assert "Fix onboarding" in summary_text and f"{BASE_URL}/actions/{late.id}" in summary_text
    assert "Stand-up on blockers" not in summary_text
    second = tick(runner, MONDAY + dt.timedelta(minutes=1))
    assert "nudges 0," in second.output and len(inbox.messages) == 4
    assert db_session.scalar(select(func.count()).select_from(Reminder).where(Reminder.sent_at.is_not(None))) == 4
    # quiet goes silent for another 30 days: a second stale nudge; the others are not repeated.
    # A month later: quiet is silent for a second period, soon is overdue now, soon and late went silent, and
    # it is a new week for HR; the overdue nudge of late is not repeated.
    later = tick(runner, MONDAY + dt.timedelta(days=30))
    assert "nudges 5," in later.output
    assert sorted(m["Subject"] for m in inbox.messages[4:]) == [
        "2 overdue actions (week 2026-W53)", "No update for 31 days: Fix onboarding",
        "No update for 31 days: Stand-up on blockers", "No update for 70 days: Tool survey",
        "Overdue: Stand-up on blockers"]


def test_a_new_due_date_or_an_update_makes_a_new_nudge(runner, db_session, three, inbox):
    soon, _late, quiet = three
    tick(runner, MONDAY)
    # The CLI closed the shared session: load the actions again before changing them.
    db_session.get(Action, soon.id).due_on = TODAY + dt.timedelta(days=6)  # the owner hears of the new date
    db_session.get(Action, quiet.id).updated_at = MONDAY  # a progress note: silence starts again
    db_session.commit()
    tick(runner, MONDAY + dt.timedelta(hours=1))
    assert [m["Subject"] for m in inbox.messages[4:]] == ["Due in 6 days: Stand-up on blockers"]
    tick(runner, MONDAY + dt.timedelta(days=29))
    assert "No update for 59 days: Tool survey" not in [m["Subject"] for m in inbox.messages[5:]]


def test_hr_summary_once_per_iso_week_and_only_with_overdue_actions(runner, db_session, people, inbox):
    team, lead, hr = people
    tick(runner, MONDAY)
    assert inbox.messages == []  # nothing overdue: no summary
    late = add_action(db_session, team, lead, "Fix onboarding", TODAY - dt.timedelta(days=1))
    db_session.commit()
    for when in (MONDAY + dt.timedelta(hours=2), MONDAY + dt.timedelta(days=3), MONDAY + dt.timedelta(days=6)):
        tick(runner, when)
    summaries = [m for m in inbox.messages if "overdue action" in m["Subject"]]
    assert [m["Subject"] for m in summaries] == ["1 overdue action (week 2026-W49)"]
    tick(runner, MONDAY + dt.timedelta(days=7))
    summaries = [m for m in inbox.messages if "overdue action" in m["Subject"]]
    assert [m["Subject"] for m in summaries][-1] == "1 overdue action (week 2026-W50)" and len(summaries) == 2
    db_session.get(Action, late.id).status = "done"
    db_session.commit()
    tick(runner, MONDAY + dt.timedelta(days=14))
    assert len([m for m in inbox.messages if "overdue action" in m["Subject"]]) == 2
    assert db_session.scalar(select(Reminder.recipient_id).where(Reminder.kind == "hr_overdue").limit(1)) == hr.id


def test_unreachable_smtp_server_releases_every_claim_for_the_next_tick(app, runner, db_session, three, inbox):
    port, app.config["SMTP_PORT"] = app.config["SMTP_PORT"], free_port()  # nothing listens there
    result = tick(runner, MONDAY)
    assert "nudges 0," in result.output and "failed 4" in result.output
    assert "nudge(s) not sent, will retry on the next tick: cannot reach SMTP server" in result.output
    assert db_session.scalar(select(func.count()).select_from(Reminder)) == 0
    app.config["SMTP_PORT"] = port
    assert "nudges 4," in tick(runner, MONDAY + dt.timedelta(minutes=1)).output
    assert len(inbox.messages) == 4


def test_a_refused_owner_is_retried_and_the_others_still_go(runner, db_session, three, inbox):
    inbox.refuse.add("lead@example.com")
    result = tick(runner, MONDAY)
    assert "failed 3" in result.output and "nudges 1," in result.output
    assert "nudge to lead@example.com refused" in result.output
    assert [m["To"] for m in inbox.messages] == ["hr@example.com"]
    inbox.refuse.clear()
    assert "nudges 3," in tick(runner, MONDAY + dt.timedelta(minutes=1)).output
    assert sorted(m["To"] for m in inbox.messages) == ["hr@example.com"] + ["lead@example.com"] * 3


def test_a_claim_left_by_a_host_that_stopped_is_taken_over_after_the_timeout(db_session, three, smtp_server, inbox):
    _soon, late, _quiet = three
    key = f"action:{late.id}:overdue:2026-11-27"
    wall = dt.datetime(2026, 11, 30, 12, 0)
    db_session.add(Reminder(kind="action_overdue", key=key, claimed_at=wall - dt.timedelta(minutes=5)))
    db_session.flush()
    due = nudges.due_nudges(db_session, MONDAY, nudges.NudgeSettings())
    assert key not in {n.key for n in nudges.claim(db_session, due, wall)}  # another host is sending it
    db_session.rollback()
    db_session.add(Reminder(kind="action_overdue", key=key, claimed_at=wall - dt.timedelta(hours=2)))
    db_session.flush()
    won = nudges.claim(db_session, due, wall)
    assert key in {n.key for n in won} and len(won) == 4
    assert db_session.scalar(select(Reminder.claimed_at).where(Reminder.key == key)) == wall


def test_settings_come_from_tandem_variables(tmp_path):
    config = load_config({"TANDEM_SECRET_KEY": "x" * 32, "TANDEM_ACTION_DUE_SOON_DAYS": "3",
                          "TANDEM_ACTION_STALE_DAYS": "0", "TANDEM_ACTION_NUDGES": "0"}, instance_path=tmp_path)
    assert nudges.NudgeSettings.from_config(config) == nudges.NudgeSettings(enabled=False, due_soon_days=3,
                                                                           stale_days=0)
    default = load_config({"TANDEM_SECRET_KEY": "x" * 32}, instance_path=tmp_path)
    assert nudges.NudgeSettings.from_config(default) == nudges.NudgeSettings(True, 7, 30)
    with pytest.raises(ConfigError, match="TANDEM_ACTION_STALE_DAYS must be a whole number"):
        load_config({"TANDEM_SECRET_KEY": "x" * 32, "TANDEM_ACTION_STALE_DAYS": "monthly"}, instance_path=tmp_path)


def test_html_escapes_titles_and_subjects_stay_on_one_line(db_session, people):
    team, lead, _hr = people
    action = add_action(db_session, team, lead, "<b>Fix</b>\nthe rota", TODAY)
    (nudge,) = [n for n in nudges.due_nudges(db_session, MONDAY, nudges.NudgeSettings()) if n.key.startswith(
        f"action:{action.id}:")]
    subject, text, html = nudge_mail.render(nudge, BASE_URL)
    assert subject == "Due today: <b>Fix</b> the rota"
    assert "<b>Fix</b>" not in html and "&lt;b&gt;Fix&lt;/b&gt;" in html and "<b>Fix</b>" in text
