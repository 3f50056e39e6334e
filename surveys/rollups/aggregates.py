"""The SQL aggregates behind each rollup table, over all responses or a given set of them.

The same SELECTs feed the write-time upsert (a set of new responses), `rebuild` (all responses) and
`verify` (all responses, compared with the tables), so the three cannot drift apart. Participation is
aggregated over invitations instead (`participation_counts`, its `where` conditions on Invitation). The metric rules
(favourable, promoter, detractor) come from analysis.metrics, the one definition.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Float, Select, and_, case, cast, exists, func, literal, select, true
from sqlalchemy.sql.elements import ColumnElement

from analysis.metrics import AGREEMENT_TYPES, DETRACTOR_MAX, PROMOTER_MIN, TOP_BOX
from surveys.models import (
    Answer,
    FlaggedResponse,
    Invitation,
    Question,
    Response,
    RollupCustomerDay,
    RollupDimension,
    RollupItem,
    RollupParticipation,
    RollupResponses,
    SubmissionReceipt,
)
from surveys.models.rollups import NO_UNIT, RollupCustomerMonth, RollupItemOption
from surveys.models.themes import RollupThemeDay, RollupThemeWave
from surveys.rollups.themes import VALUES as THEME_VALUES, theme_days, theme_waves
from surveys.sqldates import month_start

ZERO, ONE = 0.0, 1.0


def _favourable() -> ColumnElement:
    """1 for a favourable agreement answer, 0 for another agreement answer, NULL for other types."""
    reverse = Answer.value <= Answer.scale_min + (TOP_BOX - 1)
    plain = Answer.value >= Answer.scale_max - (TOP_BOX - 1)
    # The types as plain bound values, not one expanding list: that would be rendered into the SQL again at every
    # execution (a submission's rollup upserts run this on each one).
    return case((Question.qtype.in_([literal(t) for t in AGREEMENT_TYPES]),
                 case((Question.reverse_keyed, case((reverse, 1), else_=0)), else_=case((plain, 1), else_=0))))


def not_flagged() -> ColumnElement:
    """True for a response that is not held out as part of a flood (never flagged, or released)."""
    return ~exists().where(FlaggedResponse.response_id == Response.id, FlaggedResponse.released.is_(False))


def _flag(condition) -> ColumnElement:
    return case((condition, ONE), else_=ZERO)


def _is_0_10() -> ColumnElement:
    return Question.qtype == "scale0_10"


@dataclass(frozen=True)
class Aggregate:
    """One rollup table: its model, key columns, value columns and the SELECT that computes them."""

    model: type
    keys: tuple[str, ...]
    values: tuple[str, ...]
    build: object  # callable(where: Sequence[ColumnElement]) -> Select
    # "employee" (touchpoint_id IS NULL) or "customer" (NOT NULL) when the SELECT counts only that audience's
    # responses, so a caller adding responses of the other audience can skip it: it would add no row.
    audience: str | None = None

    def select(self, where: Sequence[ColumnElement] = ()) -> Select:
        """The aggregate, restricted by `where` (conditions on Response), never counting a flagged flood."""
        return self.build([*where, not_flagged()])


def _items(where) -> Select:
    fav = _favourable()
    band = lambda cond: func.sum(case((and_(_is_0_10(), cond), 1), else_=0))  # noqa: E731
    return (
        select(Response.wave_id, Response.team_id, Answer.question_id, func.count(),
               func.sum(Answer.value), func.sum(Answer.value * Answer.value), func.coalesce(func.sum(fav), 0),
               band(Answer.value >= PROMOTER_MIN),
               band(and_(Answer.value > DETRACTOR_MAX, Answer.value < PROMOTER_MIN)),
               band(Answer.value <= DETRACTOR_MAX))
        .join(Answer, Answer.response_id == Response.id).join(Question, Question.id == Answer.question_id)
        .where(Response.touchpoint_id.is_(None), Answer.value.is_not(None), *where)
        .group_by(Response.wave_id, Response.team_id, Answer.question_id)
    )


def _item_options(where) -> Select:
    """How many employee answers took each value of each question (the same rows as `_items`)."""
    return (
        select(Response.wave_id, Response.team_id, Answer.question_id, Answer.value, func.count())
        .join(Answer, Answer.response_id == Response.id)
        .where(Response.touchpoint_id.is_(None), Answer.value.is_not(None), *where)
        .group_by(Response.wave_id, Response.team_id, Answer.question_id, Answer.value)
    )


def _per_respondent(group, where, touchpoint_filter) -> Select:
    """One row per response and dimension: the respondent's own shares and mean over its items."""
    return (
        select(*group, Question.dimension.label("dimension"),
               (100.0 * func.avg(cast(_favourable(), Float))).label("fav"),
               func.avg(_flag(Answer.value >= Answer.scale_max - (TOP_BOX - 1))).label("top2"),
               func.avg(_flag(Answer.value >= PROMOTER_MIN)).label("prom"),
               func.avg(_flag(Answer.value <= DETRACTOR_MAX)).label("det"),
               func.avg(cast(Answer.value, Float)).label("mean"))
        .join(Answer, Answer.response_id == Response.id).join(Question, Question.id == Answer.question_id)
        .where(touchpoint_filter, Answer.value.is_not(None), Question.dimension.is_not(None), *where)
        .group_by(Response.id, Question.dimension, *group)
    )


def _respondent_sums(c) -> list:
    return [func.count(), func.sum(c.top2), func.sum(c.prom), func.sum(c.det), func.sum(c.mean),
            func.sum(c.mean * c.mean), func.sum(c.top2 * c.top2), func.sum((c.prom - c.det) * (c.prom - c.det))]


def _dimensions(where) -> Select:
    inner = _per_respondent([Response.wave_id.label("wave_id"), Response.team_id.label("team_id")], where,
                            Response.touchpoint_id.is_(None)).subquery()
    c = inner.c
    # WHERE true: SQLite needs a WHERE before ON CONFLICT when the upsert's source is a SELECT.
    return (select(c.wave_id, c.team_id, c.dimension, func.count(c.fav), func.coalesce(func.sum(c.fav), ZERO),
                   func.coalesce(func.sum(c.fav * c.fav), ZERO), *_respondent_sums(c))
            .where(true()).group_by(c.wave_id, c.team_id, c.dimension))


def _customer_days(where) -> Select:
    inner = _per_respondent([Response.submitted_on.label("day"), Response.touchpoint_id.label("touchpoint_id"),
                             Response.team_id.label("team_id"), Response.source.label("source"),
                             func.coalesce(Response.channel, "").label("channel")], where,
                            Response.touchpoint_id.is_not(None)).subquery()
    c = inner.c
    return (select(c.day, c.touchpoint_id, c.team_id, c.dimension, c.source, c.channel, *_respondent_sums(c))
            .where(true()).group_by(c.day, c.touchpoint_id, c.team_id, c.dimension, c.source, c.channel))


def _customer_months(where) -> Select:
    inner = _per_respondent([month_start(Response.submitted_on).label("month"),
                             Response.touchpoint_id.label("touchpoint_id"), Response.team_id.label("team_id"),
                             Response.source.label("source"), func.coalesce(Response.channel, "").label("channel")],
                            where, Response.touchpoint_id.is_not(None)).subquery()
    c = inner.c
    return (select(c.month, c.touchpoint_id, c.team_id, c.dimension, c.source, c.channel, *_respondent_sums(c))
            .where(true()).group_by(c.month, c.touchpoint_id, c.team_id, c.dimension, c.source, c.channel))


def _responses(where) -> Select:
    return (select(Response.wave_id, Response.team_id, Response.source, func.count())
            .where(true(), *where).group_by(Response.wave_id, Response.team_id, Response.source))


def participation_counts(where: Sequence[ColumnElement] = (), invited: int = 1, responded: int = 1) -> Select:
    """Employee invitations (times `invited`) and their released receipts (times `responded`) per wave and unit.

    The weights turn the same aggregate into an increment (1), a decrement (-1) or no change (0) of a column.
    """
    unit = func.coalesce(Invitation.unit_team_id, NO_UNIT)
    # The receipt's primary key is the invitation id, so the outer join adds at most one row each.
    n, released = func.count(Invitation.id), func.count(case((SubmissionReceipt.released, 1)))
    weigh = lambda column, w: column if w == 1 else column * w  # noqa: E731
    return (select(Invitation.wave_id, unit, weigh(n, invited), weigh(released, responded))
            .select_from(Invitation)
            .outerjoin(SubmissionReceipt, SubmissionReceipt.invitation_id == Invitation.id)
            .where(Invitation.person_id.is_not(None), *where)
            .group_by(Invitation.wave_id, unit))


# Comments' sentiment and themes (surveys/rollups/themes.py); labelled after insert, see surveys.themes.labels.
THEMES = (Aggregate(RollupThemeDay, ("day", "touchpoint_id", "team_id", "theme_id"), THEME_VALUES, theme_days,
                    "customer"),
          Aggregate(RollupThemeWave, ("wave_id", "team_id", "theme_id"), THEME_VALUES, theme_waves, "employee"))
SUMS = ("n", "top2", "prom", "det", "mean", "mean_sq", "top2_sq", "net_sq")
AGGREGATES = (
    Aggregate(RollupItem, ("wave_id", "team_id", "question_id"),
              ("n", "total", "total_sq", "favourable", "promoters", "passives", "detractors"), _items, "employee"),
    Aggregate(RollupDimension, ("wave_id", "team_id", "dimension"), ("n_fav", "fav_sum", "fav_sq", *SUMS),
              _dimensions, "employee"),
    Aggregate(RollupCustomerDay, ("day", "touchpoint_id", "team_id", "metric", "source", "channel"), SUMS,
              _customer_days, "customer"),
    Aggregate(RollupCustomerMonth, ("month", "touchpoint_id", "team_id", "metric", "source", "channel"), SUMS,
              _customer_months, "customer"),
    Aggregate(RollupResponses, ("wave_id", "team_id", "source"), ("n",), _responses),
    Aggregate(RollupItemOption, ("wave_id", "team_id", "question_id", "value"), ("n",), _item_options, "employee"),
    *THEMES,
)
# Not kept per response (surveys/rollups/participation.py keeps it), but rebuilt and verified alike.
PARTICIPATION = Aggregate(RollupParticipation, ("wave_id", "team_id"), ("invited", "responded"),
                          participation_counts)
EVERY = (*AGGREGATES, PARTICIPATION)
