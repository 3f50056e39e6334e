"""Staff sign-in state kept in the database: server-side sessions and sign-in throttles."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from surveys.models.base import Base


class StaffSession(Base):
    """One signed-in browser. The cookie holds a random 256-bit id; the table holds only its SHA-256.

    `role` is the person's role at sign-in: a session whose person now has another role (or is
    inactive) is refused, whichever code path changed the person.
    """

    __tablename__ = "staff_sessions"
    __table_args__ = (Index("ix_staff_sessions_last_seen_at", "last_seen_at"),)

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime)
    user_agent: Mapped[str | None] = mapped_column(String(120))


class SignInThrottle(Base):
    """Failed sign-ins of one account or one address (a keyed hash, never the email or address).

    `failures` counts attempts since the last quiet spell; `not_before` is when the next attempt
    may be checked (exponential back-off), NULL while attempts are still free.
    """

    __tablename__ = "sign_in_throttles"
    __table_args__ = (CheckConstraint("failures >= 0", name="failures_not_negative"),)

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_failure_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    not_before: Mapped[dt.datetime | None] = mapped_column(DateTime)
