"""The participation rollup kept at write time: invitations and released receipts per wave x storage unit.

Every change to who is invited or whose receipt is released moves these counts in the same
transaction, as an upsert adding to the stored row (`invited = invited + excluded.invited`), so two
hosts writing at once cannot lose an increment:

- bulk statements call the functions here: opening a wave (`add_invited`, from the ids an INSERT ...
  RETURNING gave back), a batch leaving the submission queue (`add_released`, from UPDATE ...
  RETURNING), erasing a person (`remove_invitations`, before the DELETE); the demo rebuilds instead;
- single rows written through the ORM (a contact link, a receipt, the tests' factories) are counted by
  the mapper events below, so no caller can forget them. ORM bulk statements fire no mapper events,
  so nothing is counted twice.

Imported past waves have no invitations and never touch this table.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from sqlalchemy import bindparam, event, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from surveys.models import Invitation, RollupParticipation, SubmissionReceipt
from surveys.models.rollups import NO_UNIT
from surveys.rollups.aggregates import participation_counts

# Ids per statement: well under SQLite's and PostgreSQL's bound-parameter limits.
CHUNK = 2000
_TABLE = RollupParticipation.__table__
_COLUMNS = ("wave_id", "team_id", "invited", "responded")


def _insert(dialect: str):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - Tandem supports SQLite and PostgreSQL
        raise RuntimeError(f"Rollups need SQLite or PostgreSQL, not {dialect}.")
    return insert(_TABLE)


def _adding(stmt):
    """`stmt` with ON CONFLICT adding the new counts to the stored row."""
    return stmt.on_conflict_do_update(index_elements=["wave_id", "team_id"],
                                      set_={c: _TABLE.c[c] + stmt.excluded[c] for c in ("invited", "responded")})


def _apply(connection: Connection, invitation_ids: Sequence[int], invited: int, responded: int) -> None:
    """Add `invited` per employee invitation and `responded` per released receipt among `invitation_ids`."""
    ids = list(invitation_ids)
    where = [Invitation.id.in_(bindparam("ids", expanding=True))]
    stmt = _adding(_insert(connection.dialect.name)
                   .from_select(list(_COLUMNS), participation_counts(where, invited, responded)))
    for start in range(0, len(ids), CHUNK):
        connection.execute(stmt, {"ids": ids[start:start + CHUNK]})


def _bump(connection: Connection, counts: dict[tuple[int, int], int]) -> None:
    """Add invitations counted per (wave id, unit) directly: the caller knows them from RETURNING."""
    if counts:
        rows = [{"wave_id": w, "team_id": u, "invited": n, "responded": 0} for (w, u), n in counts.items()]
        connection.execute(_adding(_insert(connection.dialect.name).values(rows)))


def add_invited(session: Session, invitations: Iterable[tuple[int, int | None]]) -> None:
    """Count new employee invitations, given as (wave id, unit team id) pairs (e.g. from INSERT ... RETURNING)."""
    counts = Counter((int(w), NO_UNIT if u is None else int(u)) for w, u in invitations)
    _bump(session.connection(), dict(counts))


def add_released(session: Session, invitation_ids: Sequence[int]) -> None:
    """Count receipts just released from the queue (the ids an UPDATE ... RETURNING gave back)."""
    _apply(session.connection(), invitation_ids, 0, 1)


def remove_invitations(session: Session, invitation_ids: Sequence[int]) -> None:
    """Uncount invitations (and their released receipts) about to be deleted; call before the DELETE."""
    _apply(session.connection(), invitation_ids, -1, -1)


# Single rows written through the ORM. The events run inside the flush, on its connection.

def _changed(target, *names: str) -> bool:
    state = inspect(target)
    return any(state.attrs[name].history.has_changes() for name in names)


@event.listens_for(Invitation, "after_insert")
def _invitation_inserted(_mapper, connection, target) -> None:
    if target.person_id is not None:  # customer contact links are not invitations of people
        _bump(connection, {(target.wave_id, NO_UNIT if target.unit_team_id is None else target.unit_team_id): 1})


@event.listens_for(Invitation, "before_update")
def _invitation_moving(_mapper, connection, target) -> None:
    if _changed(target, "wave_id", "unit_team_id", "person_id"):
        _apply(connection, [target.id], -1, -1)  # as stored before the UPDATE


@event.listens_for(Invitation, "after_update")
def _invitation_moved(_mapper, connection, target) -> None:
    if _changed(target, "wave_id", "unit_team_id", "person_id"):
        _apply(connection, [target.id], 1, 1)


@event.listens_for(Invitation, "before_delete")
def _invitation_deleting(_mapper, connection, target) -> None:
    _apply(connection, [target.id], -1, -1)


@event.listens_for(SubmissionReceipt, "after_insert")
def _receipt_inserted(_mapper, connection, target) -> None:
    if target.released:
        _apply(connection, [target.invitation_id], 0, 1)


@event.listens_for(SubmissionReceipt, "before_update")
def _receipt_updating(_mapper, connection, target) -> None:
    if _changed(target, "released"):
        _apply(connection, [target.invitation_id], 0, -1)  # as stored before the UPDATE


@event.listens_for(SubmissionReceipt, "after_update")
def _receipt_updated(_mapper, connection, target) -> None:
    if _changed(target, "released"):
        _apply(connection, [target.invitation_id], 0, 1)


@event.listens_for(SubmissionReceipt, "before_delete")
def _receipt_deleting(_mapper, connection, target) -> None:
    _apply(connection, [target.invitation_id], 0, -1)  # counts only a receipt released in the database
