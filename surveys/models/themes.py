"""Themes and sentiment of comments: learned themes, keyword rules, each comment's labels and their rollups."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger, Boolean, CheckConstraint, Date, DateTime, Float, ForeignKey, ForeignKeyConstraint, Integer,
    LargeBinary, String, Text, false, true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.models.base import Base, in_list, utcnow

THEME_SOURCES = ("learned", "manual")
THEME_AUDIENCES = ("customer", "employee")
# theme_id in the theme rollups for "every comment, whatever its themes" (no theme has id 0).
ALL_COMMENTS = 0


class Theme(Base):
    """A theme of customer or employee comments, learned (named by its top words) or made by staff."""

    __tablename__ = "themes"
    __table_args__ = (
        CheckConstraint(in_list("source", THEME_SOURCES), name="source"),
        CheckConstraint(in_list("audience", THEME_AUDIENCES), name="audience"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    audience: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(120))
    words: Mapped[str] = mapped_column(Text, default="", server_default="")  # top words, comma-separated
    source: Mapped[str] = mapped_column(String(20), default="learned", server_default="learned")
    # Set when staff rename a theme: a refresh keeps the name of the learned theme that matches it best.
    renamed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Index of this theme's component in the current ThemeModel of its audience (NULL: manual theme).
    component: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    rules: Mapped[list[ThemeRule]] = relationship(back_populates="theme", cascade="all, delete-orphan")


class ThemeRule(Base):
    """A keyword or phrase that always assigns a theme to a comment containing it."""

    __tablename__ = "theme_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"), index=True)
    keyword: Mapped[str] = mapped_column(String(120))

    theme: Mapped[Theme] = relationship(back_populates="rules")


class ThemeModel(Base):
    """The learned model of one audience (vocabulary, idf and NMF components), stored so any host can classify."""

    __tablename__ = "theme_models"
    __table_args__ = (CheckConstraint(in_list("audience", THEME_AUDIENCES), name="audience"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audience: Mapped[str] = mapped_column(String(20), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    n_comments: Mapped[int] = mapped_column(Integer)
    payload: Mapped[bytes] = mapped_column(LargeBinary)  # an .npz written by analysis.text


class CommentLabel(Base):
    """The sentiment of one comment answer (-1 very negative .. +1 very positive)."""

    __tablename__ = "comment_labels"
    __table_args__ = (
        ForeignKeyConstraint(["response_id", "question_id"], ["answers.response_id", "answers.question_id"],
                             ondelete="CASCADE"),
        {"sqlite_with_rowid": False},  # no hidden insertion-order rowid (see Response)
    )

    response_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    question_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sentiment: Mapped[float] = mapped_column(Float)


class CommentTheme(Base):
    """One theme of one comment answer; `by_rule` when a keyword rule assigned it."""

    __tablename__ = "comment_themes"
    __table_args__ = (
        ForeignKeyConstraint(["response_id", "question_id"], ["answers.response_id", "answers.question_id"],
                             ondelete="CASCADE"),
        {"sqlite_with_rowid": False},
    )

    response_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    question_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True, index=True)
    weight: Mapped[float] = mapped_column(Float, default=1.0, server_default="1")
    by_rule: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class RollupThemeDay(Base):
    """Per day x touchpoint x theme of customer comments: how many, their sentiment sum and how many negative.

    theme_id ALL_COMMENTS (0) counts every comment whatever its themes, so it carries no foreign key.
    """

    __tablename__ = "rollup_theme_days"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    touchpoint_id: Mapped[int] = mapped_column(ForeignKey("touchpoints.id", ondelete="CASCADE"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    theme_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sentiment_sum: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    negative: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class RollupThemeWave(Base):
    """Per wave x team x theme of employee comments (theme_id 0: every comment); shown only at the comment threshold."""

    __tablename__ = "rollup_theme_waves"

    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id", ondelete="CASCADE"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    theme_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sentiment_sum: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    negative: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
