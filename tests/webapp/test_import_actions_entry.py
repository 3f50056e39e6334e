"""`tandem import actions` and the upload page's "Action plans" kind: the same service, commit only when clean."""
from __future__ import annotations

import io

from sqlalchemy import func, select

from surveys.models import Action, AuditEvent

FILE = ("team_code,title,metric,start,due,status,owner_email\n"
        "OPS,Weekly stand-up,process,2026-01-05,2026-03-31,in progress,lead@example.com\n")


def count(db_session, model) -> int:
    return db_session.scalar(select(func.count()).select_from(model))


def org(make, db_session):
    ops = make.team(code="OPS")
    make.staff(role="team_lead", team=ops, email="lead@example.com")
    db_session.commit()


def test_cli_imports_then_skips_on_rerun(runner, make, db_session, tmp_path):
    org(make, db_session)
    path = tmp_path / "actions.csv"
    path.write_text(FILE, encoding="utf-8")
    dry = runner.invoke(args=["import", "actions", "--dry-run", str(path)])
    assert dry.exit_code == 0 and "importing would create 1" in dry.output and count(db_session, Action) == 0
    result = runner.invoke(args=["import", "actions", str(path)])
    assert result.exit_code == 0, result.output
    assert "Imported 1 row: created 1, updated 0, left 0 unchanged." in result.output
    again = runner.invoke(args=["import", "actions", str(path)])
    assert again.exit_code == 0 and "created 0, updated 0, left 1 unchanged" in again.output
    assert "skip: already in Tandem as action" in again.output
    assert count(db_session, Action) == 1


def test_cli_rejects_a_bad_file_with_status_1(runner, make, db_session, tmp_path):
    org(make, db_session)
    path = tmp_path / "actions.csv"
    path.write_text(FILE + "NOPE,x,process,2026-01-05,2026-03-31,planned,lead@example.com\n", encoding="utf-8")
    result = runner.invoke(args=["import", "actions", str(path)])
    assert result.exit_code == 1
    assert "line 3, column team_code: Unknown team 'NOPE'" in result.output
    assert count(db_session, Action) == 0


def test_upload_page_imports_action_plans(client, login, make, db_session):
    org(make, db_session)
    admin = login("hr_admin")
    page = client.get("/admin/imports").get_data(as_text=True)
    assert "Action plans" in page and "team_code,title,metric,start,due,status,owner_email" in page
    response = client.post("/admin/imports", content_type="multipart/form-data",
                           data={"kind": "actions", "file": (io.BytesIO(FILE.encode()), "plans.csv")})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "Imported 1 row: created 1" in response.get_data(as_text=True)
    action = db_session.scalar(select(Action))
    assert action.created_by_id == admin.id and action.source == "import"
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "import.actions"))
    assert event.actor_id == admin.id and event.detail["filename"] == "plans.csv"
