"""Digests: periods, compose on a small world (figures worked by hand), scoping, and the mail through a real
SMTP server with its text part, HTML part and inline PNG charts."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from surveys.digests import mail as digest_mail
from surveys.digests import periods, subscriptions
from surveys.digests.compose import compose
from surveys.errors import ValidationError
from surveys.models import ReportCache
from surveys.models.alerts import Alert

from .digest_world import BEFORE, TODAY, WEEK, build


def test_periods_are_calendar_periods_and_the_default_is_the_last_complete_one():
    def last(kind):
        p = periods.last_complete(kind, TODAY)
        return p.start.isoformat(), p.end.isoformat()

    assert last("daily") == ("2026-11-30", "2026-11-30")
    assert last("weekly") == ("2026-11-23", "2026-11-29")
    assert last("monthly") == ("2026-11-01", "2026-11-30")
    assert last("quarterly") == ("2026-07-01", "2026-09-30")  # Q4 has not ended on 1 December
    assert last("annual") == ("2025-01-01", "2025-12-31")
    assert periods.containing("quarterly", dt.date(2026, 12, 31)).end == dt.date(2026, 12, 31)
    assert periods.containing("monthly", dt.date(2024, 2, 10)).days == 29
    assert periods.containing("weekly", WEEK).previous().start == BEFORE
    assert periods.last_complete("weekly", TODAY).label.startswith("week 2026-W48")
    assert periods.due_at(periods.last_complete("weekly", TODAY), 7) == dt.datetime(2026, 11, 30, 7)
    with pytest.raises(ValidationError, match="fortnightly"):
        periods.containing("fortnightly", TODAY)


def test_an_executive_digest_compares_the_week_with_the_one_before(make, db_session):
    w = build(make)
    d = compose(db_session, w.executive, "weekly", TODAY)
    assert d.period.start == WEEK and d.whole_org
    csat = next(k for k in d.kpis if k.metric == "csat")
    # Everyone: (28 + 18) of (40 + 20) = 76.7% before, (40 + 18) of (50 + 20) = 82.9% now.
    assert (csat.previous, csat.previous_n, csat.value, csat.n) == (76.7, 60, 82.9, 70)
    care = next(m for m in d.movers if m.code == "PHONE-CDF")
    # Care: 70% of 40 against 80% of 50, +10 points. Newcombe's hybrid interval from the Wilson intervals
    # 0.5457-0.8193 (28/40) and 0.6696-0.8876 (40/50): 0.1 - sqrt(0.1304^2 + 0.1193^2) = -0.0767 and
    # 0.1 + sqrt(0.0876^2 + 0.1543^2) = 0.2774, so -7.7 to 27.7: not significant.
    assert (care.previous, care.value, care.change, care.change_low, care.change_high) == (70.0, 80.0, 10.0, -7.7, 27.7)
    assert not care.significant and care.n == 50 and care.previous_n == 40
    assert [a.touchpoint for a in d.breakdowns.new] == ["Phone support Cardiff"]
    assert [a.touchpoint for a in d.breakdowns.persistent] == ["Bristol store"]
    assert d.breakdowns.new[0].drop == 12.5 and d.breakdowns.new[0].low == 4.0
    # Significant rises first: 8 against 1 (Clopper-Pearson 0.5175 for 8 of 9: ratio from 1.07) before 9 against
    # 2 (0.4822 for 9 of 11: ratio from 0.93, not significant; exact binomial p = 0.065).
    assert [t.name for t in d.themes] == ["Store prices", "Waiting on hold"]
    hold = d.themes[1]
    assert (hold.current, hold.previous, hold.ratio, hold.significant) == (9, 2, 4.5, False)
    assert d.themes[0].significant
    assert {text for _tp, text in hold.verbatims} == {"I waited on hold for forty minutes.",
                                                       "The queue music never ends."}
    # Cases: 3 opened, 2 closed, 1 of them in time, 1 open and late -> 1 in time of 3 (33.3%); Wilson 95% for
    # 1 of 3: centre (1/3 + z^2/6) / (1 + z^2/3) = 0.4269, half 0.3654 -> 6.1% to 79.2%.
    c = d.cases
    assert (c.opened, c.closed, c.closed_in_time, c.late_open) == (3, 2, 1, 1)
    assert (c.in_time_pct, c.in_time_low, c.in_time_high) == (33.3, 6.1, 79.2)
    assert d.links is not None  # organisation-wide, with a note (too few teams here to correlate)
    assert "fewer than" in d.links.note or "no employee program" in d.links.note.lower()


def test_a_team_leads_digest_never_names_another_departments_touchpoints_or_teams(make, db_session):
    w = build(make)
    d = compose(db_session, w.lead, "weekly", TODAY)
    assert not d.whole_org and d.links is None
    assert "Care Cardiff" in d.scope_label and "Sales" not in d.scope_label
    csat = next(k for k in d.kpis if k.metric == "csat")
    assert (csat.previous, csat.value, csat.change) == (70.0, 80.0, 10.0)  # Care only
    assert {m.where for m in d.movers} <= {"Phone support Cardiff"}
    assert [a.touchpoint for a in d.breakdowns.new] == ["Phone support Cardiff"] and not d.breakdowns.persistent
    assert [t.name for t in d.themes] == ["Waiting on hold"]
    subject, text, html = digest_mail.render(d, "https://tandem.example")
    for other in ("Bristol", "Sales", "Store prices", "STORE-BRS"):
        assert other not in text and other not in str(html), other


def test_every_section_is_empty_but_present_without_data(make, db_session):
    executive = make.staff(role="executive")
    d = compose(db_session, executive, "daily", TODAY)
    assert not d.has_customer_data and d.movers == () and d.themes == () and d.cases.empty
    assert d.breakdowns.new_total == 0 and d.goals == () and d.actions.empty and d.participation == ()
    _subject, text, _html = digest_mail.render(d, "https://tandem.example")
    assert "No customer feedback in this day" in text and "No breakdown alert" in text


def test_the_mail_arrives_with_text_html_and_inline_charts(make, db_session, smtp_server):
    w = build(make)
    inbox, port = smtp_server
    d = compose(db_session, w.executive, "weekly", TODAY)
    settings = digest_mail.MailSettings("127.0.0.1", port, "digests@tandem.example", "https://tandem.example")
    digest_mail.send(d, "exec@example.com", settings)
    (message,) = inbox.messages
    assert message["Subject"] == "Your weekly digest: " + d.period.label
    text = message.get_body(("plain",)).get_content()
    assert "CSAT (% satisfied): 82.9 (n 70), before 76.7 (n 60)" in text
    assert "https://tandem.example/digests/weekly/2026-11-23" in text
    html_part = message.get_body(("html",))
    html = html_part.get_content()
    related = [p for p in message.walk() if p.get_content_type() == "multipart/related"]
    assert related, "the HTML and its images travel together"
    images = [p for p in message.walk() if p.get_content_type() == "image/png"]
    assert images, "at least one chart"
    for image in images:
        cid = image["Content-ID"].strip("<>")
        assert f'src="cid:{cid}"' in html
        assert image.get_content_disposition() == "inline"
        assert image.get_content()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Waiting on hold" in html and "I waited on hold for forty minutes." in html


def test_subscriptions_replace_the_choice_and_the_demo_defaults_follow_the_role(make, db_session):
    w = build(make)
    assert subscriptions.set_periods(db_session, w.lead, ["monthly", "daily", "hourly"]) == ["daily", "monthly"]
    assert subscriptions.periods_of(db_session, w.lead.id) == ["daily", "monthly"]
    assert subscriptions.subscribe_defaults(db_session, ["exec@example.com", "hr@example.com",
                                                         "lead@example.com"]) == 3
    assert subscriptions.periods_of(db_session, w.executive.id) == ["weekly", "monthly"]
    assert subscriptions.periods_of(db_session, w.hr.id) == ["weekly"]
    assert subscriptions.periods_of(db_session, w.lead.id) == ["daily", "monthly"]  # a choice is kept


def test_an_alert_closed_after_the_period_still_counts_as_persistent_in_it(make, db_session):
    w = build(make)
    resolved = db_session.scalars(select(Alert).where(Alert.team_id == w.sales.id)).one()
    resolved.status, resolved.open_key = "resolved", None
    resolved.closed_at = dt.datetime(2026, 11, 30, 10)  # the Monday after the digest's week
    db_session.flush()
    assert [a.touchpoint for a in compose(db_session, w.hr, "weekly", TODAY).breakdowns.persistent] == ["Bristol store"]
    resolved.closed_at = dt.datetime(2026, 11, 20, 10)  # during the week before: gone from this week's digest
    db_session.flush()
    assert compose(db_session, w.hr, "weekly", TODAY).breakdowns.persistent == ()


def test_the_linkage_findings_are_computed_once_and_kept_in_the_report_cache(make, db_session):
    w = build(make)
    make.wave(make.program(), opens_at=dt.datetime(2026, 10, 1))  # an employee program for the report
    first = compose(db_session, w.executive, "weekly", TODAY)
    assert db_session.scalar(select(func.count()).select_from(ReportCache)) == 1
    again = compose(db_session, w.hr, "monthly", TODAY)  # another reader, another period: the same findings
    assert again.links == first.links and db_session.scalar(select(func.count()).select_from(ReportCache)) == 1
    read_only = compose(db_session, w.hr, "weekly", TODAY, store_links=False)
    assert read_only.links.pending is None  # found in the cache, nothing to store


def test_a_week_without_feedback_still_charts_the_weeks_before(make, db_session, smtp_server):
    w = build(make)
    inbox, port = smtp_server
    d = compose(db_session, w.executive, "weekly", dt.date(2026, 12, 8))  # week 2026-W49: no answers yet
    assert not d.has_customer_data
    settings = digest_mail.MailSettings("127.0.0.1", port, "digests@tandem.example", "https://tandem.example")
    digest_mail.send(d, "exec@example.com", settings)
    (message,) = inbox.messages
    html = message.get_body(("html",)).get_content()
    assert "No customer feedback in this week" in html and "the weeks before" in html
    images = [p for p in message.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 1  # CSAT by week (the world has no NPS answers, and no movers without answers)
    assert f'cid:{images[0]["Content-ID"].strip("<>")}' in html
