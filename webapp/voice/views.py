"""/voice: survey responses and imported feedback of customers, filtered, searched, paged and exported.

Every staff role reads every customer's feedback (it belongs to everyone who serves customers); a
customer's contact details are shown, and exported, only to HR and executives.
"""
from __future__ import annotations

import io

from flask import Blueprint, Response, render_template, request
from flask_login import current_user

from surveys.exports import csvsafe
from surveys.exports.responses import customer_waves
from surveys.insights import voice, voice_export
from surveys.insights.voice_filters import BANDS, SENTIMENTS
from surveys.models import CHANNELS, utcnow
from webapp.auth import roles_required
from webapp.db import get_session, stream_from_session

bp = Blueprint("voice", __name__)
STAFF = ("team_lead", "hr_admin", "executive")
SEES_CONTACTS = ("hr_admin", "executive")
EXPORTS_RESPONSES = ("hr_admin", "executive")  # the response-level downloads (webapp/voice/exports.py)
CSV_HEADER = ("date", "channel", "origin", "touchpoint", "touchpoint_name", "team", "csat", "nps", "ces",
              "comment", "themes", "sentiment")
CONTACT_HEADER = ("contact_name", "contact_email", "contact_phone")
FLUSH_CHARS = 64 * 1024


def _sees_contacts() -> bool:
    return current_user.role in SEES_CONTACTS


def _filters(session):
    return voice.parse_filters(session, request.args, utcnow().date())


@bp.route("")
@roles_required(*STAFF)
def index():
    """The filtered list, newest first, a page at a time, with counts per channel and origin."""
    session = get_session()
    filters = _filters(session)
    page = voice.voice_page(session, filters, with_contacts=_sees_contacts())
    waves = customer_waves(session) if current_user.role in EXPORTS_RESPONSES else []
    return render_template("voice/index.html", filters=filters, page=page, choices=voice.filter_choices(session),
                           departments=voice.departments(session), channels=CHANNELS, bands=BANDS,
                           sentiments=SENTIMENTS, sees_contacts=_sees_contacts(),
                           latest=voice.latest_day(session), export_waves=waves), 400 if filters.errors else 200


@bp.route("/export.csv")
@roles_required(*STAFF)
def export():
    """The filtered list as CSV (every page), formula-safe; contact columns only for HR and executives."""
    session = get_session()
    filters = _filters(session)
    if filters.errors:
        return Response("\n".join(filters.errors) + "\n", status=400, mimetype="text/plain")
    with_contacts = _sees_contacts()
    header = CSV_HEADER + (CONTACT_HEADER if with_contacts else ())

    def generate(own_session):
        buffer = io.StringIO()
        csvsafe.write_rows(buffer, header, [])
        yield buffer.getvalue()  # the first byte at once, before the query runs
        buffer = io.StringIO()
        writer = csvsafe.RowWriter(buffer)
        for lines in voice_export.export_lines(own_session, filters, with_contacts=with_contacts):
            writer.write_defused(lines)  # export_lines defused the free text already
            if buffer.tell() >= FLUSH_CHARS:  # one piece of output per ~64 KB or chunk of lines, not per row
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    name = f"customer-voice-{filters.start}-{filters.end}.csv"
    return Response(stream_from_session(generate), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.app_template_filter("sentiment_word")
def sentiment_word(value: float | None) -> str:
    """A response's mean sentiment as a word (the /voice bands)."""
    if value is None:
        return ""
    for word, (low, high) in SENTIMENTS.items():
        if low <= value < high or (high >= 1 and value >= low):
            return word
    return "negative"
