"""Rate-limit counters for public survey links, shared by every web process through the database."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from surveys.models.base import Base


class RateLimitHit(Base):
    """Accepted submissions of one client in one fixed time window.

    `key` is a keyed hash (HMAC with the app's secret key) of the client address, never the address.
    """

    __tablename__ = "rate_limit_hits"
    __table_args__ = (
        CheckConstraint("count >= 0", name="count_not_negative"),
        Index("ix_rate_limit_hits_window_start", "window_start"),
    )

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[dt.datetime] = mapped_column(DateTime, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
