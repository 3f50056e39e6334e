"""The theme list staff manage: each theme with its rules and how many comments it holds.

Employee counts cover only comments the comments report shows (teams in a comment group that meets the
threshold, pooled as surveys/themes/reading.employee_themes pools them for the top units): an organisation-wide count would let
a keyword rule work as a search over comments of groups below the threshold.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys.insights.reports.common import Tree
from surveys.models import Wave
from surveys.models.themes import CommentTheme, RollupThemeWave, Theme, ThemeModel, ThemeRule


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


def shown_employee_counts(session: Session, min_comment_group_size: int) -> dict[int, int]:
    """Employee comments per theme over every wave, counting only what the themes read view shows for the
    organisation's top units (reading.employee_themes: comment groups pooled as the comments report pools them)."""
    from surveys.themes.reading import employee_themes  # noqa: PLC0415 - loads pandas only when listing

    waves = list(session.scalars(select(Wave).where(Wave.id.in_(select(RollupThemeWave.wave_id)))))
    if not waves:
        return {}
    roots = [r.id for r in Tree(session).children[None]]
    out: dict[int, int] = {}
    for wave in waves:
        for unit in employee_themes(session, wave, roots, min_comment_group_size):
            for figure in unit.figures:
                out[figure.theme_id] = out.get(figure.theme_id, 0) + figure.sentiment.n
    return out


def list_themes(session: Session, audience: str | None = None, min_comment_group_size: int = 10) -> list[ThemeRow]:
    """Every theme (of one audience), learned ones in model order, then manual ones; employee counts only over
    comment groups the comments report shows (`min_comment_group_size`: the configured threshold)."""
    counts = dict(session.execute(select(CommentTheme.theme_id, func.count()).join(Theme)
                                  .where(Theme.audience != "employee").group_by(CommentTheme.theme_id)).all())
    if audience in (None, "employee"):
        counts.update(shown_employee_counts(session, min_comment_group_size))
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
