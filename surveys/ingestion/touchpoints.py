"""Touchpoint import (`code,name,channel,team_code`): an idempotent upsert by code that never deletes."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from surveys.errors import ValidationError
from surveys.ingestion import cells
from surveys.ingestion.csvio import CsvSource
from surveys.ingestion.history import record_import
from surveys.ingestion.org_plan import chunks
from surveys.ingestion.report import ImportResult, Report, RowCheck
from surveys.models import Team, Touchpoint
from surveys.org import touchpoints as rules

TOUCHPOINT_COLUMNS = ("code", "name", "channel", "team_code")


def _cell(rule):
    """A cell parser from a rule of the touchpoint form, so both refuse the same values alike."""
    def parse(raw: str) -> str:
        try:
            return rule(raw)
        except ValidationError as exc:
            raise cells.CellError(exc.message) from None
    return parse


CODE, NAME, CHANNEL = _cell(rules.clean_code), _cell(rules.clean_name), _cell(rules.clean_channel)


def import_touchpoints(session: Session, file_obj, *, dry_run: bool = False,
                       actor_id: int | None = None) -> ImportResult:
    """Check every row, then create new touchpoints and update changed ones; flushes only when valid."""
    source = file_obj if isinstance(file_obj, CsvSource) else CsvSource(file_obj)
    report = Report("touchpoints", dry_run)
    if source.read_header(report, required=TOUCHPOINT_COLUMNS) is None:
        return report.result()
    team_ids = dict(session.execute(select(Team.code, Team.id)).all())
    team_codes = {v: k for k, v in team_ids.items()}
    team_lower = cells.by_lower(team_ids)
    current = {r[0]: r[1:] for r in session.execute(
        select(Touchpoint.code, Touchpoint.id, Touchpoint.name, Touchpoint.channel, Touchpoint.team_id))}
    seen: dict[str, int] = {}
    new, changed = [], []
    counts: Counter[str] = Counter()
    for line, row in source.rows(report):
        report.rows += 1
        check = RowCheck(report, line)
        code = check.cell("code", CODE, row["code"])
        name = check.cell("name", NAME, row["name"])
        channel = check.cell("channel", CHANNEL, row["channel"])
        team = check.cell("team_code", cells.code, row["team_code"], "team code")
        if team and team not in team_ids:
            check.fail("team_code", f"Unknown team '{team}'.{cells.did_you_mean(team, team_lower)} Import the "
                       "organisation first.")
        if code in seen:
            check.fail("code", f"Touchpoint code '{code}' already appears on line {seen[code]}.")
        elif code:
            seen[code] = line
        if not check.ok:
            continue
        values = {"name": name, "channel": channel, "team_id": team_ids[team]}
        if code not in current:
            new.append({"code": code, **values})
            report.change(f"line {line}: create touchpoint {code} '{name}' ({channel}) for team {team}")
            counts["created"] += 1
            continue
        tp_id, old_name, old_channel, old_team = current[code]
        diffs = [f"{label} {old} → {new_}" for label, old, new_ in (
            ("name", f"'{old_name}'", f"'{name}'"), ("channel", old_channel, channel),
            ("team", team_codes.get(old_team), team)) if old != new_]
        if diffs:
            changed.append({"id": tp_id, **values})
            report.change(f"line {line}: update touchpoint {code}: {', '.join(diffs)}")
            counts["updated"] += 1
            counts["moved"] += old_team != team_ids[team]
        else:
            counts["unchanged"] += 1
    report.created, report.updated, report.unchanged = counts["created"], counts["updated"], counts["unchanged"]
    if counts["moved"]:
        report.note("Responses already collected keep the team they were given; only new ones follow a "
                    "touchpoint's new team.")
    if report.error_count or dry_run:
        return report.result()
    session.flush()
    for chunk in chunks(new):
        session.execute(insert(Touchpoint), chunk)
    for chunk in chunks(changed):
        session.execute(update(Touchpoint), chunk)
    record_import(session, actor_id, "touchpoints", "touchpoint", None, rows=report.rows, filename=source.name,
                  sha256=source.sha256, summary=report.result().summary())
    session.flush()
    session.expire_all()  # bulk statements bypass the identity map
    return report.result()
