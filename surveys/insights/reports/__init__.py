"""The leadership reports, one module each, all built the same way: `build(session, params, scope,
settings) -> Report`. Pages, exports, `tandem report NAME` and `/api/v1/reports/NAME` all call `build`
here, so every format shows the same numbers.

Modules load on first use: the statistics stack is heavy and most requests need one report at most.
"""
from __future__ import annotations

import importlib
import importlib.util

from sqlalchemy.orm import Session

from surveys.insights.figures import ParamError, Report
from surveys.insights.reports.params import ReportParams, ReportSettings, Scope

# name -> (title, roles that may read it). Team leads read every report but linkage (organisation-wide).
REPORTS: dict[str, str] = {
    "dashboard": "Dashboard",
    "heatmap": "Heatmap",
    "trends": "Trends",
    "drivers": "Drivers",
    "customers": "Customers",
    "questions": "Questions",
    "comments": "Comments",
    "participation": "Participation",
    "linkage": "Employee–customer linkage",
    "actions": "Actions",
}
EXPORTABLE = tuple(name for name in REPORTS if name != "comments")  # comments: no bulk export of text


def available(name: str) -> bool:
    """True when the report's module exists; found without importing it (and the statistics it loads)."""
    return name in REPORTS and importlib.util.find_spec(f"surveys.insights.reports.{name}") is not None


def build(session: Session, name: str, params: ReportParams, scope: Scope, settings: ReportSettings) -> Report:
    """Build report `name` for a user's scope; ParamError names a bad parameter."""
    if not available(name):
        raise ParamError("report", f"No report named '{name}'. Reports: {', '.join(REPORTS)}.")
    module = importlib.import_module(f"surveys.insights.reports.{name}")
    report = module.build(session, params, scope, settings)
    unknown = params.unread()
    if unknown:  # a misspelt filter would otherwise be ignored silently and show unfiltered numbers
        raise ParamError(unknown[0], f"The {name} report has no parameter '{unknown[0]}'.")
    return report
