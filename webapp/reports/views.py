"""Reports for HR and leadership: the index (participation by wave); every report in the registry,
the linkage report included, is served by pages.py.

The statistics stack (surveys.insights, analysis, and through them numpy, pandas, scipy, statsmodels,
Altair and vl-convert) is imported inside the views, not here: create_app imports every blueprint, so a
module-level import would make every `tandem` command and every worker start seconds slower.
"""
from __future__ import annotations

from flask import Blueprint, current_app, render_template
from sqlalchemy import select

from surveys.models import Program
from webapp.auth import roles_required
from webapp.db import get_session

bp = Blueprint("reports", __name__)
ORG_ONLY = {"linkage"}  # organisation-wide statistics: not for a team lead's subtree


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
    "actions": "every improvement action with its progress and measured effect: did it work?",
}


@bp.route("/")
@roles_required("executive", "hr_admin", "team_lead")
def index():
    from flask_login import current_user

    from surveys.insights import overview
    from surveys.insights.reports import REPORTS, available

    session = get_session()
    leader = current_user.role in ("executive", "hr_admin")
    reports = [(name, REPORTS[name], REPORT_BLURBS.get(name, "")) for name in REPORTS
               if available(name) and (leader or name not in ORG_ONLY)]
    # Organisation-wide participation by wave is for executives and HR; a team lead reads their subtree's.
    waves = overview.wave_participation(session, current_app.config["MIN_GROUP_SIZE"]) if leader else []
    programs = session.scalars(select(Program).where(Program.audience == "employee").order_by(Program.name))
    return render_template("reports/index.html", waves=waves, programs=list(programs), reports=reports,
                           leader=leader)
