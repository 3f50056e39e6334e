"""bench/scale.py, the growth benchmark's generator: k copies of the organisation whose rollups agree
with the raw tables exactly as a rebuild would make them."""
from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy import func, select

import demo
from surveys import rollups
from surveys.models import Answer, Invitation, Response, SubmissionReceipt, Team

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import scale  # noqa: E402


def _counts(session) -> dict[str, int]:
    return {m.__name__: session.scalar(select(func.count()).select_from(m))
            for m in (Answer, Response, Invitation, SubmissionReceipt)}


def test_grow_copies_everything_and_the_rollups_verify(db_session):
    demo.build_demo(db_session, seed=3, teams=8, waves=2)
    db_session.flush()
    before = _counts(db_session)
    teams = db_session.scalar(select(func.count()).select_from(Team))
    assert scale.copies_present(db_session) == 1

    scale.grow(db_session, 3, say=lambda _msg: None)
    assert scale.copies_present(db_session) == 3
    assert _counts(db_session) == {name: 3 * n for name, n in before.items()}
    assert db_session.scalar(select(func.count()).select_from(Team)) > teams
    assert rollups.verify(db_session) is None  # the copied rollup rows are what a rebuild computes

    scale.grow(db_session, 4, say=lambda _msg: None, rebuild=True)  # on from 3x, with the real rebuild
    assert _counts(db_session) == {name: 4 * n for name, n in before.items()}
    assert rollups.verify(db_session) is None
