"""Participation figures come from the rollup: the pages that show them never read invitations or receipts."""
from __future__ import annotations

import re


from surveys.models import SubmissionReceipt

RAW = re.compile(r"\b(invitations|submission_receipts)\b", re.IGNORECASE)


def test_the_reports_index_and_the_participation_page_read_no_invitation(client, login, db_session, make,
                                                                          statements):
    wave = make.wave(status="closed", label="2026-01")
    team = make.team(name="Alpha")
    for i in range(6):
        inv, _token = make.invitation(wave, make.person(team=team))
        if i < 5:
            db_session.add(SubmissionReceipt(invitation_id=inv.id))
    db_session.commit()
    login("hr_admin")
    statements.clear()
    index = client.get("/reports/")
    page = client.get(f"/admin/waves/{wave.id}/participation")
    assert index.status_code == page.status_code == 200
    assert b"2026-01" in index.data and b"Alpha" in page.data
    assert statements, "the listener saw no statement: the test would pass vacuously"
    raw = [s for s in statements if RAW.search(s)]
    assert raw == [], raw[0]
