"""The audit trail is a hash chain the database keeps append-only; verify names the first broken row."""
from __future__ import annotations

import pytest
from sqlalchemy import delete, insert, text, update
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from surveys import audit
from surveys.models import AuditEvent

from ..locking import second_session_waits


def _without_triggers(session) -> None:
    """Let the test tamper with rows as an attacker with database access would (undone at rollback)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL session_replication_role = replica"))
    else:
        session.execute(text("DROP TRIGGER audit_events_no_update"))
        session.execute(text("DROP TRIGGER audit_events_no_delete"))


def _three(session) -> list[AuditEvent]:
    events = [audit.record(session, None, "test.event", "thing", n, n=n) for n in range(3)]
    session.flush()
    return events


def test_events_chain_in_order_and_verify(db_session):
    a, b, c = _three(db_session)
    assert (b.seq, c.seq) == (a.seq + 1, a.seq + 2)
    assert (b.prev_hash, c.prev_hash) == (a.hash, b.hash)
    assert c.hash == audit.event_hash(c) and len(c.hash) == 64
    db_session.expire_all()  # verify what the database hands back, not the objects in memory
    check = audit.verify(db_session)
    assert check.ok and check.events >= 3, check.problem


def test_detail_is_hashed_as_stored(db_session):
    event = audit.record(db_session, None, "test.event", "thing", None, when=object, ratio=0.1, items=(1, 2))
    db_session.flush()
    db_session.expire_all()
    stored = db_session.get(AuditEvent, event.id)
    assert stored.detail["items"] == [1, 2] and audit.event_hash(stored) == stored.hash


@pytest.mark.parametrize("statement", ["update", "delete"])
def test_the_database_refuses_updates_and_deletes(db_session, statement):
    (event, *_rest) = _three(db_session)
    change = (update(AuditEvent).values(action="x") if statement == "update" else delete(AuditEvent))
    with pytest.raises(DatabaseError, match="append-only"), db_session.begin_nested():
        db_session.execute(change.where(AuditEvent.id == event.id))


def test_verify_names_an_edited_row(db_session):
    _a, b, _c = _three(db_session)
    _without_triggers(db_session)
    db_session.execute(update(AuditEvent).where(AuditEvent.id == b.id).values(detail={"n": 99}))
    db_session.expire_all()
    check = audit.verify(db_session)
    assert not check.ok and check.event_id == b.id and "edited" in check.problem


def test_verify_names_the_row_after_a_deleted_one(db_session):
    _a, b, c = _three(db_session)
    _without_triggers(db_session)
    db_session.execute(delete(AuditEvent).where(AuditEvent.id == b.id))
    db_session.expire_all()
    check = audit.verify(db_session)
    assert not check.ok and check.event_id == c.id and f"seq {b.seq} are missing (deleted)" in check.problem


def test_verify_names_an_inserted_row(db_session):
    a, b, c = _three(db_session)
    a_hash, b_seq, c_seq, at = a.hash, b.seq, c.seq, b.at
    _without_triggers(db_session)
    # Room for a forged event is made by moving the later ones up one seq, as a forger would have to.
    for event_id, seq in ((c.id, c_seq + 1), (b.id, b_seq + 1)):
        db_session.execute(update(AuditEvent).where(AuditEvent.id == event_id).values(seq=seq)
                           .execution_options(synchronize_session=False))
    forged = AuditEvent(seq=b_seq, at=at, action="forged", entity_type="thing", prev_hash=a_hash)
    forged.hash = audit.event_hash(forged)  # a well-formed row: only the next one's prev_hash gives it away
    db_session.execute(insert(AuditEvent).values(seq=forged.seq, at=at, action="forged", entity_type="thing",
                                                 prev_hash=a_hash, hash=forged.hash))
    db_session.expire_all()
    check = audit.verify(db_session)
    assert not check.ok and check.event_id == b.id and "inserted" in check.problem


def test_verify_notices_an_event_appended_behind_the_head(db_session):
    _a, _b, c = _three(db_session)
    forged = AuditEvent(seq=c.seq + 1, at=c.at, action="forged", entity_type="thing", prev_hash=c.hash)
    forged.hash = audit.event_hash(forged)
    db_session.execute(insert(AuditEvent).values(seq=forged.seq, at=forged.at, action="forged",
                                                 entity_type="thing", prev_hash=c.hash, hash=forged.hash))
    db_session.expire_all()
    check = audit.verify(db_session)
    assert not check.ok and check.event_id is None and "inserted" in check.problem


def test_verify_notices_events_deleted_from_the_end(db_session):
    _a, _b, c = _three(db_session)
    _without_triggers(db_session)
    db_session.execute(delete(AuditEvent).where(AuditEvent.id == c.id))
    db_session.expire_all()
    check = audit.verify(db_session)
    assert not check.ok and check.event_id is None and f"names seq {c.seq}" in check.problem


def test_email_digest_is_keyed_and_normalised():
    assert audit.email_digest("k1", " A@Example.com") == audit.email_digest("k1", "a@example.com")
    assert audit.email_digest("k1", "a@example.com") != audit.email_digest("k2", "a@example.com")


def test_postgresql_two_hosts_appending_take_turns(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers with BEGIN IMMEDIATE instead")
    with Session(engine) as first:
        mine = audit.record(first, None, "test.concurrent", "thing", 1).seq
        first.flush()
        outcome = second_session_waits(engine, lambda other: audit.record(other, None, "test.concurrent",
                                                                          "thing", 2).seq, first.commit)
    assert outcome == [mine + 1]
    with Session(engine) as check:
        result = audit.verify(check)
        assert result.ok, result.problem
