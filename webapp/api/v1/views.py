"""GET /api/v1/reports/NAME: the same JSON as `tandem report NAME --format json`, for the token's owner.

Parameters are those of the page (program, wave, unit, compare and the report's own options); the
scope is the token owner's as it is now (a team lead's subtree). Every error is JSON.
"""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request, url_for

from surveys import audit
from surveys.insights.figures import ParamError
from webapp.api.v1.auth import Refused, authenticate
from webapp.db import get_session
from webapp.reports import params as report_params
from webapp.reports.views import ORG_ONLY

bp = Blueprint("v1", __name__)
JSON = "application/json"


@bp.errorhandler(Refused)
def _refused(exc: Refused):
    return exc.response()


def served(role: str) -> list[str]:
    """The reports the API serves to a role: every exportable report whose module exists."""
    from surveys.insights.reports import EXPORTABLE, available

    return [n for n in EXPORTABLE if available(n) and not (n in ORG_ONLY and role == "team_lead")]


@bp.route("/reports")
def reports():
    """The reports this token may read, with their URLs."""
    use = authenticate()
    from surveys.insights.reports import REPORTS

    items = [{"name": n, "title": REPORTS[n], "url": url_for(".report", name=n)} for n in served(use.person.role)]
    resp = jsonify({"reports": items})
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.route("/reports/<name>")
def report(name: str):
    """One report as JSON, built for the token owner's scope with the query's parameters."""
    use = authenticate()
    from surveys.exports import reports as export_formats
    from surveys.insights.reports import EXPORTABLE, REPORTS, available, build

    if name in ORG_ONLY and use.person.role == "team_lead":
        raise Refused(403, f"The {REPORTS[name]} report covers the whole organisation: executives and HR only.")
    if name not in EXPORTABLE or not available(name):
        extra = " (comments are never exported in bulk)" if name in REPORTS and name not in EXPORTABLE else ""
        raise Refused(404, f"No report named '{name}' in the API{extra}. The list is at /api/v1/reports.")
    session = get_session()
    try:
        rep = build(session, name, report_params.parse(request.args), report_params.scope_of(session, use.person),
                    report_params.settings())
    except ParamError as exc:
        raise Refused(400, exc.message, parameter=exc.param) from None
    body = export_formats.to_json(rep)
    db = get_session(read_only=False)
    audit.record(db, use.person.id, "export.report", "report", None, report=name, format="api",
                 token=use.token_id, parameters=dict(rep.params), rows=len(rep.figures))
    db.commit()
    return Response(body, mimetype=JSON, headers={"Cache-Control": "no-store"})


@bp.route("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API (public: it holds no data)."""
    from webapp.api.v1.openapi import document

    return jsonify(document())
