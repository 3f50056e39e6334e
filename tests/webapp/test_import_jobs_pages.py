"""Large uploads become import jobs: stored on disk, run in the background, with a progress page and the report.

These tests use a database of their own (tests/livedb.py): the job runs in other sessions, threads or
commands, which must see the upload's commit, and its audit events can never be rolled back.
"""
from __future__ import annotations

import datetime as dt
import io
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys.models import AuditEvent, ImportJob, Response

from ..livedb import live_app, live_client, live_engine, live_make, live_template, live_url  # noqa: F401
from ..surveys.test_imports_feedback import CX_QUESTIONS, HEADER

ROWS = 60_000  # about 1.3 MB: far above the inline limit the tests set (64 kB)
SOME = 20_000  # where the size does not matter, a quicker import


@pytest.fixture
def cx(live_make):
    """A closed customer wave for January 2026 and two touchpoints, committed."""
    program = live_make.program(survey=live_make.survey(audience="customer", questions=CX_QUESTIONS), code="CX")
    live_make.wave(program, label="2026-01", opens_at=dt.datetime(2026, 1, 1), days=31, status="closed")
    for code in ("TEL", "WEB"):
        live_make.touchpoint(code=code)
    live_make.session.commit()


def feedback_csv(rows: int, bad_every: int = 0) -> bytes:
    lines = [HEADER]
    for i in range(rows):
        score = 9 if bad_every and i % bad_every == bad_every - 1 else i % 5 + 1  # 9 is no 1-5 score
        lines.append(f"{'TEL' if i % 2 else 'WEB'},2026-01-{i % 28 + 1:02d},,{score},{i % 11},,\n")
    return "".join(lines).encode()


def upload(client, data: bytes, name: str = "big.csv", **fields):
    form = {"kind": "feedback", "program": "CX", "file": (io.BytesIO(data), name), **fields}
    return client.post("/admin/imports", data=form, content_type="multipart/form-data")


def count(engine, model, *where) -> int:
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def job_id_of(response) -> int:
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def test_large_upload_waits_as_a_job_then_run_jobs_imports_it(live_app, live_client, live_engine, cx, tmp_path):
    live_app.config.update(IMPORT_INLINE_BYTES=64 * 1024, IMPORT_THREAD=False)
    data = feedback_csv(SOME)
    assert len(data) > 400_000
    job_id = job_id_of(upload(live_client, data))
    page = live_client.get(f"/admin/imports/jobs/{job_id}").get_data(as_text=True)
    assert "Waiting to start" in page and '<meta http-equiv="refresh" content="2">' in page
    assert live_client.get(f"/admin/imports/jobs/{job_id}/status").get_json()["status"] == "queued"
    stored = list((tmp_path / "uploads").iterdir())
    assert len(stored) == 1 and stored[0].stat().st_size == len(data)
    assert stored[0].stat().st_mode & 0o077 == 0  # personal data: owner only
    assert count(live_engine, Response) == 0

    result = live_app.test_cli_runner().invoke(args=["import", "run-jobs"])
    assert result.exit_code == 0, result.output
    assert f"import job {job_id} (feedback, big.csv): done: Imported {SOME:,} rows" in result.output
    status = live_client.get(f"/admin/imports/jobs/{job_id}/status").get_json()
    assert status["status"] == "done" and status["rows_done"] == status["rows_total"] == SOME
    page = live_client.get(f"/admin/imports/jobs/{job_id}").get_data(as_text=True)
    assert "http-equiv" not in page and f"Imported {SOME:,} rows: added {SOME:,} responses" in page
    assert count(live_engine, Response) == SOME
    event = count(live_engine, AuditEvent, AuditEvent.action == "import.feedback", AuditEvent.actor_id ==
                  live_client.admin.id)
    assert event == 1
    assert list((tmp_path / "uploads").iterdir()) == []  # deleted once the job ended
    with Session(live_engine) as s:
        assert s.get(ImportJob, job_id).files_kept is False
    again = live_app.test_cli_runner().invoke(args=["import", "run-jobs"])
    assert "No import job is waiting." in again.output and count(live_engine, Response) == SOME


def test_background_thread_shows_progress_then_the_report(live_app, live_client, live_engine, cx):
    live_app.config.update(IMPORT_INLINE_BYTES=64 * 1024, IMPORT_PROGRESS_ROWS=2_000)
    job_id = job_id_of(upload(live_client, feedback_csv(ROWS)))
    seen, running_page = [], None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status = live_client.get(f"/admin/imports/jobs/{job_id}/status").get_json()
        seen.append((status["status"], status["phase"], status["rows_done"]))
        if status["finished"]:
            break
        if status["phase"] == "checking" and status["rows_done"] and running_page is None:
            running_page = live_client.get(f"/admin/imports/jobs/{job_id}").get_data(as_text=True)
        time.sleep(0.05)
    assert status["status"] == "done", seen[-3:]
    checked = [done for state, phase, done in seen if state == "running" and phase == "checking"]
    assert any(0 < done < ROWS for done in checked), seen[:20]  # progress committed while rows were read
    assert checked == sorted(checked)
    assert running_page is not None and "Checking rows" in running_page and "<progress" in running_page
    page = live_client.get(f"/admin/imports/jobs/{job_id}").get_data(as_text=True)
    assert f"Imported {ROWS:,} rows" in page
    assert count(live_engine, Response) == ROWS


def test_a_malformed_large_file_fails_with_row_errors_and_imports_nothing(live_app, live_client, live_engine, cx,
                                                                          tmp_path):
    live_app.config.update(IMPORT_INLINE_BYTES=64 * 1024, IMPORT_THREAD=False)
    job_id = job_id_of(upload(live_client, feedback_csv(ROWS, bad_every=20_000), name="bad.csv"))
    result = live_app.test_cli_runner().invoke(args=["import", "run-jobs"])
    assert result.exit_code == 1 and f"import job {job_id} (feedback, bad.csv): failed: Rejected: 3 problems" \
        in result.output
    page = live_client.get(f"/admin/imports/jobs/{job_id}").get_data(as_text=True)
    assert "File rejected" in page and "Nothing was imported" in page
    # Row 20,000 of the data is line 20,001 of the file (the header is line 1).
    assert '<td class="num">20001</td>\n        <td>csat</td>' in page
    assert count(live_engine, Response) == 0
    assert count(live_engine, AuditEvent, AuditEvent.action == "import.feedback") == 0
    assert live_client.get(f"/admin/imports/jobs/{job_id}/status").get_json()["ok"] is False
    assert list((tmp_path / "uploads").iterdir()) == []


def test_a_job_that_cannot_run_says_why(live_app, live_client, live_engine, cx):
    live_app.config.update(IMPORT_INLINE_BYTES=0, IMPORT_THREAD=False)
    job_id = job_id_of(upload(live_client, feedback_csv(10), program="NOPE"))
    assert live_app.test_cli_runner().invoke(args=["import", "run-jobs", "--job", str(job_id)]).exit_code == 1
    page = live_client.get(f"/admin/imports/jobs/{job_id}").get_data(as_text=True)
    assert "Not imported" in page and "There is no program with code &#39;NOPE&#39;." in page
    listing = live_client.get("/admin/imports").get_data(as_text=True)
    assert f'href="/admin/imports/jobs/{job_id}"' in listing and "not imported" in listing


def test_job_pages_are_for_hr_admins_and_unknown_jobs_are_404(live_app, live_client, live_make):
    assert live_client.get("/admin/imports/jobs/999").status_code == 404
    assert live_client.get("/admin/imports/jobs/99999999999999999999").status_code == 404
    executive = live_make.staff(role="executive")
    live_make.session.commit()
    other = live_app.test_client()
    assert other.get("/admin/imports/jobs/1/status").status_code == 302  # to sign in
    other.post("/login", data={"email": executive.email, "password": "correct-horse-battery"})
    assert other.get("/admin/imports/jobs/1/status").status_code == 403


def test_only_the_upload_takes_large_bodies(client, login, make, db_session):
    """Sign-in and staff forms take a form's worth (TANDEM_FORM_MAX_KB, 1 MB); the CSV upload its own limit."""
    response = client.post("/login", data={"email": "a@example.com", "password": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413 and "1024 kB at most" in response.get_data(as_text=True)
    login("hr_admin")
    make.team(code="OPS")
    db_session.commit()
    assert client.post("/admin/touchpoints/new", data={"code": "X", "name": "x" * (2 * 1024 * 1024),
                                                       "channel": "web"}).status_code == 413
    big = b"code,name,channel,team_code\n" + b"WEB,Web shop,web,OPS\n" * 100_000  # about 2 MB
    response = client.post("/admin/imports", content_type="multipart/form-data",
                           data={"kind": "touchpoints", "dry_run": "y", "file": (io.BytesIO(big), "t.csv")})
    assert response.status_code == 303  # stored and queued as a job (the test app runs no thread)
