"""`tandem alerts scan` (evaluate days for breakdowns) and `tandem alerts list` (print the alerts)."""
from __future__ import annotations

import datetime as dt
import io
import json
import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from surveys.exports.csvsafe import write_rows
from surveys.models import Team, Touchpoint, utcnow
from surveys.models.alerts import ALERT_STATUSES, Alert
from webapp.db import get_session

FIELDS = ("id", "touchpoint", "team", "metric", "kind", "severity", "status", "began", "detected", "last_seen",
          "recovered", "baseline", "baseline_n", "current", "current_n", "drop", "low", "high", "p", "q")


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(2)


def _date(text: str | None, name: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        _fail(f"{name} '{text}' is not a date such as 2026-11-30")


@click.group("alerts", help="Breakdown alerts: scan the customer series, list the alerts.")
def alerts_group():
    pass


@alerts_group.command("scan")
@click.option("--as-of", "as_of", metavar="DATE", help="Evaluate every unscanned day up to DATE (default: yesterday).")
@click.option("--rescan", is_flag=True, help="Forget the days already scanned and evaluate them again.")
@with_appcontext
def scan_command(as_of, rescan):
    """Evaluate every unscanned day up to DATE for sudden drops, shifts, missed goals and emerging themes."""
    day = _date(as_of, "--as-of") or utcnow().date() - dt.timedelta(days=1)
    session = get_session()
    from surveys.alerts import scan as alert_scan  # the statistics stack: loaded only by this command

    res = alert_scan.scan(session, day, alert_scan.settings_from_config(current_app.config), rescan=rescan)
    session.commit()
    click.echo(f"alerts scan to {day.isoformat()}: days scanned {res.days}, tests {res.tests}, raised {res.raised}, "
               f"updated {res.updated}, recovered {res.recovered}")


def _num(x, digits=2):
    return None if x is None else round(float(x), digits)


def alert_record(a: Alert) -> dict:
    """One alert as the JSON/CSV/table row (hints parsed)."""
    return {"id": a.id, "touchpoint": a.touchpoint.code, "team": a.team.code, "metric": a.metric, "kind": a.kind,
            "severity": a.severity, "status": a.status, "began": a.began_on.isoformat(),
            "detected": a.detected_on.isoformat(), "last_seen": a.last_seen_on.isoformat(),
            "recovered": a.recovered_on.isoformat() if a.recovered_on else None,
            "baseline": _num(a.baseline), "baseline_n": a.baseline_n, "current": _num(a.current),
            "current_n": a.current_n, "drop": _num(a.drop), "low": _num(a.low), "high": _num(a.high),
            "p": a.p_value, "q": a.q_value, "hints": json.loads(a.hints_json or "{}")}


@alerts_group.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--status", default=None, help=f"One of {', '.join(ALERT_STATUSES)}, or 'open'.")
@click.option("--team", "team_code", default=None, help="Owning team code.")
@click.option("--touchpoint", "touchpoint_code", default=None, help="Touchpoint code.")
@with_appcontext
def list_command(fmt, status, team_code, touchpoint_code):
    """Print the alerts, newest detection first."""
    if status is not None and status not in ALERT_STATUSES + ("open",):
        _fail(f"--status '{status}' is not one of {', '.join(ALERT_STATUSES)}, open")
    session = get_session()
    stmt = select(Alert).options(joinedload(Alert.touchpoint), joinedload(Alert.team))
    if status == "open":
        stmt = stmt.where(Alert.open_key.is_not(None))
    elif status:
        stmt = stmt.where(Alert.status == status)
    if team_code:
        team = session.scalar(select(Team).where(Team.code == team_code))
        if team is None:
            _fail(f"--team '{team_code}' is not a team code")
        stmt = stmt.where(Alert.team_id == team.id)
    if touchpoint_code:
        tp = session.scalar(select(Touchpoint).where(Touchpoint.code == touchpoint_code))
        if tp is None:
            _fail(f"--touchpoint '{touchpoint_code}' is not a touchpoint code")
        stmt = stmt.where(Alert.touchpoint_id == tp.id)
    rows = [alert_record(a) for a in session.scalars(stmt.order_by(Alert.detected_on.desc(), Alert.id))]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
    elif fmt == "csv":
        out = io.StringIO()
        write_rows(out, FIELDS + ("hints",), ([r[f] for f in FIELDS] + [json.dumps(r["hints"])] for r in rows))
        click.echo(out.getvalue(), nl=False)
    else:
        _table(rows)


def _table(rows: list[dict]) -> None:
    cols = ("id", "touchpoint", "team", "metric", "kind", "severity", "status", "began", "detected", "drop", "low",
            "high", "current_n")
    text = [[("" if r[c] is None else str(r[c])) for c in cols] for r in rows]
    widths = [max([len(c)] + [len(t[i]) for t in text]) for i, c in enumerate(cols)]
    click.echo("  ".join(c.ljust(w) for c, w in zip(cols, widths)))
    for t in text:
        click.echo("  ".join(v.ljust(w) for v, w in zip(t, widths)))
    if not rows:
        click.echo("(no alerts)")
