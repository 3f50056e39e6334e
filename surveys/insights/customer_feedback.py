"""Read side of the customer report: CSAT, NPS and CES sums from the customer rollups, grouped in SQL by
period, touchpoint, channel, origin (surveyed or imported) or owning team; and the verbatims, a paged
list of customer comments read from the responses (the one place this module reads rows).

Sums become `analysis.summaries.Sums` here so the report only estimates, suppresses and lays out.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from analysis.metrics import CX_METRICS
from analysis.summaries import Sums
from surveys.insights.reports.common import customer_sums
from surveys.models import Answer, Question, Response, Touchpoint
from surveys.models.rollups import RollupCustomerDay, RollupCustomerMonth
from surveys.sqldates import month_start, week_start

ORIGINS = ("surveyed", "imported")


def metric_sums(metric: str, n, top2, prom, det, mean, mean_sq, top2_sq, net_sq) -> Sums:
    """The Sums of a customer metric from rollup sums (see reports.common.customer_sums)."""
    return customer_sums(metric, n, top2, prom, det, mean, mean_sq, net_sq)


@dataclass(frozen=True)
class Filters:
    """Which customer feedback a query covers: days [start, end], metrics, and optional restrictions."""

    start: dt.date
    end: dt.date  # inclusive
    metrics: tuple[str, ...] = CX_METRICS
    team_ids: Collection[int] | None = None  # owning team at the time; None = every team
    touchpoint_id: int | None = None
    channel: str | None = None

    @property
    def whole_months(self) -> bool:
        """True when the monthly rollup can answer: the days are whole calendar months (it has every key of
        the daily rollup but the day, so touchpoint and channel filters are answered there too)."""
        after = self.end + dt.timedelta(days=1)
        return self.start.day == 1 and after.day == 1


def _channel(d):
    """The response's channel, or its touchpoint's when the response named none."""
    return func.coalesce(func.nullif(d.channel, ""), Touchpoint.channel)


def _origin(d):
    return case((d.source == "import", "imported"), else_="surveyed")


_SUMS = ("n", "top2", "prom", "det", "mean", "mean_sq", "top2_sq", "net_sq")
GROUPS = ("period", "touchpoint", "channel", "team", "total")


def _rollup(f: Filters, days: bool = False):
    """The monthly rollup for whole months, else (or with `days`) the daily one."""
    return RollupCustomerMonth if f.whole_months and not days else RollupCustomerDay


def _when(r):
    """A customer rollup's date column: its month's first day, or its day."""
    return r.month if r is RollupCustomerMonth else r.day


def _select(r, f: Filters, keys: list, channel: bool = False):
    """SELECT keys, sums FROM rollup `r` WHERE the filters, joined to the touchpoints only when a channel is
    grouped by (`channel`) or filtered on: every rollup row has its touchpoint, so the join drops nothing."""
    stmt = select(*keys, *[func.sum(r.__table__.c[s]) for s in _SUMS])
    if channel or f.channel is not None:
        stmt = stmt.join(Touchpoint, Touchpoint.id == r.touchpoint_id)
    return stmt.where(*_filters(r, f))


def grouped_sums(session: Session, f: Filters, by: str, period: str = "month") -> dict[tuple, Sums]:
    """Sums per group and metric, summed in SQL: keys are (group..., metric).

    `by` is one of GROUPS: period (key: the period's first day), touchpoint (touchpoint id), channel
    ((channel, origin)), team (owning team id at the time) or total (no group). Whole months are read from
    the monthly rollup (periods too, when they are months), anything else from the daily one.
    """
    if by not in GROUPS:
        raise ValueError(f"by must be one of {GROUPS}")
    r = _rollup(f, days=by == "period" and period != "month")
    when = _when(r)
    bucket = when if r is RollupCustomerMonth else (month_start(when) if period == "month" else week_start(when))
    keys = {"period": [bucket.label("bucket")], "touchpoint": [r.touchpoint_id],
            "channel": [_channel(r), _origin(r)], "team": [r.team_id], "total": []}[by]
    stmt = _select(r, f, [*keys, r.metric], channel=by == "channel")
    rows = session.connection().execute(stmt.group_by(*keys, r.metric)).all()
    out = {}
    for row in rows:
        *key, metric = row[:len(keys) + 1]
        if row[len(keys) + 1]:
            out[(*key, metric)] = metric_sums(metric, *row[len(keys) + 1:])
    return out


def _filters(r, f: Filters) -> list:
    """A rollup's WHERE terms for the filters: dates (its day or month), metrics, teams, touchpoint and channel."""
    where = [_when(r) >= f.start, _when(r) <= f.end, r.metric.in_(f.metrics)]
    if f.team_ids is not None:
        where.append(r.team_id.in_(list(f.team_ids)))
    if f.touchpoint_id is not None:
        where.append(r.touchpoint_id == f.touchpoint_id)
    if f.channel is not None:
        where.append(_channel(r) == f.channel)
    return where


def breakdown_sums(session: Session, f: Filters, period: str = "month") -> dict[str, dict[tuple, Sums]]:
    """grouped_sums by period, touchpoint, channel and team, with fewer passes over the rollups.

    Touchpoint and channel sums come from one query grouped by touchpoint, channel and origin (each is a
    union of those groups; over whole months from the monthly rollup), and periods the monthly rollup cannot
    answer from one daily query grouped by day: the same sums as grouped_sums (exactly so for whole-number
    sums, as the rollups hold for single-item metrics; to rounding otherwise), at a fraction of the sorting."""
    out = {by: grouped_sums(session, f, by, period) for by in ("team",)}
    r = _rollup(f)
    keys = [r.touchpoint_id, _channel(r), _origin(r), r.metric]
    rows = session.connection().execute(_select(r, f, keys, channel=True).group_by(*keys)).all()
    by_tp: dict = {}
    by_channel: dict = {}
    for tp, ch, origin, metric, *vals in rows:
        _accumulate(by_tp, (tp, metric), vals)
        _accumulate(by_channel, (ch, origin, metric), vals)
    out["touchpoint"], out["channel"] = _as_sums(by_tp), _as_sums(by_channel)
    if f.whole_months and period == "month":
        out["period"] = grouped_sums(session, f, "period", period)
    else:
        d = RollupCustomerDay
        rows = session.connection().execute(_select(d, f, [d.day, d.metric]).group_by(d.day, d.metric)).all()
        by_period: dict = {}
        for day, metric, *vals in rows:
            first = day.replace(day=1) if period == "month" else day - dt.timedelta(days=day.weekday())
            _accumulate(by_period, (first, metric), vals)
        out["period"] = _as_sums(by_period)
    return out


def _accumulate(out: dict, key: tuple, vals) -> None:
    if key in out:
        out[key] = [a + b for a, b in zip(out[key], vals)]
    else:
        out[key] = list(vals)


def _as_sums(raw: dict) -> dict[tuple, Sums]:
    # A group whose sums are all empty (n = 0) is left out, as grouped_sums leaves it out.
    return {key: metric_sums(key[-1], *vals) for key, vals in raw.items() if vals[0]}


def latest_day(session: Session, team_ids: Collection[int] | None) -> dt.date | None:
    """The last day with customer feedback (in the given teams), from the daily rollup."""
    d = RollupCustomerDay
    stmt = select(func.max(d.day))
    if team_ids is not None:
        stmt = stmt.where(d.team_id.in_(list(team_ids)))
    return session.scalar(stmt)


@dataclass(frozen=True)
class Verbatim:
    """One customer comment with where and when it was given and the response's scores."""

    day: dt.date
    touchpoint: str
    touchpoint_name: str
    channel: str
    origin: str
    text: str
    scores: tuple[tuple[str, int], ...]


def verbatims(session: Session, f: Filters, *, score_metric: str | None = None,
              score_range: tuple[int, int] | None = None, page: int = 1, per_page: int = 25
              ) -> tuple[list[Verbatim], bool]:
    """A page of customer comments (newest first) and whether another page follows.

    Reads responses and answers, LIMITed to one page: a list to read, never an aggregate.
    `score_range` keeps responses whose `score_metric` answer lies in [low, high].
    """
    r, a, q = Response, Answer, Question
    channel = func.coalesce(r.channel, Touchpoint.channel)
    where = [r.touchpoint_id.is_not(None), r.submitted_on >= f.start, r.submitted_on <= f.end,
             a.text.is_not(None), a.text != ""]
    if f.team_ids is not None:
        where.append(r.team_id.in_(list(f.team_ids)))
    if f.touchpoint_id is not None:
        where.append(r.touchpoint_id == f.touchpoint_id)
    if f.channel is not None:
        where.append(channel == f.channel)
    if score_metric and score_range:
        scored = (select(Answer.response_id).join(Question, Question.id == Answer.question_id)
                  .where(Answer.response_id == r.id, Question.dimension == score_metric,
                         Answer.value >= score_range[0], Answer.value <= score_range[1]))
        where.append(scored.exists())
    stmt = (select(r.id, r.submitted_on, Touchpoint.code, Touchpoint.name, channel, r.source, a.text)
            .join(Touchpoint, Touchpoint.id == r.touchpoint_id).join(a, a.response_id == r.id)
            .join(q, q.id == a.question_id).where(*where)
            .order_by(r.submitted_on.desc(), r.id, q.position).limit(per_page + 1).offset((page - 1) * per_page))
    rows = session.execute(stmt).all()
    more = len(rows) > per_page
    rows = rows[:per_page]
    scores = _scores(session, [row[0] for row in rows])
    return [Verbatim(day, code, name, ch or "", "imported" if source == "import" else "surveyed", text,
                     scores.get(rid, ())) for rid, day, code, name, ch, source, text in rows], more


def _scores(session: Session, response_ids: Sequence[int]) -> dict[int, tuple[tuple[str, int], ...]]:
    if not response_ids:
        return {}
    out: dict[int, list] = {}
    for rid, dim, value in session.execute(
            select(Answer.response_id, Question.dimension, Answer.value)
            .join(Question, Question.id == Answer.question_id)
            .where(Answer.response_id.in_(list(response_ids)), Answer.value.is_not(None),
                   Question.dimension.in_(CX_METRICS)).order_by(Question.position)):
        out.setdefault(rid, []).append((dim, value))
    return {k: tuple(v) for k, v in out.items()}

