"""The program form's "share results back" checkbox (opt-out): on by default, off when unticked."""
from __future__ import annotations

from sqlalchemy import select

from surveys.models import Program

from .test_admin_programs import form_data


def test_new_programs_share_results_and_hr_can_turn_it_off(client, login, db_session):
    login("hr_admin")
    client.post("/admin/programs/new", data={**form_data(), "share_results": "y"})
    program = db_session.scalar(select(Program).where(Program.code == "pulse"))
    assert program.share_results is True
    page = client.get(f"/admin/programs/{program.id}/edit").get_data(as_text=True)
    assert 'name="share_results"' in page and "What you told us" in page
    saved = client.post(f"/admin/programs/{program.id}/edit", follow_redirects=True,
                        data={"name": "Pulse", "wave_days": "10", "reminder_days": "3", "active": "y"})
    assert "Results shared back:</strong> no (turned off)" in saved.get_data(as_text=True)
    assert db_session.scalar(select(Program.share_results).where(Program.id == program.id)) is False
