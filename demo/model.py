"""The planted generative model: latent team climate drives next month's customer experience.

Every latent team score is standardised (mean 0, SD 1 across team-waves). For dimension d, team j and
wave t:

    L_d,j,t = sqrt(between_share) * u_d,j + sqrt(1 - between_share) * a_d,j,t
    a_d,j,t = ar_phi * a_d,j,t-1 + sqrt(1 - ar_phi^2) * eta_d,j,t,   a_d,j,0 ~ N(0, 1)

so there is a stable between-team part and a month-to-month AR(1) movement. Wave 0 is an unobserved
"prior" wave, generated the same way, that feeds the first observed wave's customer scores. The
customer latent of team j in wave t (t >= 1) is

    Y_j,t = beta_E * E_j,t-1 + beta_P * P_j,t-1 + 0 * C_j,t-1 + 0 * Pe_j,t-1 + 0 * T_j,t-1
            + cx_team_sd * nu_j,t

in units of one customer's response noise (SD 1). Culture, people and technology have no effect on
customers at all: the planted null that an honest analysis must not "discover".

Improvement actions that worked (demo/improvements.py) add `action_lift` latent SDs to their metric's
dimension in their teams from the first wave after the action's start on. Actions that did not work
add nothing. The lift is added after Y is drawn: customers follow the climate L as drawn, so the
planted EX -> CX link, and the organisation-wide reference the heatmap's truths are measured against,
stay exactly as documented above (a lifted process score does not reach the customers in the demo).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

DIMENSIONS = ("engagement", "culture", "people", "process", "technology")


@dataclass(frozen=True)
class PlantedModel:
    """Every constant of the simulation, documented in the README's demo section."""

    between_share: float = 0.5   # share of a latent's variance that is stable between teams
    ar_phi: float = 0.5          # month-to-month persistence of the within-team part
    beta: dict[str, float] = field(default_factory=lambda: {
        "engagement": 0.35, "culture": 0.0, "people": 0.0, "process": 0.30, "technology": 0.0})
    cx_team_sd: float = 0.30     # team-wave customer variation that EX does not explain
    # Employee answers: continuous score = mean_d + team_sd*L + person + occasion + item offset + noise.
    dimension_mean: dict[str, float] = field(default_factory=lambda: {
        "engagement": 1.0, "culture": 1.0, "people": 1.2, "process": 0.8, "technology": 0.7})
    team_sd: float = 0.5         # how far one latent SD moves a person's score
    person_sd: float = 0.5       # a person's stable disposition, shared by all their answers
    occasion_sd: float = 0.5     # person x wave x dimension mood
    item_sd: float = 0.6         # item-level noise
    likert5_cuts: tuple[float, ...] = (-1.5, -0.5, 0.5, 1.5)
    enps_intercept: float = 5.0  # eNPS = clip(round(intercept + slope * engagement score), 0, 10)
    enps_slope: float = 2.2
    # Customer answers: y = cx_mean + Y + response noise (SD 1); each question adds its own noise.
    cx_mean: float = 0.8
    cx_item_sd: float = 0.5
    csat_cuts: tuple[float, ...] = (-1.8, -1.1, -0.3, 0.9)
    ces_cuts: tuple[float, ...] = (-2.2, -1.6, -1.0, -0.4, 0.4, 1.2)
    nps_intercept: float = 6.8
    nps_slope: float = 2.0
    # A working improvement action raises its dimension's latent by this many SD: about +25 points
    # favourable on average. Large on purpose: a team of ~10 respondents moves ~19 points from one
    # wave to the next by chance, so a difference in differences for 2-4 teams is only shown to be
    # above zero when the effect is of this size (README, "Improvement actions and goals in the demo").
    action_lift: float = 2.0


DEFAULT_MODEL = PlantedModel()


def simulate_latents(rng: np.random.Generator, teams: np.ndarray, n_waves: int,
                     model: PlantedModel = DEFAULT_MODEL,
                     groups: np.ndarray | None = None, lift: np.ndarray | None = None) -> pd.DataFrame:
    """Latent scores for `teams` (row numbers) in waves 0..n_waves; `cx` is NaN in the prior wave 0.

    `groups` (one label per team) names sets of teams decorrelated separately: the customer-facing
    teams are the ones the linkage analysis sees, so their fields must be clean on their own.
    `lift` (dimensions x teams x waves 0..n_waves), the planted effect of the actions that worked, is
    added to the employee latents after the customer latent is drawn. It consumes no random numbers,
    so everything else stays as it would be without it.
    """
    n, dims = len(teams), len(DIMENSIONS)
    stable = rng.standard_normal((dims, n))
    within = np.empty((dims, n, n_waves + 1))
    within[:, :, 0] = rng.standard_normal((dims, n))
    shocks = rng.standard_normal((dims, n, n_waves))
    innovation_sd = np.sqrt(1 - model.ar_phi ** 2)  # keeps the within part at unit variance
    for t in range(1, n_waves + 1):
        within[:, :, t] = model.ar_phi * within[:, :, t - 1] + innovation_sd * shocks[:, :, t - 1]
    latent = (np.sqrt(model.between_share) * stable[:, :, None]
              + np.sqrt(1 - model.between_share) * within)
    groups = np.zeros(n, dtype=int) if groups is None else np.asarray(groups)
    for g in np.unique(groups):
        latent[:, groups == g, :] = _decorrelated(latent[:, groups == g, :])
    cx = np.full((n, n_waves + 1), np.nan)
    drive = sum(model.beta[d] * latent[i] for i, d in enumerate(DIMENSIONS))
    cx[:, 1:] = drive[:, :-1] + model.cx_team_sd * rng.standard_normal((n, n_waves))
    if lift is not None:
        latent = latent + lift
    frame = pd.DataFrame({
        "team": np.repeat(teams, n_waves + 1),
        "wave": np.tile(np.arange(n_waves + 1), n),
    })
    for i, d in enumerate(DIMENSIONS):
        frame[d] = latent[i].reshape(-1)
    frame["cx"] = cx.reshape(-1)
    return frame


def _decorrelated(latent: np.ndarray) -> np.ndarray:
    """Make the five latent fields (dims x teams x waves) exactly uncorrelated, mean 0, SD 1 in-sample.

    With only ~30 customer-facing teams, independent fields correlate by chance (r of +-0.2 is
    common), which would let a null dimension borrow engagement's effect. The demo should show the
    planted effects, so the fields are Gram-Schmidt orthogonalised in DIMENSIONS order (each field
    minus its projection on the earlier ones, which keeps its stable + AR(1) structure); every
    measurement drawn from them stays random, so an analysis still faces honest sampling noise.
    """
    dims = latent.shape[0]
    flat = latent.reshape(dims, -1)
    if flat.shape[1] <= dims:
        return latent
    centred = flat - flat.mean(axis=1, keepdims=True)
    q, r = np.linalg.qr(centred.T)
    q = q * np.sign(np.diag(r))  # keep each field pointing the way it was drawn
    return (q.T * np.sqrt(flat.shape[1])).reshape(latent.shape)


def ordinal(x: np.ndarray, cuts: tuple[float, ...], start: int = 1) -> np.ndarray:
    """Map continuous scores onto start, start+1, ... by counting the cut points below each score."""
    return start + np.searchsorted(np.asarray(cuts), x, side="left").astype(np.int64)


def zero_to_ten(x: np.ndarray, intercept: float, slope: float) -> np.ndarray:
    """A 0-10 likelihood answer from a continuous score."""
    return np.clip(np.rint(intercept + slope * x), 0, 10).astype(np.int64)
