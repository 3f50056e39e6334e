"""The public known-issues page and its Atom feed: no sign-in, only the text staff wrote for customers.

Pages are branded like the survey pages. Anonymous visitors may have a page cached for a few minutes
(`public, max-age`); a signed-in member of staff sees the staff menu, so their copy is never cached.
"""
from __future__ import annotations

from flask import Blueprint, current_app, make_response, render_template, url_for
from flask_login import current_user

from surveys.errors import NotFound
from surveys.models import utcnow
from surveys.org import branding
from surveys.publicity import known_issues as service
from webapp.db import get_session

bp = Blueprint("known_issues", __name__)
PUBLIC_CACHE = "public, max-age=300"


@bp.context_processor
def _branding():
    return {"brand": branding.get_branding(get_session()), "status_labels": service.STATUS_LABELS}


def _cached(response):
    if current_user.is_authenticated:
        response.headers["Cache-Control"] = "private, no-store"
    else:
        response.headers["Cache-Control"] = PUBLIC_CACHE
    response.headers["Vary"] = "Cookie"
    return response


@bp.route("/known-issues")
def index():
    """Published issues: open ones first, then those fixed in the last 90 days."""
    issues = service.public_issues(get_session())
    return _cached(make_response(render_template("known_issues/index.html", issues=issues,
                                                 days=service.FIXED_SHOWN_DAYS)))


@bp.route("/known-issues/<int:issue_id>")
def show(issue_id: int):
    """One published issue with its dated updates."""
    try:
        issue = service.published_issue(get_session(), issue_id)
    except NotFound:
        return _cached(make_response(render_template("known_issues/not_found.html"), 404))
    return _cached(make_response(render_template("known_issues/show.html", issue=issue)))


@bp.route("/known-issues.atom")
def feed():
    """The public list as an Atom 1.0 feed (RFC 4287)."""
    session = get_session()
    issues = service.public_issues(session)
    base = current_app.config["BASE_URL"].rstrip("/")
    brand = branding.get_branding(session)
    updated = max((i.updated_at for i in issues), default=None) or utcnow().replace(microsecond=0)
    body = render_template("known_issues/feed.xml", issues=issues, base=base, org=brand.name, updated=updated,
                           page=base + url_for("known_issues.index"), self_url=base + url_for("known_issues.feed"))
    response = make_response(body)
    response.mimetype = "application/atom+xml"
    response.headers["Cache-Control"] = PUBLIC_CACHE
    return response
