"""The metrics an action or a goal can target: one vocabulary for forms, imports, pages and the CLI.

The definitions behind each key are analysis.metrics and the README's "Statistical definitions"; this
module only names them, gives their unit and range, and validates keys. Imported business outcomes
(issue 11) are keyed "outcome:<name>".
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from analysis.metrics import CX_METRICS, EX_DIMENSIONS


@dataclass(frozen=True)
class MetricInfo:
    """A targetable metric: its key, how people read it, and the range of its values."""

    key: str
    label: str
    audience: str  # "employee", "customer" or "outcome"
    unit: str      # what a value is measured in, for sentences: "points", "% satisfied", ...
    low: float | None
    high: float | None

    def check(self, value: float) -> str | None:
        """An error message when a target or baseline is outside the metric's range, else None."""
        if self.low is not None and value < self.low or self.high is not None and value > self.high:
            return f"{self.label} runs from {self.low:g} to {self.high:g}; {value:g} is outside that range."
        return None


_EX_LABELS = {"engagement": "Engagement", "culture": "Culture", "people": "People", "process": "Process",
              "technology": "Technology"}
METRICS: dict[str, MetricInfo] = {
    **{d: MetricInfo(d, _EX_LABELS[d], "employee", "% favourable", 0.0, 100.0) for d in EX_DIMENSIONS},
    "enps": MetricInfo("enps", "eNPS", "employee", "points", -100.0, 100.0),
    "csat": MetricInfo("csat", "CSAT", "customer", "% satisfied", 0.0, 100.0),
    "nps": MetricInfo("nps", "NPS", "customer", "points", -100.0, 100.0),
    "ces": MetricInfo("ces", "CES", "customer", "mean on 1-7", 1.0, 7.0),
}
assert set(CX_METRICS) <= set(METRICS)
OUTCOME_PREFIX = "outcome:"
_OUTCOME_NAME = re.compile(r"^[a-z0-9][a-z0-9_ -]{0,49}$")


def metric_info(key: str) -> MetricInfo:
    """The MetricInfo of a key; raises KeyError naming the known keys when it is not one."""
    key = (key or "").strip().lower()
    if key in METRICS:
        return METRICS[key]
    if key.startswith(OUTCOME_PREFIX) and _OUTCOME_NAME.match(key[len(OUTCOME_PREFIX):]):
        name = key[len(OUTCOME_PREFIX):]
        return MetricInfo(key, name.replace("_", " ").capitalize(), "outcome", "", None, None)
    raise KeyError(f"Unknown metric '{key}'. Choose one of {', '.join(METRICS)}, or outcome:<name> "
                   "for an imported business outcome.")


def choices(audiences: tuple[str, ...] = ("employee", "customer")) -> list[tuple[str, str]]:
    """(key, label) pairs for a form's select, employee metrics first."""
    return [(m.key, m.label) for m in METRICS.values() if m.audience in audiences]
