"""Digest subscriptions and the public known-issues page."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.models.base import Base, in_list, utcnow
from surveys.models.org import Person

DIGEST_PERIODS = ("daily", "weekly", "monthly", "quarterly", "annual")
PUBLIC_STATUSES = ("investigating", "fix_planned", "fixed")


class DigestSubscription(Base):
    """A staff member receives the digest of one period (a row per period chosen).

    Sends are claimed through reminders (kind "digest", key "<period>:<start>:<person>"), so several ticking
    hosts send each digest once.
    """

    __tablename__ = "digest_subscriptions"
    __table_args__ = (CheckConstraint(in_list("period", DIGEST_PERIODS), name="period"),)

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    period: Mapped[str] = mapped_column(String(20), primary_key=True)

    person: Mapped[Person] = relationship()


class PublicIssue(Base):
    """A known issue told to customers in the open: only the public text here is ever shown."""

    __tablename__ = "public_issues"
    __table_args__ = (CheckConstraint(in_list("status", PUBLIC_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    what_wrong: Mapped[str] = mapped_column(Text)
    what_doing: Mapped[str] = mapped_column(Text, default="", server_default="")
    status: Mapped[str] = mapped_column(String(20), default="investigating", server_default="investigating")
    published: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    started_on: Mapped[dt.date | None] = mapped_column(Date)  # when customers were first affected, if stated
    fixed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # Internal links, never shown on the public page.
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id", ondelete="SET NULL"), index=True)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id", ondelete="SET NULL"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    updates: Mapped[list[PublicIssueUpdate]] = relationship(back_populates="issue", cascade="all, delete-orphan",
                                                            order_by="PublicIssueUpdate.at")


class PublicIssueUpdate(Base):
    """A dated public status change or note of a known issue."""

    __tablename__ = "public_issue_updates"
    __table_args__ = (CheckConstraint(in_list("status", PUBLIC_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("public_issues.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))

    issue: Mapped[PublicIssue] = relationship(back_populates="updates")
