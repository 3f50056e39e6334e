"""Team-wave scores computed straight from the generated frames, to check the planted effects.

These are deliberately simple re-implementations (percent favourable, top-two-box, NPS) so the demo can
verify itself without the database or the analysis package.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.metrics import CES_AGREE_TOP, is_detractor, is_favourable, is_promoter
from demo.answers import LIKERT_ITEMS
from demo.model import DIMENSIONS

CX_METRICS = ("csat_t2b", "nps", "ces_t2b")


def favourable(employee: pd.DataFrame) -> pd.DataFrame:
    """Per response, the share of favourable answers (4-5, reverse-keyed 1-2) in each dimension."""
    out = employee[["wave", "team"]].copy()
    for d in DIMENSIONS:
        cols = [q for q in LIKERT_ITEMS if q.dimension == d]
        fav = np.column_stack([
            is_favourable(employee[q.code], 1, 5, q.reverse_keyed) for q in cols])
        out[d] = fav.mean(axis=1)
    return out


def employee_team_waves(employee: pd.DataFrame, min_group_size: int = 5) -> pd.DataFrame:
    """Percent favourable per dimension for each team-wave with at least `min_group_size` responses."""
    fav = favourable(employee)
    grouped = fav.groupby(["team", "wave"])
    scores = grouped[list(DIMENSIONS)].mean() * 100
    scores["n"] = grouped.size()
    return scores[scores["n"] >= min_group_size].reset_index()


def customer_team_waves(customer: pd.DataFrame) -> pd.DataFrame:
    """CSAT top-two-box %, NPS and CES top-three-box % (5-7 of 7) per team-wave."""
    frame = pd.DataFrame({
        "team": customer["team"], "wave": customer["wave"],
        "csat_t2b": is_favourable(customer["csat"], 1, 5) * 100.0,
        "nps": np.where(is_promoter(customer["nps"]), 100.0, np.where(is_detractor(customer["nps"]), -100.0, 0.0)),
        "ces_t2b": (customer["ces"] >= 7 - CES_AGREE_TOP + 1) * 100.0,
    })
    grouped = frame.groupby(["team", "wave"])
    out = grouped[list(CX_METRICS)].mean()
    out["n"] = grouped.size()
    return out.reset_index()


def lagged_correlations(employee: pd.DataFrame, customer: pd.DataFrame, lag: int = 1,
                        min_group_size: int = 5) -> pd.DataFrame:
    """Pearson r between team EX in wave t and team CX in wave t+lag, pooled over team-waves.

    Rows are EX dimensions, columns CX metrics; the unit is the team-wave, as in the linkage report.
    """
    ex = employee_team_waves(employee, min_group_size)
    cx = customer_team_waves(customer).assign(wave=lambda f: f["wave"] - lag)
    both = ex.merge(cx, on=["team", "wave"], suffixes=("", "_cx"))
    return pd.DataFrame({m: [both[d].corr(both[m]) for d in DIMENSIONS] for m in CX_METRICS},
                        index=list(DIMENSIONS))
