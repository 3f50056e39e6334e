"""Rising themes of customer comments: each theme's comments in the period against the period before
(RollupThemeDay, as a rate ratio with its interval from analysis.count_change), with a verbatim or two."""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis.count_change import count_change
from surveys.digests.periods import Period
from surveys.models import Answer, Response, Touchpoint
from surveys.models.themes import ALL_COMMENTS, CommentTheme, RollupThemeDay, Theme

TOP = 3
VERBATIMS = 2
MIN_COUNT = 3  # a theme with fewer comments in the period is not called rising, whatever its ratio
MAX_CHARS = 280


@dataclass(frozen=True)
class RisingTheme:
    """A theme that grew: its comments now and before, the rate ratio with its interval, and verbatims."""

    theme_id: int
    name: str
    current: int
    previous: int
    ratio: float | None
    low: float | None
    high: float | None
    significant: bool
    verbatims: tuple[tuple[str, str], ...]  # (touchpoint name, text)


def _counts(session: Session, period: Period, team_ids) -> dict[int, tuple[int, int]]:
    r = RollupThemeDay
    stmt = (select(r.theme_id, func.sum(r.n), func.sum(r.negative))
            .where(r.day >= period.start, r.day <= period.end, r.theme_id != ALL_COMMENTS).group_by(r.theme_id))
    if team_ids is not None:
        stmt = stmt.where(r.team_id.in_(sorted(team_ids)))
    return {int(t): (int(n or 0), int(neg or 0)) for t, n, neg in session.execute(stmt)}


def _fin(x: float) -> float | None:
    return round(x, 2) if x == x and x not in (float("inf"), float("-inf")) else None


def verbatims(session: Session, theme_id: int, period: Period, team_ids, limit: int = VERBATIMS
              ) -> tuple[tuple[str, str], ...]:
    """Up to `limit` customer comments of a theme given in the period (the strongest members first)."""
    stmt = (select(Touchpoint.name, Answer.text).select_from(CommentTheme)
            .join(Answer, (Answer.response_id == CommentTheme.response_id)
                  & (Answer.question_id == CommentTheme.question_id))
            .join(Response, Response.id == CommentTheme.response_id)
            .join(Touchpoint, Touchpoint.id == Response.touchpoint_id)
            .where(CommentTheme.theme_id == theme_id, Response.submitted_on >= period.start,
                   Response.submitted_on <= period.end, Answer.text.is_not(None), Answer.text != "")
            .order_by(CommentTheme.weight.desc(), Response.submitted_on.desc(), Response.id).limit(limit))
    if team_ids is not None:
        stmt = stmt.where(Response.team_id.in_(sorted(team_ids)))
    return tuple((tp, _short(text)) for tp, text in session.execute(stmt))


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_CHARS else text[:MAX_CHARS - 1] + "…"


def rising(session: Session, period: Period, team_ids: Collection[int] | None, confidence: float = 0.95
           ) -> tuple[RisingTheme, ...]:
    """The themes that grew most (significant rises first), with verbatims; empty when no theme has comments."""
    now = _counts(session, period, team_ids)
    if not now:
        return ()
    prev_period = period.previous()
    before = _counts(session, prev_period, team_ids)
    names = dict(session.execute(select(Theme.id, Theme.name).where(Theme.id.in_(sorted(now)), Theme.active)).all())
    candidates = []
    for theme_id, (n, _negative) in now.items():
        if theme_id not in names or n < MIN_COUNT:
            continue
        prev = before.get(theme_id, (0, 0))[0]
        change = count_change(n, prev, period.days, prev_period.days, confidence)
        if not change.ratio > 1:
            continue
        candidates.append((not change.significant, -change.ci_low, -(n - prev), names[theme_id], theme_id, n, prev,
                           change))
    candidates.sort()
    return tuple(RisingTheme(theme_id, name, n, prev, _fin(c.ratio), _fin(c.ci_low), _fin(c.ci_high), c.significant,
                             verbatims(session, theme_id, period, team_ids))
                 for *_k, name, theme_id, n, prev, c in candidates[:TOP])
