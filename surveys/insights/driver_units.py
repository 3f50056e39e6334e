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
from surveys.models import Question, RollupItem

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

    Columns: unit (team id), wave (index), one column per item keyed "q<id>". Read with Core rows
    (tens of thousands on a large organisation: ORM rows and per-row objects would cost more than the query).
    """
    if not waves:
        return pd.DataFrame(columns=["unit", "wave"]), {}
    index = {w.wave_id: w.index for w in waves}
    r = RollupItem
    rows = session.connection().execute(
        select(r.team_id, r.wave_id, r.question_id, r.favourable * 100.0 / r.n)
        .join(Question, Question.id == r.question_id)
        .where(r.wave_id.in_(list(index)), Question.dimension.in_(dimensions), r.n >= k)).all()
    if not rows:
        return pd.DataFrame(columns=["unit", "wave"]), {}
    team, wave_id, qid, score = (np.array(col) for col in zip(*rows))
    lookup = np.full(max(index) + 1, -1)
    lookup[list(index)] = list(index.values())
    wave = lookup[wave_id.astype(np.int64)]
    keys, key_pos = np.unique(qid, return_inverse=True)
    # One integer per team-wave, so the cells are found by a 1-d unique (a row-wise unique is much slower).
    cell_key = team.astype(np.int64) * len(waves) + wave
    cells, cell_pos = np.unique(cell_key, return_inverse=True)
    grid = np.full((len(cells), len(keys)), np.nan)
    grid[cell_pos.ravel(), key_pos.ravel()] = score.astype(float)
    names = [f"q{q}" for q in keys]
    frame = pd.DataFrame(grid, columns=names).assign(unit=cells // len(waves), wave=cells % len(waves))
    texts = dict(session.execute(select(Question.id, Question.text).where(Question.id.in_(keys.tolist()))).all())
    labels = {f"q{q}": f"“{texts[q].strip()}”" for q in keys}  # quoted: a sentence names them
    return frame[["unit", "wave"] + names], labels


def ex_columns(units: UnitTable) -> list[str]:
    """The dimensions present in the unit table, in their usual order."""
    return [d for d in EX_DIMENSIONS if d in units.frame.columns]
