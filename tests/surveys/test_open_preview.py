"""preview_open counts whom opening a wave would invite, exactly as open_wave then does, and changes nothing."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from surveys.errors import Conflict
from surveys.fieldwork import scheduling
from surveys.models import AuditEvent, Invitation, utcnow

NOW = utcnow()


def test_preview_matches_open_and_has_no_side_effects(db_session, make):
    events = db_session.scalar(select(func.count()).select_from(AuditEvent))  # other tests' committed ones stay
    team = make.team()
    people = [make.person(team=team) for _ in range(3)]
    make.person(team=team, active=False)
    program = make.program()
    wave = make.wave(program=program, status="draft", opens_at=NOW + dt.timedelta(days=1))
    make.invitation(wave=wave, person=people[0])  # already invited: not counted twice
    _wave, count = scheduling.preview_open(db_session, wave.id, NOW)
    assert count == 2 and wave.status == "draft" and not wave.survey.frozen
    assert db_session.scalar(select(func.count()).select_from(Invitation)) == 1
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)) == events
    assert scheduling.open_wave(db_session, wave.id, NOW, None, 5, 5) == count


def test_preview_refuses_what_open_would_refuse(db_session, make):
    program = make.program()
    make.wave(program=program, status="open", opens_at=NOW - dt.timedelta(days=1))
    draft = make.wave(program=program, status="draft", opens_at=NOW + dt.timedelta(days=20))
    with pytest.raises(Conflict, match="still open"):
        scheduling.preview_open(db_session, draft.id, NOW)
