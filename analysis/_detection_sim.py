"""Simulated customer series for tuning and testing breakdown detection (seeded, numpy only).

Each touchpoint gets Poisson(volume) respondents a day; each respondent answers CSAT (top-two with
probability p), NPS (promoter / passive / detractor) and CES (1-7). A planted breakdown lowers CSAT's
top-two probability (and moves NPS and CES the same way) from `start`, either at once (a sudden drop) or
linearly over `ramp` days (a slide), by `size` points.
"""
from __future__ import annotations

import numpy as np

CSAT_P = 0.80                     # top-two share
NPS_P = (0.50, 0.35, 0.15)        # promoters, passives, detractors
CES_P = np.array([0.03, 0.04, 0.08, 0.15, 0.25, 0.25, 0.20])  # answers 1..7


def simulate(rng: np.random.Generator, series: int, days: int, volume: float, *, start: int | None = None,
             size: float = 0.0, ramp: int = 0) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Daily (n, s1, s2) per metric (csat, nps, ces), shape (series, days); `size` in points (0-100)."""
    n = rng.poisson(volume, size=(series, days)).astype(float)
    shift = np.zeros(days)
    if start is not None and size:
        t = np.arange(days) - start
        shift = np.where(t < 0, 0.0, np.minimum(1.0, (t + 1) / max(ramp, 1)) * size / 100.0)
    p_top = np.clip(CSAT_P - shift, 0.01, 0.99)[None, :]
    top2 = rng.binomial(n.astype(int), np.broadcast_to(p_top, n.shape)).astype(float)
    # NPS: half the shift leaves the promoters, half joins the detractors (the net score drops by `size`).
    p_pro = np.broadcast_to(np.clip(NPS_P[0] - shift / 2, 0.01, 0.98)[None, :], n.shape)
    p_det = np.broadcast_to(np.clip(NPS_P[2] + shift / 2, 0.01, 0.98)[None, :], n.shape)
    pro = rng.binomial(n.astype(int), p_pro)
    det = rng.binomial((n - pro).astype(int), np.clip(p_det / (1 - p_pro), 0, 1))
    net = (pro - det).astype(float)
    net_sq = (pro + det).astype(float)
    # CES: a respondent's answer is one draw; a shift moves mass from the top two answers to the bottom.
    ces_s1 = np.zeros_like(n)
    ces_s2 = np.zeros_like(n)
    for d in range(days):
        p = CES_P.copy()
        if shift[d]:
            move = min(shift[d] / 2, p[5] + p[6] - 0.02)  # the mean falls by 0.025 per point
            p[5] -= move / 2
            p[6] -= move / 2
            p[0] += move / 2
            p[1] += move / 2
        counts = rng.multinomial(n[:, d].astype(int), p)  # series x 7
        vals = np.arange(1, 8)
        ces_s1[:, d] = counts @ vals
        ces_s2[:, d] = counts @ (vals ** 2)
    return {"csat": (n, top2, top2), "nps": (n, net, net_sq), "ces": (n, ces_s1, ces_s2)}


KIND_OF = {"csat": ("share", 100.0), "nps": ("net", 100.0), "ces": ("mean", 1.0)}
