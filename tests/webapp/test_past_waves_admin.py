"""Past waves on the program page and through `tandem import history`: added, refused with the reason."""
from __future__ import annotations

from sqlalchemy import func, select

from surveys.models import Wave


def n_past(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(Wave).where(Wave.historical))


def test_program_page_adds_a_past_wave_and_shows_it(client, login, db_session, make):
    login("hr_admin")
    program = make.program(code="EX", cadence="monthly")
    db_session.commit()
    page = client.post(f"/admin/programs/{program.id}/past-waves",
                       data={"label": "2025-Q1", "opens_on": "2025-01-06", "closes_on": "2025-01-20"},
                       follow_redirects=True)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Past wave 2025-Q1 added (closed; it invites nobody)" in text
    assert "past (imported)" in text and "Add a past wave for imported results" in text
    wave = db_session.scalar(select(Wave).where(Wave.label == "2025-Q1"))
    assert (wave.status, wave.historical) == ("closed", True)


def test_program_page_refuses_a_future_or_reversed_past_wave(client, login, db_session, make):
    login("hr_admin")
    program_id = make.program(code="EX").id
    db_session.commit()
    future = client.post(f"/admin/programs/{program_id}/past-waves",
                         data={"label": "x", "opens_on": "2025-01-06", "closes_on": "2099-01-20"},
                         follow_redirects=True)
    assert "Adding the past wave failed: The closing date 2099-01-20 is not in the past" in future.get_data(as_text=True)
    missing = client.post(f"/admin/programs/{program_id}/past-waves", data={"label": "x", "opens_on": "2025-01-06"},
                          follow_redirects=True)
    assert "Adding the past wave failed: Last day it ran" in missing.get_data(as_text=True)
    assert n_past(db_session) == 0


def test_cli_history_with_a_bad_row_leaves_no_wave_behind(runner, db_session, make, tmp_path):
    make.program(code="EX")
    make.team(code="OPS")
    db_session.commit()
    path = tmp_path / "old.csv"
    path.write_text("team_code,submitted_on,eng1\nOPS,2025-01-07,4\nOPS,2025-01-08,9\n", encoding="utf-8")
    args = ["import", "history", str(path), "--program", "EX", "--label", "2025-Q1", "--opens", "2025-01-06",
            "--closes", "2025-01-20"]
    bad = runner.invoke(args=args)
    assert bad.exit_code == 1 and "line 3, column eng1: 9 is outside the allowed range 1–5." in bad.output
    assert n_past(db_session) == 0
    dry = runner.invoke(args=args[:-1] + ["2025-01-20", "--dry-run"])
    assert dry.exit_code == 1 and n_past(db_session) == 0
    wrong = runner.invoke(args=args[:7] + ["--opens", "06/01/2025", "--closes", "2025-01-20"])
    assert wrong.exit_code == 2 and "'06/01/2025' does not match the format '%Y-%m-%d'" in wrong.output
