"""Serve a report page from the database cache (surveys.insights.cache) when its data has not changed.

The cached part is the page's content only (between base.html's content markers): the header, with the
reader's name and the sign-out form's CSRF token, is rendered afresh for every request. `tandem tick`
renders each report's default organisation-wide page into the cache after the data changes
(`refresh`), so the first executive to open it after new answers arrive does not wait either.
"""
from __future__ import annotations

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
    try:
        writer = get_session(read_only=False)
        cache.put(writer, page, version, json.dumps({"title": title, "html": body,
                                                     "charts": 'class="vega-spec"' in body}))
        writer.commit()
    except SQLAlchemyError:  # a reader storing the same page at the same moment: theirs will do
        get_session(read_only=False).rollback()


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
