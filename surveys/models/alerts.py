"""Breakdown alerts on touchpoints, their history, and the days the scan has evaluated."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.models.base import Base, in_list, utcnow
from surveys.models.org import Person, Team, Touchpoint

# sudden_day/week/month: a period against its trailing window; shift: a CUSUM/EWMA control chart;
# below_target: under a goal for several periods in a row; emerging_theme: a theme's volume jumps.
ALERT_KINDS = ("sudden_day", "sudden_week", "sudden_month", "shift", "below_target", "emerging_theme")
ALERT_STATUSES = ("new", "acknowledged", "action_planned", "resolved", "dismissed")
OPEN_ALERT_STATUSES = ("new", "acknowledged", "action_planned")
SEVERITIES = ("high", "medium", "low")


class Alert(Base):
    """One breakdown at a touchpoint: what dropped, since when, by how much, and what is being done."""

    __tablename__ = "alerts"
    __table_args__ = (
        CheckConstraint(in_list("kind", ALERT_KINDS), name="kind"),
        CheckConstraint(in_list("status", ALERT_STATUSES), name="status"),
        CheckConstraint(in_list("severity", SEVERITIES), name="severity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    touchpoint_id: Mapped[int] = mapped_column(ForeignKey("touchpoints.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)  # owner at detection
    # csat, nps, ces (a customer metric key of surveys/goals/metrics.py), or "theme:<id>" for emerging themes.
    metric: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(20))
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="SET NULL"))
    began_on: Mapped[dt.date] = mapped_column(Date)           # estimated start of the shift
    detected_on: Mapped[dt.date] = mapped_column(Date, index=True)
    last_seen_on: Mapped[dt.date] = mapped_column(Date)       # the latest day the condition still held
    recovered_on: Mapped[dt.date | None] = mapped_column(Date)
    baseline: Mapped[float | None] = mapped_column(Float)     # the metric before (same scale as the reports)
    baseline_n: Mapped[int | None] = mapped_column(Integer)
    current: Mapped[float | None] = mapped_column(Float)      # the metric in the drop period
    current_n: Mapped[int | None] = mapped_column(Integer)
    drop: Mapped[float | None] = mapped_column(Float)         # baseline - current (positive = worse)
    low: Mapped[float | None] = mapped_column(Float)          # 95% interval of the drop
    high: Mapped[float | None] = mapped_column(Float)
    p_value: Mapped[float | None] = mapped_column(Float)
    q_value: Mapped[float | None] = mapped_column(Float)      # Benjamini-Hochberg over the day's tests
    severity: Mapped[str] = mapped_column(String(10), default="medium", server_default="medium")
    status: Mapped[str] = mapped_column(String(20), default="new", server_default="new", index=True)
    status_note: Mapped[str | None] = mapped_column(Text)     # dismissal reason or resolution note
    # 0: routed to the owning team's lead; 1: escalated to the department head; 2: to the executives.
    escalation_level: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    escalated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id", ondelete="SET NULL"), index=True)
    hints_json: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")  # root-cause hints
    # "<touchpoint_id>:<metric>:<kind>" while open, NULL once closed: UNIQUE, so two ticking hosts never
    # open the same alert twice (NULLs never collide on SQLite or PostgreSQL).
    open_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    touchpoint: Mapped[Touchpoint] = relationship()
    team: Mapped[Team] = relationship()
    events: Mapped[list[AlertEvent]] = relationship(back_populates="alert", cascade="all, delete-orphan",
                                                    order_by="AlertEvent.at")


class AlertEvent(Base):
    """One entry of an alert's history (detected, acknowledged, escalated, action planned, resolved, ...)."""

    __tablename__ = "alert_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    what: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="", server_default="")

    alert: Mapped[Alert] = relationship(back_populates="events")
    actor: Mapped[Person | None] = relationship()


class AlertScan(Base):
    """A day the breakdown scan has evaluated; the primary key lets one host claim each day."""

    __tablename__ = "alert_scans"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    scanned_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    tests: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    raised: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
