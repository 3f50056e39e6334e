"""The theme list staff manage: each theme with its rules and how many comments it holds."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys.models.themes import CommentTheme, Theme, ThemeModel, ThemeRule


@dataclass(frozen=True)
class ThemeRow:
    """One theme as the manage page and `tandem themes list` show it."""

    id: int
    audience: str
    name: str
    words: tuple[str, ...]
    source: str
    active: bool
    renamed: bool
    rules: tuple[str, ...]
    comments: int


def list_themes(session: Session, audience: str | None = None) -> list[ThemeRow]:
    """Every theme (of one audience), learned ones in model order, then manual ones."""
    counts = dict(session.execute(select(CommentTheme.theme_id, func.count()).group_by(CommentTheme.theme_id)).all())
    rules: dict[int, list[str]] = {}
    for t, k in session.execute(select(ThemeRule.theme_id, ThemeRule.keyword).order_by(ThemeRule.id)):
        rules.setdefault(t, []).append(k)
    stmt = select(Theme).order_by(Theme.audience, Theme.component.is_(None), Theme.component, Theme.id)
    if audience:
        stmt = stmt.where(Theme.audience == audience)
    return [ThemeRow(t.id, t.audience, t.name, tuple(w for w in t.words.split(",") if w), t.source, t.active,
                     t.renamed, tuple(rules.get(t.id, ())), int(counts.get(t.id, 0)))
            for t in session.scalars(stmt)]


def last_model(session: Session, audience: str) -> ThemeModel | None:
    """The audience's newest model row (when themes were last learned), or None."""
    return session.scalar(select(ThemeModel).where(ThemeModel.audience == audience)
                          .order_by(ThemeModel.id.desc()).limit(1))
