"""Several hosts answering at once: no increment of a rollup is lost (real sessions, real commits)."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from surveys import rollups
from surveys.collection import public_links
from surveys.models import Program, RateLimitHit, RollupCustomerDay, RollupResponses, Survey, Team, Touchpoint, utcnow

from .test_public_link_lock import _program, _survey

NOW = utcnow()
THREADS, EACH = 6, 5


@pytest.fixture
def committed_link(engine):
    with Session(engine, expire_on_commit=False) as s:
        team = Team(code="ROLLCX-T", name="Rollup CX team")
        touchpoint = Touchpoint(code="ROLLCX-TP", name="Desk", channel="web", team=team)
        program, wave = _program(_survey("ROLLCX-S"), "ROLLCX-P")
        s.add_all([team, touchpoint, program, wave])
        s.commit()
        ids = (wave.id, touchpoint.id)
    yield ids
    with Session(engine) as s:
        s.execute(delete(RateLimitHit).where(RateLimitHit.key.like("roll-%")))
        s.execute(delete(Program).where(Program.code == "ROLLCX-P"))  # waves, responses and rollups cascade
        s.execute(delete(Survey).where(Survey.code == "ROLLCX-S"))
        s.execute(delete(RollupCustomerDay).where(RollupCustomerDay.touchpoint_id == ids[1]))
        s.execute(delete(Touchpoint).where(Touchpoint.code == "ROLLCX-TP"))
        s.execute(delete(Team).where(Team.code == "ROLLCX-T"))
        s.commit()


def test_simultaneous_answers_all_reach_the_same_rollup_rows(engine, committed_link):
    wave_id, touchpoint_id = committed_link
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def host(i: int) -> None:
        start.wait()
        for j in range(EACH):
            with Session(engine) as s:
                try:
                    public_links.submit_public(s, "ROLLCX-P", "ROLLCX-TP", {"csat": str(1 + (i + j) % 5)},
                                               client=f"roll-{i}", limit=public_links.RateLimit(100, 3600), now=NOW)
                    s.commit()
                except BaseException as exc:  # noqa: BLE001  (reported below)
                    errors.append(exc)

    workers = [threading.Thread(target=host, args=(i,)) for i in range(THREADS)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert not errors, errors[:3]
    with Session(engine) as check:
        day = check.scalar(select(RollupCustomerDay).where(RollupCustomerDay.touchpoint_id == touchpoint_id,
                                                            RollupCustomerDay.metric == "csat"))
        assert day.n == THREADS * EACH and day.day == NOW.date()
        assert check.scalar(select(RollupResponses.n).where(RollupResponses.wave_id == wave_id)) == THREADS * EACH
        assert rollups.verify(check) is None
