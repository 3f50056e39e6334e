"""`tandem import outcomes` and the upload page's "Business outcomes" kind: the same service, commit only when clean."""
from __future__ import annotations

import io

from sqlalchemy import func, select

from surveys.models import AuditEvent
from surveys.models.voice import Outcome

FILE = "period,unit,metric,value,n\n2026-03,OPS,churn_rate,3.2,1450\n"


def count(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(Outcome))


def test_cli_dry_run_import_and_reimport(runner, make, db_session, tmp_path):
    make.team(code="OPS")
    db_session.commit()
    path = tmp_path / "outcomes.csv"
    path.write_text(FILE, encoding="utf-8")
    dry = runner.invoke(args=["import", "outcomes", "--dry-run", str(path)])
    assert dry.exit_code == 0 and "importing would create 1" in dry.output and count(db_session) == 0
    done = runner.invoke(args=["import", "outcomes", str(path)])
    assert done.exit_code == 0 and "Imported 1 row: created 1, updated 0, left 0 unchanged." in done.output
    path.write_text(FILE.replace("3.2", "2.8"), encoding="utf-8")
    again = runner.invoke(args=["import", "outcomes", str(path)])
    assert again.exit_code == 0 and "replace churn_rate 2026-03 OPS: 3.2 → 2.8" in again.output
    assert count(db_session) == 1


def test_cli_rejects_a_bad_file_with_status_1(runner, make, db_session, tmp_path):
    make.team(code="OPS")
    db_session.commit()
    path = tmp_path / "outcomes.csv"
    path.write_text(FILE + "2026-04,OPS,churn_rate,x,\n", encoding="utf-8")
    result = runner.invoke(args=["import", "outcomes", str(path)])
    assert result.exit_code == 1 and "line 3, column value: 'x' is not a number" in result.output
    assert count(db_session) == 0


def test_upload_page_imports_outcomes(client, login, make, db_session):
    make.team(code="OPS")
    db_session.commit()
    admin = login("hr_admin")
    page = client.get("/admin/imports").get_data(as_text=True)
    assert "Business outcomes" in page and "period,unit,metric,value,n" in page
    response = client.post("/admin/imports", content_type="multipart/form-data",
                           data={"kind": "outcomes", "file": (io.BytesIO(FILE.encode()), "churn.csv")})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "Imported 1 row: created 1" in response.get_data(as_text=True)
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "import.outcomes"))
    assert event.actor_id == admin.id and event.detail["filename"] == "churn.csv"
