"""The team-wave frames the drivers report weighs, read from the rollups (never from answers).

Rollups hold sums per team and wave, not respondents' answers, so every driver model here is estimated
across team-waves: a team in a wave counts once when it has at least k answers for every variable of the
model; smaller cells are left out (they are NaN in the linkage unit table).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.metrics import EX_DIMENSIONS
from analysis.units import UnitTable, build_units
from surveys.insights import datasets
from surveys.insights.reports.common import item_sums
from surveys.models import Question

FACTORS = ("culture", "people", "process", "technology")


def unit_table(session: Session, waves: list[datasets.ExWave], k: int, process_target: float) -> UnitTable:
    """Team x wave dimension scores, eNPS and customer outcomes, cells below k hidden (as the linkage report)."""
    return build_units(datasets.team_dimension_scores(session, waves), datasets.team_enps(session, waves),
                       datasets.team_customer_outcomes(session, waves), k=k, process_target=process_target)


def in_scope(frame: pd.DataFrame, teams: set[int] | None, wave_index: int | None = None) -> pd.DataFrame:
    """Rows of the teams a user may see (all when `teams` is None), of one wave index when given."""
    keep = np.ones(len(frame), dtype=bool)
    if teams is not None:
        keep &= frame["unit"].isin(list(teams)).to_numpy()
    if wave_index is not None:
        keep &= (frame["wave"] == wave_index).to_numpy()
    return frame[keep]


def lagged(frame: pd.DataFrame, ex: list[str], cx: list[str], lag: int) -> pd.DataFrame:
    """EX columns of wave t beside CX columns of wave t + lag, same team; `wave` is the EX wave."""
    later = frame[["unit", "wave"] + cx].assign(wave=frame["wave"] - lag)
    return frame[["unit", "wave"] + ex].merge(later, on=["unit", "wave"], how="inner")


def item_frame(session: Session, waves: list[datasets.ExWave], k: int,
               dimensions: tuple[str, ...] = FACTORS) -> tuple[pd.DataFrame, dict[str, str]]:
    """Per team-wave, the % favourable of each item of `dimensions` (NaN below k), and item key -> text.

    Columns: unit (team id), wave (index), one column per item keyed "q<id>".
    """
    index = {w.wave_id: w.index for w in waves}
    sums = item_sums(session, list(index))
    ids = sorted({int(key[1:]) for (_w, _t, key) in sums})
    if not ids:
        return pd.DataFrame(columns=["unit", "wave"]), {}
    rows = session.execute(select(Question.id, Question.code, Question.text).where(
        Question.id.in_(ids), Question.dimension.in_(dimensions))).all()
    labels = {f"q{qid}": f"“{text.strip()}”" for qid, _code, text in rows}  # quoted: a sentence names them
    records = [(t, index[w], key, 100.0 * s.s1 / s.n if s.n >= k else np.nan)
               for (w, t, key), s in sums.items() if key in labels]
    if not records:
        return pd.DataFrame(columns=["unit", "wave"]), {}
    long = pd.DataFrame(records, columns=["unit", "wave", "key", "score"])
    wide = long.pivot_table(index=["unit", "wave"], columns="key", values="score", aggfunc="first", dropna=False)
    wide.columns.name = None
    return wide.reset_index(), labels


def ex_columns(units: UnitTable) -> list[str]:
    """The dimensions present in the unit table, in their usual order."""
    return [d for d in EX_DIMENSIONS if d in units.frame.columns]
