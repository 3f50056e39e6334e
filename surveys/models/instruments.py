"""Survey instruments (versioned) and their questions."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.models.base import Base, in_list, utcnow

AUDIENCES = ("employee", "customer")
SURVEY_STATUSES = ("draft", "active", "archived")
QUESTION_TYPES = ("likert5", "likert7", "scale0_10", "single_choice", "multi_choice", "text")
DIMENSIONS = ("engagement", "culture", "people", "process", "technology", "enps",
              "csat", "nps", "ces", "comment", "other")


class Survey(Base):
    """One version of an instrument; a frozen version is never edited, a new one is made."""

    __tablename__ = "surveys"
    __table_args__ = (
        UniqueConstraint("code", "version"),
        CheckConstraint(in_list("audience", AUDIENCES), name="audience"),
        CheckConstraint(in_list("status", SURVEY_STATUSES), name="status"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    audience: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    status: Mapped[str] = mapped_column(String(20), default="draft", server_default="draft")
    frozen: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    questions: Mapped[list[Question]] = relationship(
        back_populates="survey", order_by="Question.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Survey {self.code} v{self.version}>"


class Question(Base):
    """A question; numeric types carry their bounds so answers can be range-checked by the database."""

    __tablename__ = "questions"
    __table_args__ = (
        UniqueConstraint("survey_id", "code"),
        # Target of the answers' composite foreign key: an answer copies its question's bounds.
        UniqueConstraint("id", "scale_min", "scale_max", name="uq_questions_id_bounds"),
        CheckConstraint(in_list("qtype", QUESTION_TYPES), name="qtype"),
        CheckConstraint("scale_min IS NULL OR scale_max > scale_min", name="bounds_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    qtype: Mapped[str] = mapped_column(String(20))
    dimension: Mapped[str | None] = mapped_column(String(40))
    reverse_keyed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    required: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    choices: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    scale_min: Mapped[int | None] = mapped_column(Integer)
    scale_max: Mapped[int | None] = mapped_column(Integer)

    survey: Mapped[Survey] = relationship(back_populates="questions")

    def __repr__(self) -> str:
        return f"<Question {self.code} {self.qtype}>"
