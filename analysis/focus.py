"""Focus areas: which of a team's shortfalls are most worth working on, ranked by gap × leverage.

* **Gap**: how far the team falls short, in points, on a dimension: against the organisation (the team
  minus the rest of the organisation, with its 95% interval), or against a goal's target when a goal is
  set on that metric for the team (target minus the team's value; the interval is the target minus the
  team's interval). Only positive gaps whose interval could be computed are candidates.
* **Leverage**: how strongly the dimension goes with what matters, across teams::

      leverage = driver weight + max(0, r)

  where the driver weight is the dimension's part of engagement's R² across team-waves (general
  dominance: the weights of all factors add up to R², so 0.12 means the dimension accounts for 12% of
  the differences in engagement between team-waves), and r is the strongest *positive* correlation of
  the dimension with a customer outcome (CSAT, NPS or CES, same wave or one wave later) among the pairs
  the linkage report calls linked (q < 0.05 and interval excluding 0); 0 when none is linked. (CES is
  agreement that service was easy: higher is better, like CSAT and NPS, so a positive r is good news.)
* **Score** = gap × leverage. Ties (and a leverage of 0) fall back to the larger gap.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

GAP_COLUMNS = ("metric", "label", "gap", "gap_low", "gap_high", "against")
LINK_COLUMNS = ("ex_metric", "cx_metric", "lag", "r", "linked")
CX_WORDS = {"csat": "CSAT", "nps": "NPS", "ces": "ease of service (CES)"}


@dataclass(frozen=True)
class Leverage:
    """How strongly one dimension goes with engagement and with customer outcomes across teams.

    ``driver_weight`` is NaN when no driver model could be fitted; ``link_r`` is NaN (and
    ``link_outcome`` None) when no linked customer outcome goes with the dimension positively.
    """

    metric: str
    driver_weight: float
    link_r: float
    link_outcome: str | None
    link_lag: int | None

    @property
    def value(self) -> float:
        """driver weight + max(0, linked r), each term 0 when missing."""
        w = 0.0 if not math.isfinite(self.driver_weight) else max(self.driver_weight, 0.0)
        r = 0.0 if not math.isfinite(self.link_r) else max(self.link_r, 0.0)
        return w + r


@dataclass(frozen=True)
class FocusArea:
    """One suggested focus area: its gap with interval, its leverage, the score and why, in a sentence."""

    metric: str
    label: str
    gap: float
    gap_low: float
    gap_high: float
    against: str  # "organisation" or "goal"
    driver_weight: float
    link_r: float
    link_outcome: str | None
    link_lag: int | None
    leverage: float
    score: float
    sentence: str


def leverage_table(weights: Mapping[str, float], links: pd.DataFrame, metrics) -> dict[str, Leverage]:
    """Each metric's leverage from driver weights and linkage rows.

    Parameters
    ----------
    weights : mapping of str to float
        Dimension -> its part of engagement's R² (0-1); a missing dimension has NaN weight.
    links : pandas.DataFrame
        Linkage rows with columns ``ex_metric``, ``cx_metric``, ``lag``, ``r`` and ``linked``
        (``analysis.linkage.LinkageReport.to_frame()``); may be empty.
    metrics : iterable of str
        The dimensions to describe.

    Returns
    -------
    dict of str to Leverage
        One entry per metric; its link is the linked pair with the largest positive r
        (lag 0 before lag 1 on a tie).
    """
    out = {}
    usable = links[list(LINK_COLUMNS)] if len(links) else pd.DataFrame(columns=LINK_COLUMNS)
    usable = usable[usable["linked"].astype(bool) & (usable["r"] > 0)] if len(usable) else usable
    for metric in metrics:
        rows = usable[usable["ex_metric"] == metric].sort_values(["r", "lag"], ascending=[False, True]) \
            if len(usable) else usable
        w = float(weights.get(metric, math.nan))
        if len(rows):
            best = rows.iloc[0]
            out[metric] = Leverage(metric, w, float(best["r"]), str(best["cx_metric"]), int(best["lag"]))
        else:
            out[metric] = Leverage(metric, w, math.nan, None, None)
    return out


def _fmt(x: float) -> str:
    return f"{x:.0f}" if abs(x) >= 9.5 else f"{x:.1f}".replace(".0", "")


def focus_sentence(label: str, gap: float, low: float, high: float, against: str, lev: Leverage) -> str:
    """Why a focus area is suggested, in one sentence with its numbers."""
    ref = "the organisation" if against == "organisation" else "its goal"
    chance = ", so it may be chance" if low <= 0 else ""
    head = (f"{label[:1].upper()}{label[1:]} is {_fmt(gap)} points below {ref} "
            f"(interval {_fmt(low)} to {_fmt(high)}{chance})")
    measured = math.isfinite(lev.driver_weight)
    driver = measured and lev.driver_weight >= 0.01  # "0%" would say nothing
    link = ""
    if lev.link_outcome is not None:
        when = "in the same wave" if lev.link_lag == 0 else "one wave later"
        link = f"goes with {CX_WORDS.get(lev.link_outcome, lev.link_outcome)} {when}, r = {lev.link_r:.2f}"
    if driver:
        tail = f"it accounts for {100 * lev.driver_weight:.0f}% of the differences in engagement"
        tail += f" and {link}" if link else ""
    elif link:
        tail = f"{label.lower()} {link}"
    elif measured:
        return (head + "; across teams it accounts for less than 1% of the differences in engagement and is linked "
                "to no customer outcome, so it ranks low.")
    else:
        return head + "; no link with engagement or customer outcomes has been measured yet, so it ranks by gap alone."
    return f"{head}; across teams, {tail}."


def rank_focus(gaps: pd.DataFrame, leverage: Mapping[str, Leverage], top: int | None = 3) -> tuple[FocusArea, ...]:
    """Rank a team's shortfalls by gap × leverage.

    Parameters
    ----------
    gaps : pandas.DataFrame
        One row per candidate with columns ``metric``, ``label``, ``gap`` (points of shortfall, positive
        when the team is below), ``gap_low``, ``gap_high`` (its interval) and ``against``
        ("organisation" or "goal"). Rows from groups below the anonymity threshold must not be passed.
    leverage : mapping of str to Leverage
        From :func:`leverage_table`; a metric without an entry has leverage 0.
    top : int or None
        How many to return (None: all).

    Returns
    -------
    tuple of FocusArea
        Candidates with a positive gap and a finite interval, highest score first; equal scores are
        ordered by the larger gap, then by metric name.
    """
    missing = [c for c in GAP_COLUMNS if c not in gaps.columns]
    if missing:
        raise ValueError(f"columns not in gaps: {missing}")
    out = []
    for row in gaps.itertuples(index=False):
        gap, low, high = float(row.gap), float(row.gap_low), float(row.gap_high)
        if not (math.isfinite(gap) and math.isfinite(low) and math.isfinite(high)) or gap <= 0:
            continue
        lev = leverage.get(row.metric, Leverage(row.metric, math.nan, math.nan, None, None))
        score = gap * lev.value
        out.append(FocusArea(row.metric, row.label, gap, low, high, row.against, lev.driver_weight, lev.link_r,
                             lev.link_outcome, lev.link_lag, lev.value, score,
                             focus_sentence(row.label, gap, low, high, row.against, lev)))
    out.sort(key=lambda f: (-f.score, -f.gap, f.metric))
    return tuple(out if top is None else out[:top])
