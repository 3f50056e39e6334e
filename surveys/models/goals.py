"""Goals: a target on a metric for the organisation, a department or a team, by a date."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.models.base import Base, utcnow
from surveys.models.org import Person, Team


class Goal(Base):
    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    # A metric key of the shared vocabulary (surveys/goals/metrics.py); imported outcomes are "outcome:<name>".
    metric: Mapped[str] = mapped_column(String(60))
    # NULL: the whole organisation; otherwise a department or a team (and everything under it).
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    # A goal on one touchpoint's customer metric (its team is team_id); breakdown alerts watch it.
    touchpoint_id: Mapped[int | None] = mapped_column(ForeignKey("touchpoints.id", ondelete="CASCADE"), index=True)
    target: Mapped[float] = mapped_column(Float)
    due_on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    archived: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    team: Mapped[Team | None] = relationship()
    created_by: Mapped[Person | None] = relationship()
