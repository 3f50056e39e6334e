"""Flood detection on public links: a burst of identical answers on a day of unusual volume is held out of
the rollups; ordinary traffic is not; HR's release counts it again; verify agrees throughout."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import func, inspect, select

from surveys import rollups
from surveys.collection import floods, public_links
from surveys.collection.floods import FloodRules
from surveys.errors import NotFound
from surveys.models import (
    AuditEvent,
    FlaggedResponse,
    RateLimitHit,
    Response,
    RollupCustomerDay,
    RollupResponses,
    utcnow,
)
from surveys.models.rollups import RollupCustomerMonth
from surveys.ratelimit import RateLimit

NOW = utcnow().replace(hour=12, minute=1, second=0, microsecond=0)  # mid-day: the test's day does not end
QUESTIONS = [{"code": "csat", "qtype": "likert5", "dimension": "csat"},
             {"code": "nps", "qtype": "scale0_10", "dimension": "nps"},
             {"code": "comment", "qtype": "text", "dimension": "comment", "required": False}]
RULES = FloodRules("test-secret", RateLimit(5, 600), day_min=30, factor=5)
NO_LIMIT = RateLimit(10_000, 3600)
_address = itertools.count(1)


@pytest.fixture
def cx(make, db_session):
    program = make.program(survey=make.survey(audience="customer", questions=QUESTIONS), code="CX")
    wave = make.wave(program=program, opens_at=NOW - dt.timedelta(days=40), days=60)
    touchpoint = make.touchpoint(code="STORE", channel="store")
    db_session.flush()
    return program, wave, touchpoint


def submit(db_session, csat: int, nps: int, comment: str = "", now: dt.datetime = NOW) -> Response:
    # Each submission from its own address: the per-address rate limit never sees the flood.
    client = public_links.client_key("test-secret", f"10.{next(_address) % 250}.{next(_address) % 250}.1")
    answers = {"csat": str(csat), "nps": str(nps), "comment": comment}
    return public_links.submit_public(db_session, "CX", "STORE", answers, client=client, limit=NO_LIMIT, now=now,
                                      flood=RULES)


def ordinary(db_session, n: int, now: dt.datetime = NOW) -> None:
    """`n` customers with varied answers (no answer set five times)."""
    for i in range(n):
        submit(db_session, 1 + i % 5, (3 * i) % 11, now=now)


def state(db_session) -> dict:
    """Every customer rollup row, as plain tuples."""
    return {model.__tablename__: sorted(tuple(getattr(r, c.key) for c in inspect(model).columns)
                                        for r in db_session.scalars(select(model)))
            for model in (RollupCustomerDay, RollupCustomerMonth, RollupResponses)}


def flagged(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(FlaggedResponse)
                             .where(FlaggedResponse.released.is_(False)))


def test_a_flood_through_many_addresses_is_held_out_of_the_rollups(db_session, cx):
    ordinary(db_session, 12)
    before = state(db_session)
    for _ in range(60):
        submit(db_session, 1, 1, comment="terrible")  # one sender, sixty addresses, the same answers
    # 12 + 17 answers stay below the day's floor of 30; the 18th flood answer reaches it and sweeps up the 17.
    assert flagged(db_session) == 60
    assert state(db_session) == before  # CSAT and NPS rollups did not move
    assert rollups.verify(db_session) is None
    [event] = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "flood.flag")).all()
    assert event.actor_id is None and event.detail["earlier"] == 17 and event.detail["volume"] == 30


def test_earlier_same_day_answers_alike_are_swept_up_too(db_session, cx):
    # Responses carry no time of day, so the customer who gave the flood's answers this morning is held
    # with it; HR releases such a day when the flood was a false positive.
    submit(db_session, 1, 1, now=NOW - dt.timedelta(hours=3))
    ordinary(db_session, 5)
    for _ in range(30):
        submit(db_session, 1, 1)
    assert flagged(db_session) == 31


def test_varied_comments_do_not_hide_a_flood(db_session, cx):
    for i in range(40):
        submit(db_session, 5, 10, comment=f"great service {i}")
    assert flagged(db_session) == 40


def test_ordinary_traffic_is_not_flagged(db_session, cx):
    for _ in range(20):
        submit(db_session, 5, 10)  # many happy customers alike, but the day stays below the volume floor
    ordinary(db_session, 5)
    assert flagged(db_session) == 0
    ordinary(db_session, 60, now=NOW + dt.timedelta(hours=1))  # a busy day, but no answer set repeats 5 times
    assert flagged(db_session) == 0 and rollups.verify(db_session) is None


def test_a_busy_link_needs_a_multiple_of_its_own_baseline(db_session, cx):
    # 2 answers a day for 28 days: mean 2, so today needs max(30, 5 x 2) = 30. With 20 a day (mean 20), 100.
    for day in range(1, 29):
        for _ in range(20):
            submit(db_session, 4, 9, now=NOW - dt.timedelta(days=day, minutes=day))
    assert flagged(db_session) == 0  # identical answers day after day, but no day is unusual
    for _ in range(60):
        submit(db_session, 5, 10)
    assert flagged(db_session) == 0  # 60 today is below 5 x 20
    for _ in range(41):
        submit(db_session, 5, 10)
    assert flagged(db_session) == 101 and rollups.verify(db_session) is None


def test_a_burst_spread_over_windows_is_caught_in_each(db_session, cx):
    ordinary(db_session, 30)
    before = state(db_session)
    for minute in range(0, 60, 3):  # 20 identical answers, one every three minutes: 3 or 4 per window
        for _ in range(2):
            submit(db_session, 2, 2, now=NOW + dt.timedelta(minutes=minute))
    # Windows of ten minutes hold 6 or 8 identical answers, so every window flags, and sweeps the earlier ones.
    assert flagged(db_session) == 40 and state(db_session) == before


def test_release_puts_a_false_positive_back(db_session, cx, make):
    ordinary(db_session, 5)
    baseline = state(db_session)
    for _ in range(35):
        submit(db_session, 5, 10)
    assert state(db_session) == baseline
    hr = make.staff()
    [group] = floods.groups(db_session)
    assert (group.program_code, group.touchpoint_code, group.day, group.held, group.released) == (
        "CX", "STORE", NOW.date(), 35, 0)
    assert floods.release(db_session, "CX", "STORE", NOW.date(), hr.id) == 35
    assert flagged(db_session) == 0 and rollups.verify(db_session) is None
    counted = state(db_session)
    rollups.rebuild(db_session)  # what the rollups hold now is exactly what all 40 responses give
    assert state(db_session) == counted and counted != baseline
    [group] = floods.groups(db_session)
    assert (group.held, group.released) == (0, 35)
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "flood.release"))
    assert event.actor_id == hr.id and event.detail == {"program": "CX", "touchpoint": "STORE",
                                                        "day": NOW.date().isoformat(), "released": 35}
    with pytest.raises(NotFound, match="released already"):
        floods.release(db_session, "CX", "STORE", NOW.date(), hr.id)
    submit(db_session, 5, 10)  # a later identical answer the same day is held again, the released ones are not
    assert flagged(db_session) == 1 and rollups.verify(db_session) is None


def test_rebuild_and_verify_leave_flagged_responses_out(db_session, cx):
    ordinary(db_session, 3)
    for _ in range(30):
        submit(db_session, 2, 2)
    held = state(db_session)
    rollups.rebuild(db_session)
    assert state(db_session) == held and rollups.verify(db_session) is None


def test_nothing_about_the_sender_is_stored(db_session, cx):
    for _ in range(30):
        submit(db_session, 3, 3)
    assert {c.name for c in FlaggedResponse.__table__.columns} == {"response_id", "reason", "released"}
    keys = db_session.scalars(select(RateLimitHit.key)).all()
    assert keys and not any("10." in k for k in keys)
    burst_keys = [k for k in keys if k.startswith("flood:")]
    # One counter for the one answer set: a keyed hash, 48 hex digits, with the window start only.
    assert len(burst_keys) == 1 and len(burst_keys[0]) == len("flood:") + 48
    later = NOW + dt.timedelta(minutes=25)
    submit(db_session, 4, 4, now=later)  # the first answer of a later window prunes the finished ones
    assert all(w >= RULES.burst.window_start(later)
               for w in db_session.scalars(select(RateLimitHit.window_start)
                                           .where(RateLimitHit.key.startswith("flood:"))))
