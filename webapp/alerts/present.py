"""How alert pages draw what surveys.alerts computed: small trend lines, the evidence chart and the hints."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from surveys.alerts.evidence import Evidence, Point

SPARK_W, SPARK_H, SPARK_PAD = 120, 28, 3


@dataclass(frozen=True)
class Spark:
    """A small trend line's geometry (drawn by templates/alerts/_macros.html) and its text for screen readers."""

    points: str
    last_x: float
    last_y: float
    label: str
    width: int = SPARK_W
    height: int = SPARK_H


def sparkline(points: tuple[Point, ...], label: str) -> Spark | None:
    """The line of weekly values scaled into a small box, named by `label` and the values; None without any."""
    if not points:
        return None
    values = [p.value for p in points]
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    step = (SPARK_W - 2 * SPARK_PAD) / max(1, len(values) - 1)
    coords = [(SPARK_PAD + i * step, SPARK_PAD + (hi - v) / span * (SPARK_H - 2 * SPARK_PAD))
              for i, v in enumerate(values)]
    text = f"{label}: " + ", ".join(f"{v:.0f}" for v in values)
    return Spark(" ".join(f"{x:.1f},{y:.1f}" for x, y in coords), round(coords[-1][0], 1), round(coords[-1][1], 1),
                 text)


def evidence_figure(ev: Evidence):
    """The evidence chart as accessible SVG with its figures as a table (webapp.reports.charts), or None."""
    if not ev.points:
        return None
    # Imported here: the chart stack (pandas, Altair, vl-convert) loads only for a page that draws a chart.
    import pandas as pd

    from analysis.alert_charts import evidence_chart
    from webapp.reports.charts import to_figure

    frame = pd.DataFrame([{"start": p.start.isoformat(), "value": round(p.value, 1),
                           "low": None if p.low is None else round(p.low, 1),
                           "high": None if p.high is None else round(p.high, 1), "n": p.n} for p in ev.points])
    frame[["low", "high"]] = frame[["low", "high"]].astype(float)
    base = ev.baseline
    band = (base.value, base.low, base.high) if base is not None and None not in (base.low, base.high) else None
    chart = evidence_chart(frame, y_title=f"{ev.label} ({ev.unit})", baseline=band, began=ev.began_on,
                           detected=ev.detected_on)
    summary = (f"{ev.label} at the touchpoint by {ev.period} from {ev.points[0].start} to {ev.points[-1].start}; "
               f"the shift began about {ev.began_on} and was detected on {ev.detected_on}"
               + (f"; baseline {base.value:.1f} (95% interval {base.low:.1f} to {base.high:.1f}, n = {base.n})"
                  if band else "") + ".")
    return to_figure(chart, summary, {"start": f"{ev.period.capitalize()} of", "value": ev.label,
                                      "low": "95% low", "high": "95% high", "n": "n"}, digits=1)


@dataclass(frozen=True)
class Hints:
    """An alert's root-cause hints, each part empty when the detection left it out or it was malformed."""

    factors: list[dict] = field(default_factory=list)
    hidden_factors: int = 0  # rows left out because fewer than the anonymity threshold answered
    themes: list[dict] = field(default_factory=list)
    sentiment: dict | None = None
    verbatims: list[dict] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.factors or self.hidden_factors or self.themes or self.sentiment or self.verbatims)


def _number(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return value


def _rows(raw, keys: tuple[str, ...], numbers: tuple[str, ...]) -> list[dict]:
    if not isinstance(raw, list):
        return []
    rows = []
    for item in raw:
        if isinstance(item, dict):
            rows.append({k: (_number(item.get(k)) if k in numbers else
                             (str(item[k]) if item.get(k) is not None else None)) for k in keys})
    return rows


def hints(raw_json: str | None, min_group: int) -> Hints:
    """The hints stored on an alert (hints_json), tolerant of missing or malformed parts; an employee factor of
    a group smaller than `min_group` (or of unknown size) is never shown, whatever the detection stored."""
    try:
        data = json.loads(raw_json or "{}")
    except (TypeError, ValueError):
        return Hints()
    if not isinstance(data, dict):
        return Hints()
    factors = _rows(data.get("factors"), ("factor", "label", "team_value", "org_value", "rest_value", "gap", "low",
                                          "high", "n", "linked_r", "unit_name"),
                    ("team_value", "org_value", "rest_value", "gap", "low", "high", "n", "linked_r"))
    for f in factors:  # alerts stored before rest_value existed: the rest is what the gap was taken against
        if f["rest_value"] is None and f["team_value"] is not None and f["gap"] is not None:
            f["rest_value"] = round(f["team_value"] - f["gap"], 1)
    shown = [f for f in factors if f["n"] is not None and f["n"] >= min_group]
    themes = _rows(data.get("themes"), ("theme_id", "name", "before", "after", "change"),
                   ("before", "after", "change"))
    verbatims = [v for v in _rows(data.get("verbatims"), ("day", "text", "score"), ("score",)) if v["text"]]
    raw_sentiment = data.get("sentiment")
    sentiment = None
    if isinstance(raw_sentiment, dict):
        before, after = _number(raw_sentiment.get("before")), _number(raw_sentiment.get("after"))
        if before is not None or after is not None:
            sentiment = {"before": before, "after": after}
    return Hints(shown, len(factors) - len(shown), themes, sentiment, verbatims)
