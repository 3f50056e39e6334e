"""Read side for reports: aggregate answers in SQL and hand tidy frames to `analysis`.

Nothing here loads answer rows into Python: every function returns one row per team and wave (or per
team, wave and dimension) computed by GROUP BY in the database.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Float, and_, case, cast, func, literal, select
from sqlalchemy.orm import Session

from surveys.errors import NotFound, ValidationError
from surveys.models import Answer, Program, Question, Response, Team, Wave

EX_DIMENSIONS = ("engagement", "culture", "people", "process", "technology")
CX_METRICS = ("csat", "nps", "ces")
AGREEMENT_TYPES = ("likert5", "likert7")
CX_COLUMNS = ["wave", "team_id", "metric", "n", "top2", "prom", "det", "mean", "mean_sq", "top2_sq", "net_sq"]


@dataclass(frozen=True)
class ExWave:
    """An employee wave and the period whose customer feedback is paired with it."""

    index: int
    wave_id: int
    label: str
    period_start: dt.date
    period_end: dt.date  # exclusive
    min_group_size: int


def employee_waves(session: Session, program_code: str) -> list[ExWave]:
    """Waves of an employee program in time order, each with its customer period.

    Wave t's customer period runs from its opening day to the next wave's opening day (the last wave
    gets a period as long as the one before it), so customer feedback is paired by date, whatever the
    customer programs' own waves are.
    """
    program = session.scalar(select(Program).where(Program.code == program_code))
    if program is None:
        raise NotFound(f"No program with code '{program_code}'.")
    if program.audience != "employee":
        raise ValidationError(f"Program '{program_code}' is a customer program; pick an employee program.")
    waves = list(session.scalars(select(Wave).where(Wave.program_id == program.id, Wave.status != "draft")
                                 .order_by(Wave.opens_at)))
    starts = [w.opens_at.date() for w in waves]
    out = []
    for i, w in enumerate(waves):
        if i + 1 < len(waves):
            end = starts[i + 1]
        else:
            end = starts[i] + ((starts[i] - starts[i - 1]) if i else dt.timedelta(days=31))
        out.append(ExWave(i, w.id, w.label, starts[i], end, w.min_group_size))
    return out


def _favourable():
    # Top two points are favourable; on a reverse-keyed item the bottom two are.
    return case(
        (Question.reverse_keyed, case((Answer.value <= Answer.scale_min + 1, 1.0), else_=0.0)),
        else_=case((Answer.value >= Answer.scale_max - 1, 1.0), else_=0.0),
    )


def team_dimension_scores(session: Session, waves: list[ExWave]) -> pd.DataFrame:
    """Per team, wave and dimension: mean of respondents' % favourable, n, and the within-team sum of
    squares of respondent scores (for ICC). Columns: wave, team_id, dimension, score, n, sumsq."""
    index = {w.wave_id: w.index for w in waves}
    per_respondent = (
        select(Response.wave_id, Response.team_id, Response.id.label("rid"), Question.dimension,
               (100.0 * func.avg(_favourable())).label("score"))
        .join(Answer, Answer.response_id == Response.id)
        .join(Question, Question.id == Answer.question_id)
        .where(Response.wave_id.in_(list(index)), Question.dimension.in_(EX_DIMENSIONS),
               Question.qtype.in_(AGREEMENT_TYPES), Answer.value.is_not(None))
        .group_by(Response.wave_id, Response.team_id, Response.id, Question.dimension)
        .subquery()
    )
    rows = session.execute(
        select(per_respondent.c.wave_id, per_respondent.c.team_id, per_respondent.c.dimension,
               func.avg(per_respondent.c.score), func.count(),
               func.sum(per_respondent.c.score * per_respondent.c.score))
        .group_by(per_respondent.c.wave_id, per_respondent.c.team_id, per_respondent.c.dimension)
    ).all()
    frame = pd.DataFrame(rows, columns=["wave_id", "team_id", "dimension", "score", "n", "sumsq"])
    frame["wave"] = frame["wave_id"].map(index)
    return frame.drop(columns="wave_id").astype({"score": float, "sumsq": float, "n": int})


def _per_respondent(metric_col, value_col, scale_max_col, *, group):
    """Indicators averaged within each response, so a respondent counts once however many items of
    the metric the instrument has: share in the top two points, promoter and detractor shares, mean."""
    return [
        *group,
        metric_col.label("metric"),
        func.avg(case((value_col >= scale_max_col - 1, 1.0), else_=0.0)).label("top2"),
        func.avg(case((value_col >= 9, 1.0), else_=0.0)).label("prom"),
        func.avg(case((value_col <= 6, 1.0), else_=0.0)).label("det"),
        func.avg(cast(value_col, Float)).label("mean"),
    ]


def _per_team(inner, *keys):
    """Sums over respondents per team (and wave, metric): n, shares, means and their squares (for ICC)."""
    c = inner.c
    return select(
        *[c[k] for k in keys], c.metric, func.count(), func.sum(c.top2), func.sum(c.prom), func.sum(c.det),
        func.sum(c.mean), func.sum(c.mean * c.mean), func.sum(c.top2 * c.top2),
        func.sum((c.prom - c.det) * (c.prom - c.det)),
    ).group_by(*[c[k] for k in keys], c.metric)


def team_enps(session: Session, waves: list[ExWave]) -> pd.DataFrame:
    """Per team and wave: eNPS sums over respondents. Columns as CX_COLUMNS with metric "enps"."""
    index = {w.wave_id: w.index for w in waves}
    inner = (
        select(*_per_respondent(Question.dimension, Answer.value, Answer.scale_max,
                                group=[Response.wave_id.label("wave_id"), Response.team_id.label("team_id")]))
        .join(Answer, Answer.response_id == Response.id).join(Question, Question.id == Answer.question_id)
        .where(Response.wave_id.in_(list(index)), Question.dimension == "enps", Answer.value.is_not(None))
        .group_by(Response.wave_id, Response.team_id, Response.id, Question.dimension)
        .subquery()
    )
    frame = pd.DataFrame(session.execute(_per_team(inner, "wave_id", "team_id")).all(),
                         columns=["wave_id", "team_id", *CX_COLUMNS[2:]])
    frame.insert(0, "wave", frame.pop("wave_id").map(index))
    return frame


def team_customer_outcomes(session: Session, waves: list[ExWave]) -> pd.DataFrame:
    """Customer outcomes per owning team and employee-wave period, over every customer response.

    Sums over respondents (each response counts once): n, top2 (share of the response's items in the top
    two points), prom and det (promoter and detractor shares), mean (the response's mean value), and the
    sums of squares mean_sq, top2_sq and net_sq (of prom - det) that the ICC of team means needs.
    """
    if not waves:
        return pd.DataFrame(columns=CX_COLUMNS)
    # One row per response with the three metrics side by side: grouping by the answers' own key order
    # needs no sort, which makes this several times faster than one row per response and metric.
    per_metric = []
    for m in CX_METRICS:
        mine = Question.dimension == m
        per_metric += [
            func.avg(case((mine, case((Answer.value >= Answer.scale_max - 1, 1.0), else_=0.0)))).label(f"{m}_top2"),
            func.avg(case((mine, case((Answer.value >= 9, 1.0), else_=0.0)))).label(f"{m}_prom"),
            func.avg(case((mine, case((Answer.value <= 6, 1.0), else_=0.0)))).label(f"{m}_det"),
            func.avg(case((mine, cast(Answer.value, Float)))).label(f"{m}_mean"),
        ]
    inner = (
        select(Answer.response_id, func.min(Response.team_id).label("team_id"),
               func.min(Response.submitted_on).label("day"), *per_metric)
        .join(Response, Response.id == Answer.response_id).join(Question, Question.id == Answer.question_id)
        .where(Response.touchpoint_id.is_not(None), Question.dimension.in_(CX_METRICS),
               Answer.value.is_not(None), Response.submitted_on >= waves[0].period_start,
               Response.submitted_on < waves[-1].period_end)
        .group_by(Answer.response_id)
        .subquery()
    )
    c = inner.c
    period = case(*[(and_(c.day >= w.period_start, c.day < w.period_end), literal(w.index)) for w in waves],
                  else_=literal(-1))
    sums = []
    for m in CX_METRICS:
        top2, prom, det, mean = c[f"{m}_top2"], c[f"{m}_prom"], c[f"{m}_det"], c[f"{m}_mean"]
        sums += [func.count(mean), func.sum(top2), func.sum(prom), func.sum(det), func.sum(mean),
                 func.sum(mean * mean), func.sum(top2 * top2), func.sum((prom - det) * (prom - det))]
    rows = session.execute(select(period, c.team_id, *sums).group_by(period, c.team_id)).all()
    out = []
    for row in rows:  # back to one row per team, period and metric (a few thousand rows)
        for k, m in enumerate(CX_METRICS):
            sums_of_m = row[2 + 8 * k: 10 + 8 * k]
            if sums_of_m[0]:
                out.append((row[0], row[1], m, *sums_of_m))
    return pd.DataFrame(out, columns=CX_COLUMNS)


def team_names(session: Session) -> dict[int, str]:
    """Team id -> name, for labelling report rows."""
    return dict(session.execute(select(Team.id, Team.name)).all())


def employee_programs(session: Session) -> list[Program]:
    """Employee programs, the one with the most responses first (the linkage report's default)."""
    counts = (select(Wave.program_id, func.count(Response.id).label("n"))
              .join(Response, Response.wave_id == Wave.id).group_by(Wave.program_id).subquery())
    return list(session.scalars(
        select(Program).outerjoin(counts, counts.c.program_id == Program.id)
        .where(Program.audience == "employee")
        .order_by(func.coalesce(counts.c.n, 0).desc(), Program.name)))
