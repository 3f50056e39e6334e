"""Serve a report page or export from the database cache (surveys.insights.cache) while its data is unchanged.

The cached part is the page's content only (between base.html's content markers): the header, with the
reader's name and the sign-out form's CSRF token, is rendered afresh for every request. `tandem tick`
renders each report's default organisation-wide page into the cache after the data changes
(`refresh`), so the first executive to open it after new answers arrive does not wait either. An export
file (CSV, JSON, XLSX, PDF) is stored whole the first time it is built, under the same rules and key parts
plus its format, so the next reader of the same export with the same filters and scope gets the same bytes.
"""
from __future__ import annotations

import base64
import json
from collections.abc import Callable

from flask import render_template
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError

from surveys.insights import cache
from surveys.insights.figures import ParamError
from webapp.db import get_session

START, END = "<!--tandem:content-->", "<!--/tandem:content-->"
NEVER_CACHED = {"comments", "actions"}  # comments: erasable, random order; actions change without new answers
FORMATS = ("csv", "json", "xlsx", "pdf")


def cacheable(name: str, args) -> bool:
    """True for pages that hold no free text (comments, customer verbatims)."""
    return name not in NEVER_CACHED and not args.get("verbatims")


def page_key(name: str, args, scope, settings) -> str:
    """The cache key of a page: report, filters, the reader's scope (None: the organisation), settings."""
    items = sorted(args.items(multi=True)) if hasattr(args, "getlist") else sorted(args.items())
    return cache.key(name, items, None if scope.team_ids is None else sorted(scope.team_ids), settings)


def _store(page: str, version: str, title: str, html: str) -> None:
    start, end = html.find(START), html.find(END)
    if start < 0 or end <= start:
        return
    body = html[start + len(START):end]
    _put(page, version, json.dumps({"title": title, "html": body, "charts": 'class="vega-spec"' in body}))


def _put(page: str, version: str, entry: str) -> None:
    try:
        writer = get_session(read_only=False)
        cache.put(writer, page, version, entry)
        writer.commit()
    except SQLAlchemyError:  # a reader storing the same page at the same moment: theirs will do
        get_session(read_only=False).rollback()


def export(name: str, fmt: str, args, scope, settings,
           make: Callable[[], tuple[str | bytes, dict, int]]) -> tuple[str | bytes, dict, int]:
    """An export as (body, the report's parameters, its row count): from the cache, or `make()` stored."""
    if not cacheable(name, args):
        return make()
    session = get_session()
    page, version = page_key(f"{name}.{fmt}", args, scope, settings), cache.data_version(session)
    stored = cache.get(session, page, version)
    if stored is not None:
        entry = json.loads(stored)
        body = base64.b64decode(entry["body"]) if entry["binary"] else entry["body"]
        return body, entry["params"], entry["rows"]
    body, params, rows = make()
    binary = isinstance(body, bytes)
    _put(page, version, json.dumps({"binary": binary, "body": base64.b64encode(body).decode() if binary else body,
                                    "params": params, "rows": rows}))
    return body, params, rows


def serve(name: str, args, scope, settings, render: Callable[[], tuple[str, str]]):
    """The page from the cache, or `render()` -> (title, full HTML) stored for the next reader."""
    session = get_session()
    page, version = page_key(name, args, scope, settings), cache.data_version(session)
    stored = cache.get(session, page, version)
    if stored is not None:
        entry = json.loads(stored)
        # Markup: the body is HTML this app rendered from its own templates (autoescaped) earlier.
        return render_template("reports/_cached.html", title=entry["title"], charts=entry["charts"],
                               body=Markup(entry["html"]))  # nosec B704
    title, html = render()
    _store(page, version, title, html)
    return html


def refresh(app, names, settings) -> int:
    """Render the default organisation-wide page of each report in `names` whose cached copy is stale.

    Returns how many were rendered. Runs in `tandem tick` (no signed-in user: the header is not
    stored); a report that cannot be built yet (no program, no wave) is skipped.
    """
    from surveys.insights.reports import build
    from surveys.insights.reports.params import ReportParams, Scope

    done = 0
    for name in names:
        if not cacheable(name, {}):
            continue
        with app.test_request_context(f"/reports/{name}"):
            session = get_session(read_only=True)
            page, version = page_key(name, {}, Scope(None), settings), cache.data_version(session)
            if cache.get(session, page, version) is not None:
                continue
            try:
                report = build(session, name, ReportParams(), Scope(None), settings)
            except ParamError:
                continue
            html = render_template(f"reports/{name}.html", report=report, name=name, args={},
                                   formats=FORMATS)
            _store(page, version, report.title, html)
            done += 1
    return done
