"""The one shape every report's numbers take, for pages, exports, `tandem report` and the API alike.

A `Figure` is one number about one unit: the unit, the metric, the value, n, the interval bounds, and
`suppressed` (with no value, no n and no interval) where the anonymity threshold hides it. A `Report` is
a page's figures plus what the page needs to lay them out; its JSON and CSV carry only the figures and
the resolved parameters, so every format shows exactly the same numbers.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from surveys.errors import ValidationError

ORG = "ORG"  # the unit code of the whole organisation
EXPORT_COLUMNS = ("unit", "unit_name", "metric", "period", "value", "n", "ci_low", "ci_high", "suppressed")


class ParamError(ValidationError):
    """A report parameter that is missing, malformed or out of the user's scope; names the parameter."""

    def __init__(self, param: str, message: str):
        super().__init__(message, field=param)
        self.param = param


@dataclass(frozen=True)
class Figure:
    """One number about one unit, with its n and interval; suppressed figures carry none of them.

    `extra` holds further named values of the same figure (a change and its interval, a q-value,
    a flag), exported as extra columns; all of them are blanked when the figure is suppressed.
    """

    unit: str
    unit_name: str
    metric: str
    value: float | None
    n: int | None
    ci_low: float | None = None
    ci_high: float | None = None
    suppressed: bool = False
    period: str | None = None
    extra: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self):
        if self.suppressed and not (self.value is None and self.n is None and self.ci_low is None
                                    and self.ci_high is None):
            raise ValueError("a suppressed figure carries no value, n or interval")

    def get(self, name: str, default: Any = None) -> Any:
        """An extra value by name."""
        return dict(self.extra).get(name, default)

    def as_dict(self) -> dict[str, Any]:
        """The figure as JSON-ready values: NaN becomes None; extras follow the fixed columns."""
        out = {"unit": self.unit, "unit_name": self.unit_name, "metric": self.metric, "period": self.period,
               "value": _clean(self.value), "n": self.n, "ci_low": _clean(self.ci_low),
               "ci_high": _clean(self.ci_high), "suppressed": self.suppressed}
        out.update({k: _clean(v) for k, v in self.extra})
        return out


def _clean(value: Any) -> Any:
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:  # most values of a large export
        return value
    if kind is float:
        return value if math.isfinite(value) else None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalars
        return _clean(value.item())
    return value


def hidden(unit: str, unit_name: str, metric: str, period: str | None = None,
           extra_names: tuple[str, ...] = ()) -> Figure:
    """A suppressed figure (its extras present but empty, so every row has the same columns)."""
    return Figure(unit, unit_name, metric, None, None, suppressed=True, period=period,
                  extra=tuple((name, None) for name in extra_names))


def figure(unit: str, unit_name: str, metric: str, estimate, k: int, *, period: str | None = None,
           digits: int = 1, **extra: Any) -> Figure:
    """A figure from an `analysis.summaries.Estimate`, suppressed when its n is below `k` (or missing).

    Values are rounded to `digits` so the page, the CSV, the JSON and the API show the same numbers.
    """
    if estimate is None or estimate.n < k or not math.isfinite(estimate.value):
        return hidden(unit, unit_name, metric, period, tuple(extra))
    r = lambda x: None if x is None or not math.isfinite(x) else round(float(x), digits)  # noqa: E731
    return Figure(unit, unit_name, metric, r(estimate.value), int(estimate.n), r(estimate.ci_low),
                  r(estimate.ci_high), False, period,
                  tuple((name, r(v) if isinstance(v, float) else v) for name, v in extra.items()))


@dataclass(frozen=True)
class Chart:
    """A chart of a report: an Altair chart object and the sentence that says what it shows."""

    name: str
    chart: Any
    summary: str

    def spec(self) -> dict:
        """The chart's Vega-Lite spec, not checked against the Vega-Lite schema here (that takes 10-15 ms a
        chart, a tenth of some report pages): the tests check every report's charts and every builder's
        (tests/webapp/test_report_chart_specs.py, tests/analysis/test_chart_channels.py)."""
        return self.chart.to_dict(validate=False)


@dataclass(frozen=True)
class Report:
    """A report as built: its figures, the parameters it was built with, plain sentences and charts.

    `context` carries whatever else the page lays out (hierarchy, headings); it is never exported, so
    nothing in it may be a number the page shows that is not also a figure.
    """

    name: str
    title: str
    params: Mapping[str, Any]
    figures: tuple[Figure, ...]
    notes: tuple[str, ...] = ()
    charts: tuple[Chart, ...] = ()
    context: Mapping[str, Any] = field(default_factory=dict)
    threshold: int = 0

    def columns(self) -> tuple[str, ...]:
        """Export columns: the fixed ones, then every extra name in order of first appearance."""
        extras: dict[str, Any] = {}
        for f in self.figures:
            extras.update(f.extra)  # keys keep their first position; the values are not used
        return EXPORT_COLUMNS + tuple(extras)

    def rows(self) -> list[list[Any]]:
        """One row per figure, in `columns()` order (missing extras empty)."""
        cols = self.columns()
        return [list(map(f.as_dict().get, cols)) for f in self.figures]  # one as_dict per figure

    def as_json(self) -> dict[str, Any]:
        """The report as the CLI's `--format json` and the API return it."""
        return {"report": self.name, "title": self.title, "parameters": dict(self.params),
                "threshold": self.threshold, "notes": list(self.notes),
                "figures": [f.as_dict() for f in self.figures]}

    def chart(self, name: str) -> Chart | None:
        """A chart by name."""
        return next((c for c in self.charts if c.name == name), None)
