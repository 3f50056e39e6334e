"""The leadership report pages and their exports, one route pair for every report in the registry.

`/reports/NAME` renders `reports/NAME.html`; `/reports/NAME.csv`, `.json`, `.xlsx` and `.pdf` export what
the page shows with the same filters. The statistics stack loads inside the views (see views.py).
"""
from __future__ import annotations

from flask import Response, abort, render_template, request
from flask_login import current_user

from surveys import audit
from surveys.insights.figures import ParamError
from webapp.auth import roles_required
from webapp.db import get_session
from webapp.reports import params as report_params
from webapp.reports.views import ORG_ONLY, bp

STAFF = ("executive", "hr_admin", "team_lead")
FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf"}


def _allowed(name: str) -> None:
    from surveys.insights.reports import REPORTS, available

    if name not in REPORTS or not available(name):
        abort(404)
    if name in ORG_ONLY and current_user.role == "team_lead":
        abort(403)


def build_for_user(name: str, args):
    """The report `name` built for the signed-in user from request-like `args` (ParamError if bad)."""
    from surveys.insights.reports import build

    session = get_session()
    return build(session, name, report_params.parse(args), report_params.scope_of(session, current_user),
                 report_params.settings())


@bp.route("/<name>")
@roles_required(*STAFF)
def page(name: str):
    _allowed(name)
    from surveys.insights.reports import REPORTS

    from webapp.reports import cached

    def render() -> tuple[str, str]:
        report = build_for_user(name, request.args)
        return report.title, render_template(f"reports/{name}.html", report=report, name=name,
                                             args=request.args, formats=FORMATS)

    try:
        if not cached.cacheable(name, request.args):
            return render()[1]
        session = get_session()
        return cached.serve(name, request.args, report_params.scope_of(session, current_user),
                            report_params.settings(), render)
    except ParamError as exc:
        return render_template("reports/_error.html", name=name, title=REPORTS[name], error=exc), 400


@bp.route("/<name>/charts/<chart>.<fmt>")
@roles_required(*STAFF)
def chart(name: str, chart: str, fmt: str):
    """One chart of a report as an SVG or PNG file (vl-convert, offline), with the page's filters."""
    _allowed(name)
    if fmt not in ("svg", "png"):
        abort(404)
    try:
        report = build_for_user(name, request.args)
    except ParamError as exc:
        abort(400, exc.message)
    found = report.chart(chart)
    if found is None:
        abort(404)
    import vl_convert as vlc

    spec = found.spec()
    body = vlc.vegalite_to_svg(spec) if fmt == "svg" else vlc.vegalite_to_png(spec, scale=2)
    mimetype = "image/svg+xml" if fmt == "svg" else "image/png"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="tandem-{name}-{chart}.{fmt}"'})


@bp.route("/<name>.<fmt>")
@roles_required(*STAFF)
def export(name: str, fmt: str):
    _allowed(name)
    from surveys.insights.reports import EXPORTABLE

    if fmt not in FORMATS or name not in EXPORTABLE:
        abort(404)
    from webapp.reports import cached

    def make() -> tuple[str | bytes, dict, int]:
        report = build_for_user(name, request.args)
        return _body(report, fmt), dict(report.params), len(report.figures)

    try:
        body, params, rows = cached.export(name, fmt, request.args,
                                           report_params.scope_of(get_session(), current_user),
                                           report_params.settings(), make)
    except ParamError as exc:
        abort(400, exc.message)
    session = get_session(read_only=False)
    audit.record(session, current_user.id, "export.report", "report", None, report=name, format=fmt,
                 parameters=params, rows=rows)
    session.commit()
    filename = f"tandem-{name}-{params.get('wave') or 'latest'}.{fmt}".replace(" ", "_")
    return Response(body, mimetype=FORMATS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _body(report, fmt: str) -> str | bytes:
    """The export file of `report` in `fmt` (the writers live in surveys/exports)."""
    from surveys.exports import reports as export_formats

    if fmt == "csv":
        return export_formats.to_csv(report)
    if fmt == "json":
        return export_formats.to_json(report)
    if fmt == "xlsx":
        from surveys.exports.xlsx import to_xlsx

        return to_xlsx(report)
    from surveys.exports.pdf import chart_images, to_pdf

    return to_pdf(report, chart_images(report))
