"""Alerts: the command centre, the list of alerts a user may see (with a CSV download), and one alert's page."""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import select

from surveys.alerts import escalation, listing
from surveys.alerts.access import get_alert, scope_for
from surveys.alerts.workflow import KIND_WORDS, TRANSITIONS, headline, metric_label, status_label
from surveys.models import OPEN_ALERT_STATUSES, Action, Alert, Team, utcnow
from surveys.org import hierarchy
from webapp.alerts.forms import ConfirmForm, DismissForm, ResolveForm
from webapp.alerts.present import evidence_figure, hints, sparkline
from webapp.auth import roles_required
from webapp.db import get_session

bp = Blueprint("alerts", __name__)
STAFF = ("team_lead", "hr_admin", "executive")
CSV_COLUMNS = ("id", "touchpoint", "team", "metric", "kind", "severity", "status", "began", "detected",
               "last_seen", "baseline", "baseline_n", "current", "current_n", "drop", "low", "high", "p", "q",
               "escalation_level")


def user_scope(session):
    """The signed-in staff member's reach over alerts."""
    return scope_for(session, current_user.id, current_user.role, current_user.team_id)


def settings() -> escalation.EscalationSettings:
    """The escalation clock's settings from the app's configuration."""
    return escalation.EscalationSettings.from_config(current_app.config)


@bp.app_template_global("alert_title")
def _alert_title(alert: Alert) -> str:
    return headline(alert)


@bp.app_template_filter("alert_status")
def _alert_status(status: str) -> str:
    return status_label(status)


@bp.app_template_filter("alert_kind")
def _alert_kind(kind: str) -> str:
    return KIND_WORDS.get(kind, kind)


@bp.app_template_global("team_open_alerts")
def team_open_alerts(team_id: int) -> list[Alert]:
    """Open alerts of a team and the teams below it, for the team page (whose view has checked the reach)."""
    session = get_session()
    stmt = select(Alert).where(Alert.team_id.in_(hierarchy.team_scope(session, team_id)),
                               Alert.status.in_(OPEN_ALERT_STATUSES))
    return sorted(session.scalars(stmt), key=lambda a: (listing.SEVERITY_ORDER.get(a.severity, 9), a.detected_on))


def _choices(session, scope):
    teams = [t for t in session.scalars(select(Team).order_by(Team.name)) if scope.covers(t.id)]
    return {"teams": teams, "departments": listing.visible_departments(session, scope),
            "statuses": listing.STATUS_FILTERS}


@bp.route("/command-centre")
@roles_required(*STAFF)
def command_centre():
    """Open alerts by severity and age with their trend and escalation clock, and the touchpoint map."""
    session = get_session()
    scope = user_scope(session)
    filters = listing.parse_filters(session, scope, request.args)
    found = listing.alerts(session, scope, filters)
    today, now = utcnow().date(), utcnow()
    from surveys.alerts import evidence  # numpy and scipy: loaded by the first alert page, not at start-up

    trends = evidence.trends(session, found, today)
    rows = [{"alert": a, "age": listing.age_days(a, today), "clock": escalation.clock(a, settings()),
             "trend": sparkline(trends.get(a.id, ()), f"{metric_label(a)} by week since "
                                f"{trends[a.id][0].start if trends.get(a.id) else a.detected_on}")}
            for a in found]
    return render_template("alerts/command_centre.html", rows=rows, filters=filters, now=now,
                           tp_map=listing.touchpoint_map(session, scope, filters), **_choices(session, scope)), \
        400 if filters.errors else 200


@bp.route("/alerts")
@roles_required(*STAFF)
def index():
    """Every alert the user may see, filtered like the command centre (all statuses on offer)."""
    session = get_session()
    scope = user_scope(session)
    filters = listing.parse_filters(session, scope, request.args)
    found = listing.alerts(session, scope, filters)
    return render_template("alerts/index.html", alerts=found, filters=filters, today=utcnow().date(),
                           **_choices(session, scope)), 400 if filters.errors else 200


@bp.route("/alerts.csv")
@roles_required(*STAFF)
def export_csv():
    """The filtered list as CSV (one row per alert, the fields of `tandem alerts list`)."""
    session = get_session()
    scope = user_scope(session)
    filters = listing.parse_filters(session, scope, request.args)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for a in listing.alerts(session, scope, filters, limit=100_000):
        writer.writerow([a.id, _safe(a.touchpoint.code), _safe(a.team.code), a.metric, a.kind, a.severity, a.status,
                         a.began_on, a.detected_on, a.last_seen_on, a.baseline, a.baseline_n, a.current,
                         a.current_n, a.drop, a.low, a.high, a.p_value, a.q_value, a.escalation_level])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="tandem-alerts.csv"'})


def _safe(text: str) -> str:
    # A code starting with =, +, - or @ would run as a formula in a spreadsheet.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def render_detail(alert: Alert, status: int = 200, **forms):
    """One alert's page; `forms` carries posted forms with their errors back to the page."""
    session = get_session()
    now = utcnow()
    forms = {"confirm_form": ConfirmForm(formdata=None), "resolve_form": ResolveForm(formdata=None),
             "dismiss_form": DismissForm(formdata=None), **forms}
    action = session.get(Action, alert.action_id) if alert.action_id else None
    from surveys.alerts import evidence

    ev = evidence.evidence(session, alert, now.date())
    found = hints(alert.hints_json, current_app.config["MIN_GROUP_SIZE"])
    return render_template("alerts/detail.html", alert=alert, action=action, evidence=ev,
                           figure=evidence_figure(ev), hints=found, now=now,
                           clock=escalation.clock(alert, settings()), moves=TRANSITIONS[alert.status],
                           is_open=alert.status in OPEN_ALERT_STATUSES, **forms), status


@bp.route("/alerts/<int:alert_id>")
@roles_required(*STAFF)
def detail(alert_id: int):
    """An alert: its numbers, evidence chart, root-cause hints, history and buttons."""
    session = get_session()
    return render_detail(get_alert(session, alert_id, user_scope(session)))
