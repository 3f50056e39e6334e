"""Business outcomes (`period,unit,metric,value,n`, optionally `label,direction,unit_of_measure`): churn, retention,
revenue, complaints... per team or touchpoint and period, checked row by row, all or nothing.

A touchpoint's row is also attributed to its owning team (team_id + touchpoint_id). Re-importing the same
period, unit and metric replaces the value (the report lists each replacement, and the import's audit event
counts them). Metrics not in Tandem yet are created from the file's label and direction, or from the
built-in list below.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.ingestion import cells
from surveys.ingestion import outcome_cells as oc
from surveys.ingestion.csvio import CsvSource
from surveys.ingestion.history import lock_file, record_import
from surveys.ingestion.report import ImportResult, Report, RowCheck
from surveys.models import Team, Touchpoint, utcnow
from surveys.models.voice import Outcome, OutcomeMetric

REQUIRED_COLUMNS = ("period", "unit", "metric", "value")
OPTIONAL_COLUMNS = ("n", "label", "direction", "unit_of_measure")
OUTCOME_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
ALIASES = {"team": "unit", "team_code": "unit", "touchpoint": "unit", "code": "unit", "customers": "n",
           "accounts": "n", "measure": "unit_of_measure", "uom": "unit_of_measure"}
RATE_UNIT = "%"  # a metric measured in % is a rate: averaged (n-weighted) across units, never added up


@dataclass(frozen=True)
class BuiltIn:
    """A metric Tandem knows without the file naming its label and direction."""

    label: str
    higher_is_better: bool
    unit: str


BUILTIN: dict[str, BuiltIn] = {
    "churn_rate": BuiltIn("Churn rate", False, RATE_UNIT),
    "complaints": BuiltIn("Complaints", False, ""),
    "retention": BuiltIn("Retention", True, RATE_UNIT),
    "revenue": BuiltIn("Revenue", True, ""),
    "repeat_rate": BuiltIn("Repeat purchase rate", True, RATE_UNIT),
}
LOCK_KEY = hashlib.sha256(b"tandem import outcomes").hexdigest()


@dataclass(frozen=True)
class OutcomeRow:
    """One valid row of the file."""

    line: int
    period: oc.Period
    unit_code: str
    team_id: int
    touchpoint_id: int | None
    metric: str
    value: float
    n: int | None

    @property
    def unit_key(self) -> str:
        return f"touchpoint:{self.touchpoint_id}" if self.touchpoint_id is not None else f"team:{self.team_id}"

    @property
    def key(self) -> tuple:
        return self.metric, self.period.start, self.period.end, self.unit_key


def _canonical(raw: str) -> str | None:
    name = raw.strip().lower().replace(" ", "_").replace("-", "_")
    name = ALIASES.get(name, name)
    return name if name in OUTCOME_COLUMNS else None


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def import_outcomes(session: Session, file_obj, *, dry_run: bool = False, actor_id: int | None = None,
                    today: dt.date | None = None) -> ImportResult:
    """Check every row, then create or replace the outcome figures (all or nothing); flushes only when valid."""
    today = today or utcnow().date()
    source = file_obj if isinstance(file_obj, CsvSource) else CsvSource(file_obj)
    report = Report("outcomes", dry_run)
    if source.read_header(report, required=REQUIRED_COLUMNS, optional=OPTIONAL_COLUMNS,
                          canonical=_canonical) is None:
        return report.result()
    if not dry_run:
        lock_file(session, LOCK_KEY)
    known = {m.name: m for m in session.scalars(select(OutcomeMetric))}
    rows, metrics = _check_rows(session, source, report, known, today)
    new_metrics = {name: spec for name, spec in metrics.items() if name not in known}
    changed_metrics = {name: spec for name, spec in metrics.items()
                       if name in known and spec != (known[name].label, known[name].higher_is_better, known[name].unit)}
    for name, (label, higher, unit) in new_metrics.items():
        report.change(f"create metric {name} '{label}' ({'higher' if higher else 'lower'} is better"
                      f"{', in ' + unit if unit else ''})")
    for name, (label, higher, unit) in changed_metrics.items():
        report.change(f"update metric {name}: '{label}', {'higher' if higher else 'lower'} is better"
                      f"{', in ' + unit if unit else ''}")
    existing = _existing(session, rows)
    for row in rows:
        old = existing.get(row.key)
        what = f"{row.metric} {row.period.label} {row.unit_code}"
        if old is None:
            report.created += 1
            counted = f" (n {row.n})" if row.n is not None else ""
            report.change(f"line {row.line}: add {what} = {row.value:g}{counted}")
        elif (old.value, old.n) == (row.value, row.n):
            report.unchanged += 1
        else:
            report.updated += 1
            report.change(f"line {row.line}: replace {what}: {_fmt(old.value)} → {row.value:g}"
                          + (f", n {_fmt(old.n)} → {_fmt(row.n)}" if old.n != row.n else ""))
    if report.updated:
        report.note("A figure for the same period, unit and metric as one already in Tandem replaces it "
                    "(the old values are listed above and counted in the audit trail).")
    _rate_hint(report, rows, {**{k: v.unit for k, v in known.items()}, **{k: v[2] for k, v in metrics.items()}})
    if report.error_count or dry_run:
        return report.result()
    _write(session, rows, existing, new_metrics, changed_metrics, known)
    record_import(session, actor_id, "outcomes", "outcome", None, rows=report.rows, filename=source.name,
                  sha256=source.sha256, summary=report.result().summary(), replaced=report.updated,
                  metrics=sorted({r.metric for r in rows}))
    session.flush()
    return report.result()


def _rate_hint(report: Report, rows: list[OutcomeRow], units: dict[str, str]) -> None:
    """Rates are in percent; a rate whose every value is at most 1 was most likely written as a fraction."""
    for metric in sorted({r.metric for r in rows if units.get(r.metric) == RATE_UNIT}):
        values = [r.value for r in rows if r.metric == metric]
        if values and max(abs(v) for v in values) <= 1 and any(values):
            report.note(f"Every {metric} value is at most 1: rates are read in percent (3.2 means 3.2%). If the "
                        "file holds fractions (0.032), multiply them by 100 and import again.")


def _check_rows(session: Session, source: CsvSource, report: Report, known: dict, today: dt.date):
    """(valid rows, {metric: (label, higher_is_better, unit)} for the metrics the file uses)."""
    teams = dict(session.execute(select(Team.code, Team.id)).all())
    touchpoints = {code: (tp_id, team_id) for code, tp_id, team_id in session.execute(
        select(Touchpoint.code, Touchpoint.id, Touchpoint.team_id))}
    lowered = cells.by_lower([*teams, *touchpoints])
    given: dict[str, tuple[int, tuple]] = {}  # metric -> (first line that describes it, (label, higher, unit))
    first_use: dict[str, int] = {}
    seen: dict[tuple, int] = {}
    rows: list[OutcomeRow] = []
    for line, raw in source.rows(report):
        report.rows += 1
        check = RowCheck(report, line)
        period = check.cell("period", oc.period, raw["period"], today)
        unit = _unit(check, raw["unit"].strip(), teams, touchpoints, lowered)
        metric = check.cell("metric", oc.slug, raw["metric"])
        value = check.cell("value", oc.number, raw["value"])
        n = check.cell("n", oc.count, raw.get("n", ""))
        label = raw.get("label", "").strip()
        if len(label) > 120:
            check.fail("label", "The label is longer than 120 characters.")
        higher = check.cell("direction", oc.direction, raw.get("direction", ""))
        measure = raw.get("unit_of_measure", "").strip()
        if len(measure) > 20:
            check.fail("unit_of_measure", "The unit of measure is longer than 20 characters (e.g. %, EUR).")
        if metric and (label or higher is not None or measure):
            description = (label, higher, measure)
            if metric in given and given[metric][1] != description:
                check.fail("metric", f"The label, direction or unit of measure of {metric} differs from line "
                                     f"{given[metric][0]}; give them once, or the same on every line.")
            given.setdefault(metric, (line, description))
        if metric:
            first_use.setdefault(metric, line)
        if not check.ok:
            continue
        row = OutcomeRow(line, period, unit[0], unit[1], unit[2], metric, value, n)
        if row.key in seen:
            check.fail(None, f"The same period, unit and metric as line {seen[row.key]}; give each figure once.")
            continue
        seen[row.key] = line
        rows.append(row)
    specs = {}
    for metric, line in first_use.items():
        spec = _spec(metric, given.get(metric, (0, ("", None, "")))[1], known)
        if spec is None:
            report.error(line, "direction", f"'{metric}' is a new metric: say whether higher or lower is better in "
                                            "a direction column (higher or lower), and give it a label.")
        else:
            specs[metric] = spec
    valid = []
    for row in rows:
        spec = specs.get(row.metric)
        if spec is None:
            continue
        if spec[2] == RATE_UNIT and not 0 <= row.value <= 100:
            report.error(row.line, "value", f"{row.value:g} is not a percentage from 0 to 100 ({row.metric} is a "
                                            "rate in %).")
            continue
        valid.append(row)
    return valid, specs


def _unit(check: RowCheck, code: str, teams: dict, touchpoints: dict, lowered: dict):
    """(code, team id, touchpoint id or None); `team:CODE` or `touchpoint:CODE` settles a code used by both."""
    kind, sep, rest = code.partition(":")
    if sep and kind.lower() in ("team", "touchpoint"):
        code = rest.strip()
        teams = teams if kind.lower() == "team" else {}
        touchpoints = touchpoints if kind.lower() == "touchpoint" else {}
    if not code:
        check.fail("unit", "The unit is blank; give a team code or a touchpoint code.")
        return None
    if code in teams and code in touchpoints:
        check.fail("unit", f"'{code}' is both a team and a touchpoint code; write team:{code} or touchpoint:{code}.")
        return None
    if code in teams:
        return code, teams[code], None
    if code in touchpoints:
        return code, touchpoints[code][1], touchpoints[code][0]
    hint = cells.did_you_mean(code, lowered)
    check.fail("unit", f"Unknown unit '{code[:50]}': no team or touchpoint has this code.{hint} Import the "
                       "organisation and touchpoints first.")
    return None


def _spec(metric: str, given: tuple, known: dict) -> tuple | None:
    """The metric's (label, higher_is_better, unit): the file's words over Tandem's, over the built-in list."""
    base, builtin = known.get(metric), BUILTIN.get(metric)
    if base is not None:
        default = (base.label, base.higher_is_better, base.unit)
    elif builtin is not None:
        default = (builtin.label, builtin.higher_is_better, builtin.unit)
    else:
        default = (metric.replace("_", " ").capitalize(), None, "")
    label, higher, measure = given
    spec = (label or default[0], default[1] if higher is None else higher, measure or default[2])
    return None if spec[1] is None else spec


def _existing(session: Session, rows: list[OutcomeRow]) -> dict[tuple, Outcome]:
    """Outcomes already stored for the metrics and periods of the file, by their unique key."""
    if not rows:
        return {}
    found = session.scalars(select(Outcome).where(Outcome.metric.in_({r.metric for r in rows}),
                                                  Outcome.period_start.in_({r.period.start for r in rows})))
    return {(o.metric, o.period_start, o.period_end, o.unit_key): o for o in found}


def _write(session: Session, rows: list[OutcomeRow], existing: dict, new_metrics: dict, changed_metrics: dict,
           known: dict) -> None:
    for name, (label, higher, unit) in new_metrics.items():
        session.add(OutcomeMetric(name=name, label=label, higher_is_better=higher, unit=unit))
    for name, (label, higher, unit) in changed_metrics.items():
        metric = known[name]
        metric.label, metric.higher_is_better, metric.unit = label, higher, unit
    session.flush()
    now = utcnow()
    for row in rows:
        old = existing.get(row.key)
        if old is None:
            session.add(Outcome(metric=row.metric, period_start=row.period.start, period_end=row.period.end,
                                period_label=row.period.label, team_id=row.team_id, touchpoint_id=row.touchpoint_id,
                                unit_key=row.unit_key, value=row.value, n=row.n, imported_at=now))
        elif (old.value, old.n) != (row.value, row.n):
            old.value, old.n, old.period_label, old.team_id, old.imported_at = \
                row.value, row.n, row.period.label, row.team_id, now
