"""Reports for HR and leadership: participation and the EX-CX linkage report.

The statistics stack (surveys.insights, analysis, and through them numpy, pandas, scipy, statsmodels,
Altair and vl-convert) is imported inside the views, not here: create_app imports every blueprint, so a
module-level import would make every `tandem` command and every worker start seconds slower.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from sqlalchemy import select

from surveys.models import Program
from webapp.auth import roles_required
from webapp.db import get_session

bp = Blueprint("reports", __name__)
CONFIDENCE_LEVELS = (0.90, 0.95, 0.99)
FOREST_COLUMNS = {"test": "Employee metric → customer metric", "r": "r", "ci_low": "Interval from",
                  "ci_high": "Interval to", "q_value": "q", "n": "n", "verdict": "Verdict"}


REPORT_BLURBS = {
    "dashboard": "the latest wave's engagement, factors, eNPS and participation, and customer scores, with changes",
    "heatmap": "every team against the organisation, its parent or its last wave, flagged only where it matters",
    "trends": "any score over waves (employees) or weeks and months (customers), with intervals",
    "drivers": "what drives engagement and each customer outcome, with intervals and rank stability",
    "customers": "CSAT, NPS and CES by touchpoint, channel and team over time, and the comments behind them",
    "questions": "every question's answer distribution and its change since the last wave",
    "comments": "employees' comments, for groups large enough to keep them anonymous",
    "participation": "response rates by team for a wave",
    "linkage": "which team conditions go with better customer outcomes, with false-discovery control",
}


@bp.route("/")
@roles_required("executive", "hr_admin", "team_lead")
def index():
    from flask_login import current_user

    from surveys.insights import overview
    from surveys.insights.reports import REPORTS, available
    from webapp.reports.pages import ORG_ONLY

    session = get_session()
    leader = current_user.role in ("executive", "hr_admin")
    reports = [(name, REPORTS[name], REPORT_BLURBS.get(name, "")) for name in REPORTS
               if available(name) and (leader or name not in ORG_ONLY)]
    # Organisation-wide participation by wave is for executives and HR; a team lead reads their subtree's.
    waves = overview.wave_participation(session, current_app.config["MIN_GROUP_SIZE"]) if leader else []
    programs = session.scalars(select(Program).where(Program.audience == "employee").order_by(Program.name))
    return render_template("reports/index.html", waves=waves, programs=list(programs), reports=reports,
                           leader=leader)


@bp.route("/linkage")
@roles_required("executive", "hr_admin")
def linkage():
    from analysis import charts
    from surveys.insights import datasets
    from webapp.reports.charts import to_figure
    from webapp.reports.pipeline import LABELS, linkage_analysis

    session = get_session()
    programs = datasets.employee_programs(session)
    if not programs:
        return render_template("reports/linkage.html", programs=[], result=None, labels=LABELS)
    code = request.args.get("program") or programs[0].code
    if code not in {p.code for p in programs}:
        abort(404, f"No employee program with code '{code}'.")
    try:
        confidence = float(request.args.get("confidence", "0.95"))
    except ValueError:
        confidence = 0.0
    if confidence not in CONFIDENCE_LEVELS:
        abort(400, f"Confidence must be one of {', '.join(str(c) for c in CONFIDENCE_LEVELS)}.")
    result = linkage_analysis(session, code, min_group_size=current_app.config["MIN_GROUP_SIZE"],
                              min_teams=current_app.config["LINKAGE_MIN_TEAMS"], process_target=current_app.config["PROCESS_TARGET"], confidence=confidence)
    lag1 = [r for r in result.report.rows if r.lag == 1]
    chart = None
    if lag1:  # the table under the chart lists the very rows the chart plots
        summary = (f"Next-wave links: correlation r with its {confidence:.0%} interval for {len(lag1)} pairs of "
                   f"employee and customer metrics; {sum(r.linked for r in lag1)} linked.")
        chart = to_figure(charts.forest_plot(result.report, labels=LABELS, lags=(1,)), summary, FOREST_COLUMNS)
    return render_template("reports/linkage.html", programs=programs, program_code=code, result=result,
                           chart=chart, labels=LABELS, confidence=confidence, levels=CONFIDENCE_LEVELS)
