"""Rendered report pages kept in the database, so a page whose data has not changed is served at once."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from surveys.models.base import Base, utcnow


class ReportCache(Base):
    """One rendered report body per report, parameters, scope and settings (`key`), valid for `version`.

    Holds only what the page shows (figures already suppressed below the threshold); never comments or
    verbatims, whose text retention must be able to erase.
    """

    __tablename__ = "report_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    body: Mapped[str] = mapped_column(Text)
