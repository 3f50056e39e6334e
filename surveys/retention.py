"""Retention of open-text comments: blank them once their response is older than the configured period."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from surveys import audit, themes
from surveys.models import Answer, AuditEvent, Response


@dataclass(frozen=True)
class CommentPurge:
    """One purge: answers whose text was blanked (their value kept), and text-only answers deleted."""

    blanked: int
    deleted: int
    ran: bool = True


def purge_comments(session: Session, today: dt.date, days: int) -> CommentPurge:
    """Blank Answer.text of responses submitted more than `days` days before `today` (0 keeps them forever)."""
    # At most once per cutoff day: the last purge's audit event records its cutoff, so a tick every minute
    # costs one read. Numeric answers stay, so the report rollups do not change.
    if days <= 0:
        return CommentPurge(0, 0, ran=False)
    cutoff = (today - dt.timedelta(days=days)).isoformat()
    last = session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "comments.purge")
                          .order_by(AuditEvent.seq.desc()).limit(1))
    if last and str(last.get("before", "")) >= cutoff:
        return CommentPurge(0, 0, ran=False)
    old = select(Response.id).where(Response.submitted_on < dt.date.fromisoformat(cutoff)).scalar_subquery()
    themes.forget_comments(session, old)  # a blanked comment keeps no sentiment or theme, nor rollup count
    # Text-only answers would break the "value or text" CHECK once blanked: they go entirely.
    deleted = session.execute(delete(Answer).where(Answer.value.is_(None), Answer.text.is_not(None),
                                                   Answer.response_id.in_(old))
                              .execution_options(synchronize_session=False)).rowcount
    blanked = session.execute(update(Answer).where(Answer.text.is_not(None), Answer.response_id.in_(old))
                              .values(text=None).execution_options(synchronize_session=False)).rowcount
    audit.record(session, None, "comments.purge", "answers", None, before=cutoff, retention_days=days,
                 blanked=blanked, deleted=deleted)
    session.flush()
    return CommentPurge(blanked, deleted)
