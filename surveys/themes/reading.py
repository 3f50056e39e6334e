"""Read side of themes for pages: customer volume and sentiment per touchpoint and week, a few verbatims,
and employee themes per unit only where the comments report would show that unit's comments.

Sums come from the theme rollups; means, shares and intervals from analysis.text.summarise_sentiment.
"""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis.text_figures import SentimentSummary, summarise_sentiment, weekly_volume
from surveys.insights import comments
from surveys.insights.reports.common import Tree
from surveys.models import Answer, Response, Touchpoint, Wave
from surveys.models.themes import ALL_COMMENTS, CommentTheme, RollupThemeDay, RollupThemeWave, Theme

VERBATIMS = 3
WINDOW_DAYS = 365


@dataclass(frozen=True)
class ThemeFigure:
    """One theme (or every comment: id 0) over a set of comments: its volume and sentiment."""

    theme_id: int
    name: str
    sentiment: SentimentSummary


@dataclass(frozen=True)
class CustomerThemes:
    """Customer themes over a window: overall, per touchpoint, per week, and verbatims per theme."""

    start: dt.date | None
    end: dt.date | None
    overall: tuple[ThemeFigure, ...]
    touchpoints: tuple[tuple[str, str, tuple[ThemeFigure, ...]], ...]  # code, name, per theme (0 first)
    weeks: pd.DataFrame
    verbatims: dict[int, tuple[str, ...]]


def _names(session: Session, audience: str) -> dict[int, str]:
    return {ALL_COMMENTS: "All comments", **dict(session.execute(
        select(Theme.id, Theme.name).where(Theme.audience == audience, Theme.active.is_(True))).all())}


def _figures(sums: dict[int, tuple], names: dict[int, str]) -> tuple[ThemeFigure, ...]:
    rows = [ThemeFigure(t, names[t], summarise_sentiment(int(n), float(s), int(neg)))
            for t, (n, s, neg) in sums.items() if t in names]
    return tuple(sorted(rows, key=lambda f: (f.theme_id != ALL_COMMENTS, -f.sentiment.n, f.name)))


def customer_themes(session: Session, touchpoint_code: str | None = None, days: int = WINDOW_DAYS) -> CustomerThemes:
    """Customer comments of the last `days` days of data (optionally one touchpoint), by theme."""
    r = RollupThemeDay
    end = session.scalar(select(func.max(r.day)))
    names = _names(session, "customer")
    if end is None:
        return CustomerThemes(None, None, (), (), pd.DataFrame(), {})
    start = end - dt.timedelta(days=days - 1)
    where = [r.day >= start, r.day <= end]
    if touchpoint_code:
        where.append(r.touchpoint_id == select(Touchpoint.id).where(Touchpoint.code == touchpoint_code)
                     .scalar_subquery())
    sums = [func.sum(r.n), func.sum(r.sentiment_sum), func.sum(r.negative)]
    overall = {t: (n, s, neg) for t, n, s, neg in session.execute(
        select(r.theme_id, *sums).where(*where).group_by(r.theme_id))}
    per_tp: dict[tuple[str, str], dict] = {}
    for code, name, t, n, s, neg in session.execute(
            select(Touchpoint.code, Touchpoint.name, r.theme_id, *sums).join(Touchpoint, Touchpoint.id == r.touchpoint_id)
            .where(*where).group_by(Touchpoint.code, Touchpoint.name, r.theme_id).order_by(Touchpoint.code)):
        per_tp.setdefault((code, name), {})[t] = (n, s, neg)
    daily = pd.DataFrame(session.execute(select(r.day, r.theme_id, *sums).where(*where)
                                         .group_by(r.day, r.theme_id)).all(),
                         columns=["day", "theme_id", "n", "sentiment_sum", "negative"])
    weeks = weekly_volume(daily)
    if len(weeks):
        weeks["theme"] = weeks["theme_id"].map(names)
        weeks = weeks[weeks["theme"].notna()]
    return CustomerThemes(start, end, _figures(overall, names),
                          tuple((c, n, _figures(v, names)) for (c, n), v in per_tp.items()),
                          weeks, _verbatims(session, [t for t in names if t != ALL_COMMENTS], start, end,
                                            touchpoint_code))


def _verbatims(session: Session, theme_ids: list[int], start: dt.date, end: dt.date, touchpoint_code: str | None
               ) -> dict[int, tuple[str, ...]]:
    """A few customer comments per theme, picked at random by the database (customers have no threshold)."""
    out = {}
    for tid in theme_ids:  # one short query per theme: a page has a dozen at most
        stmt = (select(Answer.text).join(CommentTheme, (CommentTheme.response_id == Answer.response_id)
                                         & (CommentTheme.question_id == Answer.question_id))
                .join(Response, Response.id == Answer.response_id)
                .where(CommentTheme.theme_id == tid, Response.submitted_on.between(start, end),
                       Response.touchpoint_id.is_not(None), Answer.text.is_not(None))
                .order_by(func.random()).limit(VERBATIMS))
        if touchpoint_code:
            stmt = stmt.join(Touchpoint, Touchpoint.id == Response.touchpoint_id).where(Touchpoint.code == touchpoint_code)
        texts = list(session.scalars(stmt))
        secrets.SystemRandom().shuffle(texts)
        out[tid] = tuple(texts)
    return out


@dataclass(frozen=True)
class UnitThemes:
    """Employee themes of one unit in one wave, or hidden (no figures) with the reason."""

    team_id: int
    name: str
    depth: int
    shown: bool
    figures: tuple[ThemeFigure, ...] = ()


def employee_wave(session: Session, wave_id: int | None) -> Wave | None:
    """The wave asked for, or the latest employee wave with labelled comments."""
    if wave_id is not None:
        return session.get(Wave, wave_id)
    latest = session.scalar(select(RollupThemeWave.wave_id).join(Wave, Wave.id == RollupThemeWave.wave_id)
                            .order_by(Wave.opens_at.desc()).limit(1))
    return session.get(Wave, latest) if latest else None


def employee_waves(session: Session) -> list[Wave]:
    """Employee waves that have labelled comments, newest first."""
    return list(session.scalars(select(Wave).where(Wave.id.in_(select(RollupThemeWave.wave_id)))
                                .order_by(Wave.opens_at.desc())))


def employee_themes(session: Session, wave: Wave, units: list[int] | None, min_comment_group_size: int
                    ) -> list[UnitThemes]:
    """Per unit (the given ones, or every team), its themes where the comments report would show the unit.

    A unit is shown only when a comment group lies in its subtree (the comments report's whole-tree rule:
    small teams pooled upwards) and the comments of those groups number at least the comment threshold.
    """
    k = max(min_comment_group_size, wave.min_comment_group_size)
    tree = Tree(session)
    groups = comments.comment_groups(tree, comments.respondents(session, wave.id), k)
    r = RollupThemeWave
    per_team: dict[int, dict[int, tuple]] = {}
    for team, t, n, s, neg in session.execute(select(r.team_id, r.theme_id, r.n, r.sentiment_sum, r.negative)
                                              .where(r.wave_id == wave.id)):
        per_team.setdefault(team, {})[t] = (n, s, neg)
    names = _names(session, "employee")
    out = []
    for unit in (units if units is not None else tree.order):
        node = tree.nodes[unit]
        teams = groups.teams_of(groups.homes_in(tree.subtree(unit)))
        sums: dict[int, list] = {}
        for team in teams:
            for t, vals in per_team.get(team, {}).items():
                acc = sums.setdefault(t, [0, 0.0, 0])
                for i, v in enumerate(vals):
                    acc[i] += v
        total = sums.get(ALL_COMMENTS, [0])[0]
        if not teams or total < k:
            out.append(UnitThemes(unit, node.name, node.depth, False))
            continue
        out.append(UnitThemes(unit, node.name, node.depth, True, _figures({t: tuple(v) for t, v in sums.items()},
                                                                            names)))
    return out
