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


@bp.route("/")
@roles_required("executive", "hr_admin")
def index():
    from surveys.insights import overview

    session = get_session()
    waves = overview.wave_participation(session, current_app.config["MIN_GROUP_SIZE"])
    programs = session.scalars(select(Program).where(Program.audience == "employee").order_by(Program.name))
    return render_template("reports/index.html", waves=waves, programs=list(programs))


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
