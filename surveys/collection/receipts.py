"""The receipt of a used invitation, written in one statement that also says whether it was the first."""
from __future__ import annotations

from sqlalchemy.orm import Session

from surveys.models import SubmissionReceipt
from surveys.rollups import participation

_INSERTS: dict[str, object] = {}  # one statement per dialect: immutable SQL, built once


def _insert(dialect: str):
    if dialect not in _INSERTS:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        _INSERTS[dialect] = (insert(SubmissionReceipt.__table__).on_conflict_do_nothing()
                             .returning(SubmissionReceipt.invitation_id))
    return _INSERTS[dialect]


def insert(session: Session, invitation_id: int, *, released: bool) -> bool:
    """Write the invitation's receipt; False when it already had one (used: nothing written).

    INSERT ... ON CONFLICT DO NOTHING RETURNING: a concurrent second submission finds the primary key taken
    and gets no row back, without an error that would abort the transaction (so no savepoint is needed).
    A Core statement fires no mapper event, so a receipt written released is counted here.
    """
    stmt = _insert(session.get_bind().dialect.name)
    first = session.execute(stmt, {"invitation_id": invitation_id, "released": released}).first() is not None
    if first and released:
        participation.add_released(session, [invitation_id])
    return first
