"""Improvement actions: what a team does about its results, its steps, notes, history and reminders."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean, CheckConstraint, Column, Date, DateTime, Float, ForeignKey, Integer, String, Table, Text,
    UniqueConstraint, false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.models.base import Base, in_list, utcnow
from surveys.models.org import Person, Team

# planned -> in_progress -> done; any open action may be abandoned, with a reason.
ACTION_STATUSES = ("planned", "in_progress", "done", "abandoned")
OPEN_STATUSES = ("planned", "in_progress")
# leaders: staff only; published: also on "You said, we did" and in the results shared with employees.
VISIBILITIES = ("leaders", "published")
# Where the action came from: a suggested focus area, a goal, a spreadsheet import, an alert, or by hand.
ACTION_SOURCES = ("manual", "focus", "goal", "import", "alert")

action_teams = Table(
    "action_teams", Base.metadata,
    Column("action_id", ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True),
    Column("team_id", ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Action(Base):
    __tablename__ = "actions"
    __table_args__ = (
        CheckConstraint(in_list("status", ACTION_STATUSES), name="status"),
        CheckConstraint(in_list("visibility", VISIBILITIES), name="visibility"),
        CheckConstraint(in_list("source", ACTION_SOURCES), name="source"),
        CheckConstraint("due_on IS NULL OR starts_on IS NULL OR due_on >= starts_on", name="dates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    # A metric key of the shared vocabulary (surveys/goals/metrics.py): "process", "enps", "csat", ...
    metric: Mapped[str] = mapped_column(String(60))
    # The baseline is frozen when the action is created: the latest wave's value with its n and interval.
    baseline: Mapped[float | None] = mapped_column(Float)
    baseline_n: Mapped[int | None] = mapped_column(Integer)
    baseline_low: Mapped[float | None] = mapped_column(Float)
    baseline_high: Mapped[float | None] = mapped_column(Float)
    baseline_label: Mapped[str | None] = mapped_column(String(120))  # the wave or period it came from
    target: Mapped[float | None] = mapped_column(Float)
    starts_on: Mapped[dt.date | None] = mapped_column(Date)
    due_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), default="planned", server_default="planned")
    abandon_reason: Mapped[str | None] = mapped_column(Text)
    visibility: Mapped[str] = mapped_column(String(20), default="leaders", server_default="leaders")
    source: Mapped[str] = mapped_column(String(20), default="manual", server_default="manual")
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("goals.id", ondelete="SET NULL"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # Last time anyone changed the action or added a note: the "no update for 30 days" nudge reads it.
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)

    teams: Mapped[list[Team]] = relationship(secondary=action_teams, order_by="Team.code")
    owner: Mapped[Person | None] = relationship(foreign_keys=[owner_id])
    created_by: Mapped[Person | None] = relationship(foreign_keys=[created_by_id])
    steps: Mapped[list[ActionStep]] = relationship(
        back_populates="action", order_by="ActionStep.position", cascade="all, delete-orphan"
    )
    updates: Mapped[list[ActionUpdate]] = relationship(
        back_populates="action", order_by="ActionUpdate.created_at", cascade="all, delete-orphan"
    )
    events: Mapped[list[ActionEvent]] = relationship(
        back_populates="action", order_by="ActionEvent.id", cascade="all, delete-orphan"
    )

    @property
    def percent_complete(self) -> int | None:
        """Share of steps done (0-100), 100 when done, None without steps."""
        if self.status == "done":
            return 100
        if not self.steps:
            return None
        return round(100 * sum(s.done for s in self.steps) / len(self.steps))

    def is_overdue(self, today: dt.date) -> bool:
        """True when still open after its due date."""
        return self.status in OPEN_STATUSES and self.due_on is not None and self.due_on < today


class ActionStep(Base):
    """One item of an action's checklist."""

    __tablename__ = "action_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    text: Mapped[str] = mapped_column(String(300))
    done: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    action: Mapped[Action] = relationship(back_populates="steps")


class ActionUpdate(Base):
    """A dated progress note."""

    __tablename__ = "action_updates"
    __table_args__ = (
        CheckConstraint("progress IS NULL OR (progress >= 0 AND progress <= 100)", name="progress"),
        CheckConstraint(f"status IS NULL OR {in_list('status', ACTION_STATUSES)}", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text)
    progress: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    action: Mapped[Action] = relationship(back_populates="updates")
    author: Mapped[Person | None] = relationship()


class ActionEvent(Base):
    """History of an action: who changed what, and when (surveys/actions/history.py writes it)."""

    __tablename__ = "action_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    what: Mapped[str] = mapped_column(String(40))      # "created", "status", "due_on", "step added", ...
    detail: Mapped[str] = mapped_column(Text, default="", server_default="")  # "planned → in progress"

    action: Mapped[Action] = relationship(back_populates="events")
    actor: Mapped[Person | None] = relationship()


class Reminder(Base):
    """A reminder mail claimed once: UNIQUE(kind, key) makes several ticking hosts send it exactly once.

    key names what the reminder is about, e.g. "action:12:due:2026-12-05" or "hr:7:week:2026-W49"; a row
    is inserted before the mail is sent and sent_at set after, so a failed send can be retried.
    """

    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    key: Mapped[str] = mapped_column(String(120))
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    claimed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
