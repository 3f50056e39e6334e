"""Server-side staff sessions: logout, password and role changes end them; idle and absolute time-outs."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from surveys.models import Person, StaffSession, utcnow
from surveys.org import accounts, staff_sessions
from webapp.auth import SESSION_ENDED
from webapp.config import ConfigError, load_config

from ..conftest import STAFF_PASSWORD


def _cookie_session_id(app, client) -> str:
    value = client.get_cookie("session", domain="tandem.test").value
    return app.session_interface.get_signing_serializer(app).loads(value)["_user_id"]


def _row(db_session) -> StaffSession:
    db_session.expire_all()
    return db_session.scalars(select(StaffSession)).one()


def _refused(client) -> bool:
    response = client.get("/admin/")
    return response.status_code == 302 and "/login" in response.headers["Location"]


def test_cookie_carries_a_random_id_and_the_table_only_its_hash(app, client, login, db_session):
    person = login("hr_admin")
    session_id = _cookie_session_id(app, client)
    assert len(session_id) >= 43 and session_id != str(person.id)  # 256 bits, URL-safe base64
    row = _row(db_session)
    assert row.person_id == person.id and row.role == "hr_admin"
    assert row.id_hash == staff_sessions.hash_id(session_id) and session_id not in row.id_hash


def test_a_copied_cookie_stops_working_after_logout(app, client, login, db_session):
    login("hr_admin")
    copied = client.get_cookie("session", domain="tandem.test").value
    assert client.post("/logout").status_code == 302
    assert db_session.scalars(select(StaffSession)).all() == []
    thief = app.test_client()
    thief.set_cookie("session", copied, domain="tandem.test")
    assert _refused(thief)


def test_a_new_password_ends_every_session_of_the_person(app, client, login, db_session):
    person = login("hr_admin")
    second = app.test_client()
    second.post("/login", data={"email": person.email, "password": STAFF_PASSWORD})
    assert db_session.query(StaffSession).count() == 2
    accounts.set_password(db_session, person.email, "a-brand-new-passphrase")
    db_session.commit()
    assert db_session.query(StaffSession).count() == 0
    assert _refused(client) and _refused(second)


@pytest.mark.parametrize("change", [{"role": "executive"}, {"role": "employee"}, {"active": False}])
def test_role_change_or_deactivation_ends_the_session_whatever_changed_it(client, login, db_session, change):
    person = login("hr_admin")
    # The org import changes people with bulk UPDATEs; the session's role snapshot catches any path.
    db_session.execute(update(Person).where(Person.id == person.id).values(**change))
    db_session.commit()
    response = client.get("/admin/", follow_redirects=True)
    assert SESSION_ENDED.encode() in response.data
    assert staff_sessions.prune(db_session, staff_sessions.SessionLimits()) == 1


@pytest.mark.parametrize("field, age, alive", [
    ("last_seen_at", dt.timedelta(minutes=29), True), ("last_seen_at", dt.timedelta(minutes=31), False),
    ("created_at", dt.timedelta(hours=11, minutes=50), True), ("created_at", dt.timedelta(hours=12, minutes=1), False),
])
def test_idle_and_absolute_time_outs(client, login, db_session, field, age, alive):
    login("hr_admin")
    db_session.execute(update(StaffSession).values({field: utcnow() - age}))
    db_session.commit()
    assert _refused(client) is not alive


def test_time_outs_follow_the_configuration(app, client, login, db_session):
    app.config.update(SESSION_IDLE_MINUTES=5, SESSION_MAX_HOURS=1)
    login("hr_admin")
    db_session.execute(update(StaffSession).values(last_seen_at=utcnow() - dt.timedelta(minutes=6)))
    db_session.commit()
    assert _refused(client)


def test_a_get_touches_last_seen_at_at_most_once_a_minute(client, login, db_session):
    login("hr_admin")
    recent, stale = utcnow() - dt.timedelta(seconds=20), utcnow() - dt.timedelta(minutes=5)
    db_session.execute(update(StaffSession).values(last_seen_at=recent))
    db_session.commit()
    assert client.get("/admin/").status_code == 200
    assert _row(db_session).last_seen_at == recent  # fresh enough: the GET wrote nothing
    db_session.execute(update(StaffSession).values(last_seen_at=stale))
    db_session.commit()
    assert client.get("/admin/").status_code == 200  # the view still runs read-only after the touch
    assert _row(db_session).last_seen_at > utcnow() - dt.timedelta(seconds=30)


def test_tick_prunes_timed_out_sessions(runner, client, login, db_session):
    login("hr_admin")
    db_session.execute(update(StaffSession).values(last_seen_at=utcnow() - dt.timedelta(hours=1)))
    db_session.commit()
    result = runner.invoke(args=["tick"])
    assert result.exit_code == 0 and "sessions expired 1" in result.output
    assert db_session.query(StaffSession).count() == 0


def test_session_settings_are_validated(tmp_path):
    env = {"TANDEM_SECRET_KEY": "x" * 32}
    config = load_config(env, tmp_path)
    assert (config["SESSION_IDLE_MINUTES"], config["SESSION_MAX_HOURS"]) == (30, 12)
    assert load_config({**env, "TANDEM_SESSION_IDLE_MINUTES": "15"}, tmp_path)["SESSION_IDLE_MINUTES"] == 15
    with pytest.raises(ConfigError, match="TANDEM_SESSION_IDLE_MINUTES"):
        load_config({**env, "TANDEM_SESSION_IDLE_MINUTES": "0"}, tmp_path)
    with pytest.raises(ConfigError, match="must not exceed"):
        load_config({**env, "TANDEM_SESSION_IDLE_MINUTES": "120", "TANDEM_SESSION_MAX_HOURS": "1"}, tmp_path)
