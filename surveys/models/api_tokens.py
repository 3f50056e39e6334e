"""Personal API tokens of staff: only a keyed hash of each token is stored, never the token."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from surveys.models.base import Base, in_list
from surveys.models.org import STAFF_ROLES


class ApiToken(Base):
    """A token a staff member made for scripts reading the report API.

    `role` is the person's role when the token was made: a token whose person now has another role
    (or is inactive) is refused, as a signed-in session is. `hint` is the token's last four
    characters, so its owner can tell tokens apart; the other 39 stay secret.
    """

    __tablename__ = "api_tokens"
    __table_args__ = (CheckConstraint(in_list("role", STAFF_ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(8))
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    def state(self, now: dt.datetime) -> str:
        """'active', 'expired' or 'revoked'."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"
