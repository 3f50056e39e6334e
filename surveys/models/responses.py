"""Responses and answers. No column here can lead back to a person or an invitation."""
from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy import false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.models.base import Base, in_list
from surveys.models.org import CHANNELS

SOURCES = ("invitation", "public_link", "contact_link", "import")
# Why a response was held out of the reports: identical answer sets in a burst on a day of unusual volume.
FLAG_REASONS = ("burst",)


def random_response_id() -> int:
    """A random 62-bit id: sequential ids would let insertion order be matched to invitation times."""
    return secrets.randbits(62) or 1


class Response(Base):
    __tablename__ = "responses"
    __table_args__ = (
        CheckConstraint(in_list("source", SOURCES), name="source"),
        CheckConstraint(f"channel IS NULL OR {in_list('channel', CHANNELS)}", name="channel"),
        Index("ix_responses_wave_team", "wave_id", "team_id"),
        Index("ix_responses_wave_touchpoint", "wave_id", "touchpoint_id"),
        # Customer responses by day, covering the /voice filters (migration b3d5f7a9c1e2).
        Index("ix_responses_customer_day", "submitted_on", "touchpoint_id", "team_id", "source", "channel",
              sqlite_where=text("touchpoint_id IS NOT NULL"), postgresql_where=text("touchpoint_id IS NOT NULL")),
        # On SQLite a table with a BIGINT key still gets a hidden, sequential rowid that records
        # insertion order; WITHOUT ROWID stores rows by the random id instead.
        {"sqlite_with_rowid": False},
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, default=random_response_id,
                                    autoincrement=False)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id", ondelete="CASCADE"))
    # Employee responses: the respondent's team when they answered (a snapshot, not a person).
    # Customer responses: the team owning the touchpoint at the time, for linkage.
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="RESTRICT"))
    touchpoint_id: Mapped[int | None] = mapped_column(ForeignKey("touchpoints.id", ondelete="RESTRICT"))
    source: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str | None] = mapped_column(String(20))
    # The day only: a time of day would help match a response to an invitation.
    submitted_on: Mapped[dt.date] = mapped_column(Date)

    answers: Mapped[list[Answer]] = relationship(back_populates="response", cascade="all, delete-orphan")


class Answer(Base):
    """One answer. Numeric answers copy their question's bounds, which a composite foreign key
    pins to the question, so the CHECK below enforces every question's own range in the database."""

    __tablename__ = "answers"
    __table_args__ = (
        ForeignKeyConstraint(
            ["question_id", "scale_min", "scale_max"],
            ["questions.id", "questions.scale_min", "questions.scale_max"],
            name="fk_answers_question_bounds",
            ondelete="RESTRICT",
        ),
        CheckConstraint(
            "value IS NULL OR (scale_min IS NOT NULL AND scale_max IS NOT NULL"
            " AND value >= scale_min AND value <= scale_max)",
            name="value_in_range",
        ),
        CheckConstraint("value IS NOT NULL OR text IS NOT NULL", name="not_empty"),
        Index("ix_answers_question", "question_id"),
        {"sqlite_with_rowid": False},  # no hidden insertion-order rowid (see Response)
    )

    response_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="RESTRICT"), primary_key=True)
    scale_min: Mapped[int | None] = mapped_column(Integer)
    scale_max: Mapped[int | None] = mapped_column(Integer)
    value: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[Response] = relationship(back_populates="answers")


class FlaggedResponse(Base):
    """A public-link response judged part of a flood: kept, but out of every rollup until released.

    Only the reason and whether HR released it: no time, address or anything else about the sender.
    """

    __tablename__ = "flagged_responses"
    __table_args__ = (CheckConstraint(in_list("reason", FLAG_REASONS), name="reason"),
                      {"sqlite_with_rowid": False})  # no hidden insertion-order rowid (see Response)

    response_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("responses.id", ondelete="CASCADE"),
                                             primary_key=True)
    reason: Mapped[str] = mapped_column(String(20))
    released: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class PendingSubmission(Base):
    """An employee's submission waiting in the queue, sealed with a key that is not in the database.

    Only the wave is in the clear (to release it); the team, day and answers are inside `payload`.
    """

    __tablename__ = "pending_submissions"
    __table_args__ = ({"sqlite_with_rowid": False},)  # no hidden insertion-order rowid (see Response)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, default=random_response_id, autoincrement=False)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id", ondelete="CASCADE"), index=True)
    payload: Mapped[bytes] = mapped_column(LargeBinary)
