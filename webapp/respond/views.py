"""Respondent pages (employees and customers); no sign-in, links carry single-use tokens.

This module holds the blueprint and what its pages share: domain errors become plain respondent
pages (no staff navigation, no hint whether a link ever existed) and answers are read from forms.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge

from surveys.collection.public_links import NotCollecting, RateLimited, SpamRejected
from surveys.collection.opening import WaveNotOpen
from surveys.errors import AlreadySubmitted, Conflict, NotFound, TandemError
from surveys.org import branding
from webapp.db import get_session
from webapp.security import DEFAULT_PUBLIC_MAX_BYTES, TOO_LARGE

bp = Blueprint("respond", __name__)

SESSION_KEY = "respond_invitation"
KEY_KEY = "respond_draft_key"  # the draft key derived from the link's token (never the token itself)
DONE_KEY = "respond_done"
ANSWER_PREFIX = "q_"

# Page titles per error class, most specific first.
_TITLES = (
    (AlreadySubmitted, "Already submitted"),
    (WaveNotOpen, "This survey is not open"),
    (NotCollecting, "Not collecting feedback right now"),
    (RateLimited, "Please try again later"),
    (SpamRejected, "Your answers could not be accepted"),
    (NotFound, "This link is not valid"),
    (Conflict, "We cannot record your answers yet"),
)


@bp.after_request
def _no_referrer(response):
    # Survey links carry tokens: never leak them to other sites through the Referer header.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("Cache-Control", "no-store")  # only the logo sets its own
    return response


@bp.context_processor
def _branding():
    return {"brand": branding.get_branding(get_session())}


LOGO_MAX_AGE = 365 * 24 * 3600  # a versioned address never changes: a new logo gets a new ?v=


@bp.route("/logo")
def logo():
    """The organisation's logo (PNG or JPEG only), cacheable: its address carries its version."""
    image = branding.get_logo(get_session())
    if image is None:
        abort(404, "No logo has been uploaded.")
    response = Response(image.data, mimetype=image.content_type)
    response.set_etag(image.sha256)
    if request.args.get("v") == image.sha256[:12]:
        response.headers["Cache-Control"] = f"public, max-age={LOGO_MAX_AGE}, immutable"
    else:  # an old or missing version: serve the current logo, but let caches check again soon
        response.headers["Cache-Control"] = "public, max-age=300"
    # Served from Tandem's own address: it must never be treated as anything but an image.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Content-Disposition"] = "inline"
    return response.make_conditional(request)


# The organisation's colours as a style sheet: the Content-Security-Policy allows no inline style, and the
# colour is HR's choice. Only validated #rrggbb values reach it (surveys.org.branding).
BRAND_CSS = """\
body.branded header.top {{ background: {c}; border-bottom-color: {c}; }}
body.branded header.top .brand {{ color: {t}; display: inline-flex; align-items: center; gap: .6rem; }}
body.branded header.top .brand img {{ height: 2.5rem; width: auto; max-width: 12rem; }}
body.branded .respond button:not(.link):not(.secondary) {{ background: {c}; color: {t}; border: 1px solid {b}; }}
.brand-preview {{ background: {c}; color: {t}; }}
"""


@bp.route("/brand.css")
def brand_css():
    """The brand colour as CSS, cacheable like the logo: its address carries the colour (?v=rrggbb)."""
    brand = branding.get_branding(get_session())
    border = brand.text_colour if brand.text_colour == "#000000" else brand.colour
    response = Response(BRAND_CSS.format(c=brand.colour, t=brand.text_colour, b=border), mimetype="text/css")
    fresh = request.args.get("v") == brand.colour[1:]
    response.headers["Cache-Control"] = f"public, max-age={LOGO_MAX_AGE}, immutable" if fresh else "public, max-age=300"
    return response


def message_page(title: str, message: str, status: int):
    """A plain respondent page with one message."""
    return render_template("respond/message.html", title=title, message=message, status=status), status


EMPLOYEE_LINK_INVALID = ("Please check that you opened the whole link from your message. If you received a "
                         "reminder, use the link in the most recent message: it replaces the earlier one. If it "
                         "still does not work, ask whoever sent it for a new one.")
# Customers get no reminders, so their links have their own words.
CUSTOMER_LINK_INVALID = ("Please check that you typed the whole address, or scan the QR code again. If it still "
                         "does not work, the link may have been withdrawn; ask the people who served you for a "
                         "current one.")
CUSTOMER_ENDPOINTS = ("respond.public_form", "respond.public_submit", "respond.contact_link")


@bp.errorhandler(TandemError)
def domain_error_page(exc: TandemError):
    title = next((t for cls, t in _TITLES if isinstance(exc, cls)), "Something is not right")
    if isinstance(exc, NotFound):
        # Same words for an unknown, a mistyped and a foreign link of one kind: nothing hints that a link
        # exists. The kind comes from the route, never from what the token turned out to be.
        if request.endpoint in CUSTOMER_ENDPOINTS:
            return message_page("This feedback link is not valid", CUSTOMER_LINK_INVALID, 404)
        return message_page(title, EMPLOYEE_LINK_INVALID, 404)
    return message_page(title, exc.message, exc.status)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_exc: RequestEntityTooLarge):
    # Refused before the form was read (webapp.security): a respondent page, not the staff error page.
    kb = current_app.config.get("PUBLIC_MAX_BYTES", DEFAULT_PUBLIC_MAX_BYTES) // 1024
    return message_page("Your answers could not be sent", TOO_LARGE.format(kb=kb), 413)


def raw_answers(form: MultiDict) -> dict[str, list[str]]:
    """Answers posted by a generated form, by question code (every value listed, checked by the domain)."""
    return {key[len(ANSWER_PREFIX):]: form.getlist(key) for key in form if key.startswith(ANSWER_PREFIX)}


CONTACT_FIELDS = ("contact_consent", "contact_name", "contact_email", "contact_phone")
CONTACT_PROBLEM = "Please check your contact details below (or untick the box to send your feedback without them)."


def contact_values(form: MultiDict) -> dict[str, str]:
    """The posted "May we contact you?" block, to show again after a problem."""
    return {key: form.get(key, "") for key in CONTACT_FIELDS if form.get(key)}


def shown_values(saved: dict, posted: dict[str, list[str]], questions) -> dict:
    """Values to redisplay: saved answers, overridden by what was just posted for these questions."""
    values = dict(saved)
    for q in questions:
        picked = posted.get(q.code, [])
        values[q.code] = picked if q.qtype == "multi_choice" else (picked[0] if picked else None)
    return values
