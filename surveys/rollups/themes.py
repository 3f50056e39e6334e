"""The theme rollups' SQL aggregates: comments per day x touchpoint x team x theme (customer) and per
wave x team x theme (employee), with their sentiment sum and how many are negative.

Theme ALL_COMMENTS (0) counts every labelled comment whatever its themes. They are Aggregates like the
others, so `rollups.rebuild`, `verify` and `remove_responses` (a flood flagged) cover them; at insert
time a response has no labels yet when `add_responses` runs, so surveys.themes.labels adds them after
labelling (`add_labelled`).
"""
from __future__ import annotations

from sqlalchemy import Integer, and_, case, func, literal, select, true, union_all

from analysis.metrics import SENTIMENT_NEGATIVE_MAX
from surveys.models import Response
from surveys.models.themes import ALL_COMMENTS, CommentLabel, CommentTheme

VALUES = ("n", "sentiment_sum", "negative")


def _sums():
    return [func.count(), func.coalesce(func.sum(CommentLabel.sentiment), 0.0),
            func.coalesce(func.sum(case((CommentLabel.sentiment <= SENTIMENT_NEGATIVE_MAX, 1), else_=0)), 0)]


def _both(group, customer: bool, where):
    tp = Response.touchpoint_id.is_not(None) if customer else Response.touchpoint_id.is_(None)
    everything = (select(*group, literal(ALL_COMMENTS, Integer).label("theme_id"), *_sums())
                  .select_from(CommentLabel).join(Response, Response.id == CommentLabel.response_id)
                  .where(tp, *where).group_by(*group))
    themed = (select(*group, CommentTheme.theme_id.label("theme_id"), *_sums())
              .select_from(CommentTheme)
              .join(CommentLabel, and_(CommentLabel.response_id == CommentTheme.response_id,
                                       CommentLabel.question_id == CommentTheme.question_id))
              .join(Response, Response.id == CommentTheme.response_id)
              .where(tp, *where).group_by(*group, CommentTheme.theme_id))
    u = union_all(everything, themed).subquery()
    # WHERE true: SQLite needs a WHERE before ON CONFLICT when the upsert's source is a SELECT.
    return select(*u.c).where(true())


def theme_days(where):
    """Customer comments per day, touchpoint, team and theme."""
    return _both([Response.submitted_on.label("day"), Response.touchpoint_id.label("touchpoint_id"),
                  Response.team_id.label("team_id")], True, where)


def theme_waves(where):
    """Employee comments per wave, team and theme."""
    return _both([Response.wave_id.label("wave_id"), Response.team_id.label("team_id")], False, where)
