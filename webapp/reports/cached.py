"""Serve a report page from the database cache (surveys.insights.cache) when its data has not changed.

The cached part is the page's content only (between base.html's content markers): the header, with the
reader's name and the sign-out form's CSRF token, is rendered afresh for every request.
"""
from __future__ import annotations

import json
from collections.abc import Callable

from flask import render_template
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError

from surveys.insights import cache
from webapp.db import get_session

START, END = "<!--tandem:content-->", "<!--/tandem:content-->"
NEVER_CACHED = {"comments"}  # comment texts must stay erasable by retention, and come in random order


def cacheable(name: str, args) -> bool:
    """True for pages that hold no free text (comments, customer verbatims)."""
    return name not in NEVER_CACHED and not args.get("verbatims")


def serve(name: str, args, scope, settings, role: str, render: Callable[[], tuple[str, str]]):
    """The page from the cache, or `render()` -> (title, full HTML) stored for the next reader."""
    session = get_session()
    page_key = cache.key(name, sorted(args.items(multi=True)),
                         None if scope.team_ids is None else sorted(scope.team_ids), settings, role)
    version = cache.data_version(session)
    stored = cache.get(session, page_key, version)
    if stored is not None:
        entry = json.loads(stored)
        # Markup: the body is HTML this app rendered from its own templates (autoescaped) a moment ago.
        return render_template("reports/_cached.html", title=entry["title"], charts=entry["charts"],
                               body=Markup(entry["html"]))  # nosec B704
    title, html = render()
    start, end = html.find(START), html.find(END)
    if start >= 0 and end > start:
        body = html[start + len(START):end]
        try:
            writer = get_session(read_only=False)
            cache.put(writer, page_key, version, json.dumps({"title": title, "html": body,
                                                             "charts": 'class="vega-spec"' in body}))
            writer.commit()
        except SQLAlchemyError:  # a reader storing the same page at the same moment: theirs will do
            get_session(read_only=False).rollback()
    return html
