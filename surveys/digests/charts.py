"""The digest's small charts (Altair, drawn from figures the digest already holds) and their PNGs, rendered
offline by vl-convert for the mail and as inline images on the page."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis import charts as base
from surveys.digests.compose import Digest
from surveys.digests.kpis import LABELS

WIDTH, HEIGHT = 520, 180


@dataclass(frozen=True)
class DigestChart:
    """A chart's name (used for its Content-ID), its text alternative and its Vega-Lite spec."""

    name: str
    summary: str
    spec: dict


def _weekly(digest: Digest, metric: str) -> DigestChart | None:
    points = [p for p in digest.weekly if p.metric == metric and p.value is not None]
    if len(points) < 2:
        return None
    frame = pd.DataFrame([{"week": f"{p.week:%d %b}", "value": p.value, "low": p.low if p.low is not None else p.value,
                           "high": p.high if p.high is not None else p.value, "n": p.n} for p in points])
    chart = base.interval_line(frame, "week", "value", "low", "high", x_title="Week starting",
                               y_title=LABELS[metric]).properties(width=WIDTH, height=HEIGHT)
    last = points[-1]
    summary = (f"{LABELS[metric]} by week, {len(points)} weeks to {digest.period.end:%d %B %Y}, with 95% intervals; "
               f"the latest week {last.value} (n = {last.n}).")
    return DigestChart(f"{metric}-weekly", summary, chart.to_dict())


def _movers(digest: Digest) -> DigestChart | None:
    # CSAT and NPS changes are in points on one axis; CES (1-7) would be a sliver beside them.
    movers = [m for m in digest.movers if m.change is not None and m.change_low is not None and m.metric != "ces"]
    if not movers:
        return None
    frame = pd.DataFrame([{"touchpoint": f"{m.where} ({m.metric.upper()})", "change": m.change, "low": m.change_low,
                           "high": m.change_high} for m in movers])
    chart = base.figure_bars(frame, "touchpoint", "change", f"Change against the previous {digest.period.noun}",
                             "low", "high").properties(width=WIDTH - 200, height=28 * len(movers))
    summary = "Touchpoints that moved most (CSAT and NPS, points), change with its 95% interval: " + "; ".join(
        f"{m.where} {m.metric.upper()} {m.change:+g}" for m in movers) + "."
    return DigestChart("movers", summary, chart.to_dict())


def digest_charts(digest: Digest) -> tuple[DigestChart, ...]:
    """CSAT by week around the period, NPS by week, and the touchpoints whose CSAT or NPS moved most (those with
    data)."""
    made = [_weekly(digest, "csat"), _weekly(digest, "nps"), _movers(digest)]
    return tuple(c for c in made if c is not None)


def png(chart: DigestChart, scale: float = 2) -> bytes:
    """The chart as a PNG (vl-convert, offline)."""
    import vl_convert as vlc  # its engine takes a while to start: only when a chart is drawn

    return vlc.vegalite_to_png(chart.spec, scale=scale)


