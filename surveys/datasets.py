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

from .errors import NotFound, ValidationError
from .models import Answer, Program, Question, Response, Team, Wave

EX_DIMENSIONS = ("engagement", "culture", "people", "process", "technology")
CX_METRICS = ("csat", "nps", "ces")
AGREEMENT_TYPES = ("likert5", "likert7")
CX_COLUMNS = ["wave", "team_id", "metric", "n", "top2", "promoters", "detractors", "total", "sumsq"]


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


def team_enps(session: Session, waves: list[ExWave]) -> pd.DataFrame:
    """Per team and wave: eNPS counts. Columns: wave, team_id, promoters, detractors, n."""
    index = {w.wave_id: w.index for w in waves}
    rows = session.execute(
        select(Response.wave_id, Response.team_id,
               func.sum(case((Answer.value >= 9, 1), else_=0)), func.sum(case((Answer.value <= 6, 1), else_=0)),
               func.count())
        .join(Answer, Answer.response_id == Response.id).join(Question, Question.id == Answer.question_id)
        .where(Response.wave_id.in_(list(index)), Question.dimension == "enps", Answer.value.is_not(None))
        .group_by(Response.wave_id, Response.team_id)
    ).all()
    frame = pd.DataFrame(rows, columns=["wave_id", "team_id", "promoters", "detractors", "n"])
    frame["wave"] = frame["wave_id"].map(index)
    return frame.drop(columns="wave_id")


def team_customer_outcomes(session: Session, waves: list[ExWave]) -> pd.DataFrame:
    """Customer outcomes per owning team and employee-wave period, over every customer response.

    Columns: wave, team_id, metric (csat|nps|ces), n, top2 (top two points), promoters (9-10),
    detractors (0-6), total (sum of values), sumsq (sum of squared values).
    """
    if not waves:
        return pd.DataFrame(columns=CX_COLUMNS)
    period = case(*[(and_(Response.submitted_on >= w.period_start, Response.submitted_on < w.period_end),
                     literal(w.index)) for w in waves], else_=literal(-1)).label("period")
    inner = (
        select(period, Response.team_id, Question.dimension.label("metric"), Answer.value, Answer.scale_max)
        .join(Answer, Answer.response_id == Response.id).join(Question, Question.id == Answer.question_id)
        .where(Response.touchpoint_id.is_not(None), Question.dimension.in_(CX_METRICS),
               Answer.value.is_not(None), Response.submitted_on >= waves[0].period_start,
               Response.submitted_on < waves[-1].period_end)
        .subquery()
    )
    rows = session.execute(
        select(inner.c.period, inner.c.team_id, inner.c.metric, func.count(),
               func.sum(case((inner.c.value >= inner.c.scale_max - 1, 1), else_=0)),
               func.sum(case((inner.c.value >= 9, 1), else_=0)), func.sum(case((inner.c.value <= 6, 1), else_=0)),
               func.sum(cast(inner.c.value, Float)), func.sum(cast(inner.c.value * inner.c.value, Float)))
        .where(inner.c.period >= 0)
        .group_by(inner.c.period, inner.c.team_id, inner.c.metric)
    ).all()
    return pd.DataFrame(rows, columns=CX_COLUMNS)


def team_names(session: Session) -> dict[int, str]:
    """Team id -> name, for labelling report rows."""
    return dict(session.execute(select(Team.id, Team.name)).all())
