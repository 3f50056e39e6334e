"""Two service breakdowns planted in the demo's customer history, for the command centre to find.

- a **sudden drop** at Live chat Leeds (TP-CARE-02): from 12 October 2026 every customer answer falls by
  1.1 of one customer's response SD (about 35-40 points of CSAT top-two) and stays down to the end of the data;
- a **slow slide** at Live chat Glasgow (TP-CARE-06): from 1 September 2026 the answers slide linearly,
  reaching 1.0 SD on 31 October 2026 (about 25 points of CSAT top-two over the last fortnight).

Both teams are the demo's weakest on process among the customer-facing teams with enough respondents
(seed 7: about 15% and 36% favourable in the last two waves against 69% for the organisation), and process
is a factor the linkage report ties to CSAT, NPS and CES: their own employees' results explain the
breakdown. Their negative comments in the drop period name a distinctive topic.

To make a drop visible within days, the two touchpoints answer about ten times a day in September and
October (the others keep their 1-2 a day): their rows of those two months are drawn again, from a
generator of their own (seed, 11), at the level of the team's quarter before (June-August) minus the planted fall, so
the planted change is the only change there; every other frame and every other touchpoint stays exactly
what it was without the breakdowns. The two teams' customer latent (`cx` in DemoData.latents) for those
months is the mean their customers were drawn from, so checks against the latents see the breakdowns.
Nothing else changes: no employee answer, employee latent or other touchpoint.
The large benchmark build, and builds without these touchpoints or months, get no breakdown.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from demo.model import PlantedModel, ordinal, zero_to_ten


@dataclass(frozen=True)
class PlantedBreakdown:
    """One planted breakdown: where, from when, how deep, and what customers say about it."""

    kind: str                      # "sudden_drop" or "slow_slide"
    touchpoint: str                # touchpoint code
    team: str                      # owning team's code
    began_on: dt.date              # first day affected
    full_on: dt.date               # the day the full depth is reached (= began_on for a sudden drop)
    depth: float                   # fall of every answer's latent, in customer response SDs
    weak_factor: str               # the owning team's planted weak employee factor
    theme_words: tuple[str, ...]   # words the drop period's negative comments use
    comments: tuple[str, ...]      # the negative comments about the topic


SUDDEN_DROP = PlantedBreakdown(
    kind="sudden_drop", touchpoint="TP-CARE-02", team="CARE-02", began_on=dt.date(2026, 10, 12),
    full_on=dt.date(2026, 10, 12), depth=1.1, weak_factor="process",
    theme_words=("chat", "crashed", "error"),
    comments=("The chat crashed with an error before anyone answered.",
              "Chat crashed again with an error message, I could not get help.",
              "The chat crashed with an error three times in a row.",
              "Every time I open the chat it crashed with an error."))
SLOW_SLIDE = PlantedBreakdown(
    kind="slow_slide", touchpoint="TP-CARE-06", team="CARE-06", began_on=dt.date(2026, 9, 1),
    full_on=dt.date(2026, 10, 31), depth=1.0, weak_factor="process",
    theme_words=("queue", "waited", "hold"),
    comments=("Waited on hold in the queue for over forty minutes.",
              "Stuck on hold in the queue, it never seemed to move.",
              "Long queue, waited on hold for ages.",
              "I waited on hold in the queue so long I almost gave up."))
PLANTED_BREAKDOWNS = (SUDDEN_DROP, SLOW_SLIDE)

BOOSTED_FROM = dt.date(2026, 9, 1)   # the two touchpoints answer more often from here to the data's end
PER_DAY = (9, 12)                    # responses a day, uniform in this range
THEME_SHARE = 0.8                    # of negative comments after the start, the share about the topic
COMMENT_RATE = 0.5                   # unhappy customers write more


def depth_on(breakdown: PlantedBreakdown, day: np.ndarray) -> np.ndarray:
    """The planted fall (response SDs) on each day: 0 before the start, linear to full depth, then flat."""
    start = np.datetime64(breakdown.began_on)
    span = max((np.datetime64(breakdown.full_on) - start).astype(int), 0)
    elapsed = (day.astype("datetime64[D]") - start).astype(int)
    share = np.ones(len(day)) if span == 0 else np.clip((elapsed + 1) / (span + 1), 0, 1)
    return np.where(elapsed >= 0, breakdown.depth * share, 0.0)


def plant_breakdowns(customer: pd.DataFrame, latents: pd.DataFrame, touchpoints: pd.DataFrame,
                     cube: dict[str, np.ndarray], teams: np.ndarray, calendar: pd.DataFrame, model: PlantedModel,
                     seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(customer, latents): the planted touchpoints' September-October rows drawn again, boosted and broken,
    and their teams' customer latent `cx` in those months set to the mean their customers were drawn from."""
    codes = touchpoints["code"].tolist()
    labels = dict(zip(calendar["label"], calendar["wave"]))
    wanted = [b for b in PLANTED_BREAKDOWNS if b.touchpoint in codes]
    if not wanted or not {"2026-09", "2026-10"} <= set(labels):
        return customer, latents
    rng = np.random.default_rng([seed, 11])
    days = pd.date_range(BOOSTED_FROM, pd.Timestamp(calendar["cx_closes"].max()) - pd.Timedelta(days=1))
    taken = set(customer["response_id"].tolist())
    keep = np.ones(len(customer), dtype=bool)
    frames = []
    for b in wanted:
        tp = codes.index(b.touchpoint)
        keep &= ~((customer["touchpoint"].to_numpy() == tp)
                  & (pd.to_datetime(customer["submitted_on"]) >= pd.Timestamp(BOOSTED_FROM)).to_numpy())
        frames.append(_draw(rng, b, tp, int(touchpoints.at[tp, "team"]), days, labels, cube, teams, model, taken))
    out = pd.concat([customer[keep], *frames], ignore_index=True)
    latents = latents.copy()
    for frame in frames:  # one touchpoint per team: the team's latent is its touchpoint's
        for wave, mean in frame.groupby("wave")["latent"].mean().items():
            latents.loc[(latents["team"] == frame["team"].iloc[0]) & (latents["wave"] == wave), "cx"] = mean
    out = out.drop(columns="latent").sort_values(["wave", "touchpoint"], kind="stable", ignore_index=True)
    return out, latents


def _draw(rng, b: PlantedBreakdown, tp: int, team: int, days: pd.DatetimeIndex, labels: dict, cube, teams,
          model: PlantedModel, taken: set) -> pd.DataFrame:
    per_day = rng.integers(PER_DAY[0], PER_DAY[1] + 1, size=len(days))
    day = np.repeat(days.to_numpy(), per_day)
    n = len(day)
    wave = np.array([labels[pd.Timestamp(d).strftime("%Y-%m")] for d in day])
    pos = int(np.searchsorted(teams, team))
    # The level of the quarter before holds on (the team's mean customer latent of June-August), so the only
    # change at these touchpoints is the planted one, measured against the months before.
    first = int(wave.min())
    earlier = cube["cx"][pos, max(1, first - 3):first]
    level = earlier.mean() if earlier.size else cube["cx"][pos, first]  # no earlier month: its own
    latent = level - depth_on(b, day)
    y = model.cx_mean + latent + rng.standard_normal(n)
    csat = ordinal(y + model.cx_item_sd * rng.standard_normal(n), model.csat_cuts)
    nps = zero_to_ten(y + model.cx_item_sd * rng.standard_normal(n), model.nps_intercept, model.nps_slope)
    ces = ordinal(y + model.cx_item_sd * rng.standard_normal(n), model.ces_cuts)
    return pd.DataFrame({"response_id": _fresh_ids(rng, n, taken), "wave": wave, "team": team, "touchpoint": tp,
                         "submitted_on": pd.DatetimeIndex(day).date, "csat": csat, "nps": nps, "ces": ces,
                         "comment": _comments(rng, b, csat, day), "latent": latent})


def _comments(rng, b: PlantedBreakdown, csat: np.ndarray, day: np.ndarray) -> list[str | None]:
    # Imported here to keep the phrase banks in one place.
    from demo.comments import CUSTOMER

    n = len(csat)
    after = day >= np.datetime64(b.began_on)
    has = rng.random(n) < np.where(after & (csat <= 3), COMMENT_RATE, 0.2)
    topical = rng.random(n) < THEME_SHARE
    pick = rng.integers(0, 20, size=n)
    out: list[str | None] = []
    for h, a, c, t, k in zip(has.tolist(), after.tolist(), csat.tolist(), topical.tolist(), pick.tolist()):
        if not h:
            out.append(None)
        elif c >= 4:
            out.append(CUSTOMER["pos"][k % 5])
        elif a and t:
            out.append(b.comments[k % len(b.comments)])
        else:
            out.append(CUSTOMER["neg"][k % 5])
    return out


def _fresh_ids(rng, n: int, taken: set) -> np.ndarray:
    """`n` random ids in [1, 2**62) that no other response has."""
    ids = []
    while len(ids) < n:
        for value in rng.integers(1, 2 ** 62, size=n - len(ids), dtype=np.int64).tolist():
            if value not in taken:
                taken.add(value)
                ids.append(value)
    return np.array(ids, dtype=np.int64)
