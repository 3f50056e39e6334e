"""An organisation import that changes someone's role or deactivates them ends their staff sessions at once,
on the upload page and through `tandem import org`, and says so in the audit trail."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from surveys.ingestion import import_org_people
from surveys.models import AuditEvent, StaffSession

from ..conftest import STAFF_PASSWORD

HEADER = "email,name,team_code,role\n"


def _sign_in(app, person):
    browser = app.test_client()
    assert browser.post("/login", data={"email": person.email, "password": STAFF_PASSWORD}).status_code == 302
    return browser


def _signed_out(browser) -> bool:
    response = browser.get("/reports/")
    return response.status_code == 302 and "/login" in response.headers["Location"]


def _import_through(entry: str, app, db_session, tmp_path, admin, text: str, deactivate: bool = False):
    if entry == "upload":
        hr = _sign_in(app, admin)
        form = {"kind": "people", "file": (io.BytesIO(text.encode()), "people.csv")}
        if deactivate:
            form["deactivate_missing"] = "y"
        response = hr.post("/admin/imports", data=form, content_type="multipart/form-data")
        assert response.status_code == 200, response.get_data(as_text=True)
    else:
        path = tmp_path / "people.csv"
        path.write_text(text, encoding="utf-8")
        args = ["import", "org", *(["--deactivate-missing"] if deactivate else []), str(path)]
        result = app.test_cli_runner().invoke(args=args)
        assert result.exit_code == 0, result.output


def _events(db_session, action: str) -> list[AuditEvent]:
    db_session.expire_all()
    return list(db_session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)))


@pytest.fixture
def org(make, db_session):
    team = make.team(code="OPS")
    lead = make.staff(role="team_lead", team=team, password=STAFF_PASSWORD, email="lead@example.com")
    other = make.staff(role="team_lead", team=team, password=STAFF_PASSWORD, email="other@example.com")
    admin = make.staff(role="hr_admin", password=STAFF_PASSWORD, email="hr@example.com")
    db_session.commit()
    return team, lead, other, admin


@pytest.mark.parametrize("entry", ["upload", "cli"])
def test_a_role_change_by_import_signs_the_team_lead_out(entry, app, db_session, tmp_path, org):
    _team, lead, other, admin = org
    browser, bystander = _sign_in(app, lead), _sign_in(app, other)
    assert not _signed_out(browser)
    _import_through(entry, app, db_session, tmp_path, admin,
                    HEADER + "lead@example.com,Lead,OPS,employee\nother@example.com,Other,OPS,team_lead\n")
    assert _signed_out(browser)
    assert not _signed_out(bystander)  # unchanged people keep their sessions
    assert db_session.scalars(select(StaffSession.person_id).where(StaffSession.person_id == lead.id)).all() == []
    [event] = _events(db_session, "person.role")
    assert (event.entity_id, event.detail["after"], event.detail["sessions"]) == (lead.id, "employee", 1)


@pytest.mark.parametrize("entry", ["upload", "cli"])
def test_deactivation_by_import_signs_the_person_out(entry, app, db_session, tmp_path, org):
    _team, lead, other, admin = org
    browser = _sign_in(app, lead)
    _import_through(entry, app, db_session, tmp_path, admin,
                    HEADER + "other@example.com,Other,OPS,team_lead\nhr@example.com,HR,,hr_admin\n", deactivate=True)
    assert _signed_out(browser)
    [event] = _events(db_session, "person.deactivate")
    assert event.entity_id == lead.id and event.detail == {"source": "import", "sessions": 1}
    assert "@example.com" not in str(event.detail)


def test_a_role_changed_and_changed_back_does_not_revive_the_old_cookie(app, db_session, org):
    # Refusing a session whose role differs is not enough: two imports (lead -> employee -> lead)
    # would bring an old, possibly copied, cookie back to life. The first import ends it for good.
    _team, lead, _other, admin = org
    browser = _sign_in(app, lead)
    for role in ("employee", "team_lead"):
        result = import_org_people(db_session, io.StringIO(HEADER + f"lead@example.com,Lead,OPS,{role}\n"),
                                   actor_id=admin.id)
        assert result.ok, result.errors
        db_session.commit()
    assert _signed_out(browser)


def test_a_dry_run_ends_nobody(app, db_session, org):
    _team, lead, _other, admin = org
    browser = _sign_in(app, lead)
    import_org_people(db_session, io.StringIO(HEADER + "lead@example.com,Lead,OPS,employee\n"), dry_run=True,
                      actor_id=admin.id)
    db_session.commit()
    assert not _signed_out(browser)
