"""Report parameters and scope from a request or CLI options, the same way for pages, exports and the API."""
from __future__ import annotations

from collections.abc import Mapping

from flask import current_app

from surveys.insights.figures import ParamError
from surveys.insights.reports.params import ReportParams, ReportSettings, Scope
from surveys.org import hierarchy

COMMON = ("program", "wave", "unit", "compare")
MAX_PARAM = 200  # longer values are never valid codes or labels: refuse them before any query


def settings() -> ReportSettings:
    """The report settings of the running app."""
    c = current_app.config
    return ReportSettings(c["MIN_GROUP_SIZE"], c["MIN_COMMENT_GROUP_SIZE"], float(c["PROCESS_TARGET"]),
                          c["LINKAGE_MIN_TEAMS"])


def parse(args: Mapping[str, str], ignore: tuple[str, ...] = ("format",)) -> ReportParams:
    """ReportParams from query arguments: the common ones by name, everything else as options."""
    for name, value in args.items():
        if len(value) > MAX_PARAM:
            raise ParamError(name, f"{name} is too long ({len(value)} characters; at most {MAX_PARAM}).")
    options = {k: v for k, v in args.items() if k not in COMMON and k not in ignore and v != ""}
    return ReportParams(program=args.get("program") or None, wave=args.get("wave") or None,
                        unit=args.get("unit") or None, compare=args.get("compare") or "org", options=options)


def scope_of(session, user) -> Scope:
    """What a staff user may see: executives and HR the whole organisation, a team lead their subtree."""
    if user.role in ("executive", "hr_admin"):
        return Scope(None)
    return Scope(frozenset(hierarchy.lead_scope(session, user.id, user.team_id)))
