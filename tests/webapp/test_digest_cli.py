"""`tandem digest`: one digest now to an address or to every subscriber, through a real SMTP server."""
from __future__ import annotations

import pytest

from surveys.digests import subscriptions
from tests.surveys.digest_world import build


@pytest.fixture
def app_config(app_config, smtp_server):
    return {**app_config, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp_server[1], "BASE_URL": "https://tandem.example",
            "SMTP_SENDER": "digests@tandem.example"}


def test_to_one_address_is_scoped_to_that_person(runner, make, db_session, smtp_server):
    build(make)
    db_session.commit()  # the command's session closes at its end: only committed rows outlive it
    inbox, _port = smtp_server
    result = runner.invoke(args=["digest", "--period", "weekly", "--date", "2026-12-01", "--to", "lead@example.com"])
    assert result.exit_code == 0, result.output
    assert "Sent the weekly digest of week 2026-W48" in result.output and "lead@example.com" in result.output
    (message,) = inbox.messages
    assert message["To"] == "lead@example.com"
    text = message.get_body(("plain",)).get_content()
    assert "Phone support Cardiff" in text and "Bristol" not in text


def test_every_subscriber_of_the_period(runner, make, db_session, smtp_server):
    w = build(make)
    db_session.commit()
    inbox, _port = smtp_server
    assert "No one is subscribed to monthly" in runner.invoke(args=["digest", "--period", "monthly"]).output
    subscriptions.set_periods(db_session, w.executive, ["monthly"])
    subscriptions.set_periods(db_session, w.hr, ["monthly", "weekly"])
    db_session.commit()
    result = runner.invoke(args=["digest", "--period", "monthly", "--date", "2026-12-01"])
    assert result.exit_code == 0, result.output
    assert result.output.count("Sent the monthly digest of November 2026") == 2
    assert sorted(m["To"] for m in inbox.messages) == ["exec@example.com", "hr@example.com"]


def test_bad_options_say_what_is_wrong(runner, make, db_session, smtp_server):
    make.person(email="worker@example.com")
    db_session.commit()
    for args, words in ((["--period", "hourly"], "'hourly' is not one of"),
                        (["--period", "weekly", "--date", "30/11/2026"], "is not a date"),
                        (["--period", "weekly", "--to", "not an address"], "is not an email address"),
                        (["--period", "weekly", "--to", "worker@example.com"], "not a staff member")):
        result = runner.invoke(args=["digest", *args])
        assert result.exit_code != 0 and words in result.output, (args, result.output)
    assert smtp_server[0].messages == []
