"""Customer voice beyond scores: imported business outcomes, contact details given with consent, follow-up cases."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger, Boolean, CheckConstraint, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint,
    false, true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.models.base import Base, in_list, utcnow
from surveys.models.org import Person, Team, Touchpoint

CASE_STATUSES = ("open", "contacted", "closed")
OPEN_CASE_STATUSES = ("open", "contacted")
# Why a case was opened: an NPS detractor (0-6) or an unhappy CSAT (1-2) who agreed to be contacted.
CASE_TRIGGERS = ("nps_detractor", "csat_unhappy")
CONTACT_METHODS = ("phone", "email", "other")


class OutcomeMetric(Base):
    """A business outcome's name and direction, e.g. churn_rate (lower is better) or revenue (higher)."""

    __tablename__ = "outcome_metrics"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)  # slug: churn_rate, retention, revenue
    label: Mapped[str] = mapped_column(String(120))
    higher_is_better: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    unit: Mapped[str] = mapped_column(String(20), default="", server_default="")  # "%", "EUR", "" ...


class Outcome(Base):
    """One imported business-outcome figure for a period and a team or one of its touchpoints.

    `unit_key` is "team:<id>" or "touchpoint:<id>" so one UNIQUE constraint covers both (a NULL touchpoint
    would not collide in SQL); re-importing the same period, unit and metric replaces the value.
    """

    __tablename__ = "outcomes"
    __table_args__ = (
        UniqueConstraint("metric", "period_start", "period_end", "unit_key"),
        CheckConstraint("period_end >= period_start", name="period"),
        CheckConstraint("n IS NULL OR n >= 0", name="n"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    metric: Mapped[str] = mapped_column(ForeignKey("outcome_metrics.name", ondelete="CASCADE"), index=True)
    period_start: Mapped[dt.date] = mapped_column(Date, index=True)
    period_end: Mapped[dt.date] = mapped_column(Date)
    period_label: Mapped[str] = mapped_column(String(20))  # as written in the file: 2026-03, 2026-Q1, 2026
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    touchpoint_id: Mapped[int | None] = mapped_column(ForeignKey("touchpoints.id", ondelete="CASCADE"), index=True)
    unit_key: Mapped[str] = mapped_column(String(40))
    value: Mapped[float] = mapped_column(Float)
    n: Mapped[int | None] = mapped_column(Integer)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    team: Mapped[Team] = relationship()
    touchpoint: Mapped[Touchpoint | None] = relationship()


class CustomerContact(Base):
    """How to reach a customer who asked to be contacted about their feedback (customer responses only).

    Personal data of a customer, never of an employee: no employee response ever gets a row here.
    Shown only to HR and executives; erased with the rest of a customer's data.
    """

    __tablename__ = "customer_contacts"
    __table_args__ = ({"sqlite_with_rowid": False},)

    response_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("responses.id", ondelete="CASCADE"),
                                             primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    phone: Mapped[str] = mapped_column(String(40), default="", server_default="")
    consent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class FollowUpCase(Base):
    """Close the loop: a follow-up with an unhappy customer who agreed to be contacted, owned by a team."""

    __tablename__ = "follow_up_cases"
    __table_args__ = (
        CheckConstraint(in_list("status", CASE_STATUSES), name="status"),
        CheckConstraint(in_list("trigger", CASE_TRIGGERS), name="trigger"),
        CheckConstraint(f"contact_method IS NULL OR {in_list('contact_method', CONTACT_METHODS)}",
                        name="contact_method"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # UNIQUE: one case per response, however many hosts see it arrive.
    response_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("responses.id", ondelete="CASCADE"),
                                             unique=True)
    touchpoint_id: Mapped[int] = mapped_column(ForeignKey("touchpoints.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    trigger: Mapped[str] = mapped_column(String(20))
    score: Mapped[int] = mapped_column(Integer)
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    due_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    status: Mapped[str] = mapped_column(String(20), default="open", server_default="open")
    contact_method: Mapped[str | None] = mapped_column(String(20))
    outcome: Mapped[str | None] = mapped_column(Text)
    contacted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    # 0: the owning team's lead; 1: the department head; 2: the executives (as alerts escalate).
    escalation_level: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    touchpoint: Mapped[Touchpoint] = relationship()
    team: Mapped[Team] = relationship()
    closed_by: Mapped[Person | None] = relationship()
    events: Mapped[list[CaseEvent]] = relationship(back_populates="case", cascade="all, delete-orphan",
                                                   order_by="CaseEvent.at")


class CaseEvent(Base):
    """One entry of a case's history: who did what, when (opened, contacted, escalated, closed, note)."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("follow_up_cases.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    what: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="", server_default="")

    case: Mapped[FollowUpCase] = relationship(back_populates="events")
    actor: Mapped[Person | None] = relationship()
