"""Download a customer wave's responses, one row each, as CSV or XLSX: streamed, for HR and executives.

Employee waves are refused (surveys/exports/responses.py says why). The export is audited before the
first byte is sent, with the number of rows it will hold; then the body streams from a read-only session
of its own (webapp.db.stream_from_session), closed when the body ends.
"""
from __future__ import annotations

from flask import Response, abort, request
from flask_login import current_user

from surveys import audit
from surveys.db import parse_id
from surveys.exports import responses as wide
from webapp.auth import roles_required
from webapp.db import get_session, stream_from_session
from webapp.voice.views import EXPORTS_RESPONSES, SEES_CONTACTS, bp

MIMETYPES = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@bp.route("/responses.<fmt>")
@roles_required(*EXPORTS_RESPONSES)
def wave_responses(fmt: str):
    """A customer wave's responses, one row each: ?wave=ID, and ?labels=code|text|both for the question columns."""
    if fmt not in wide.FORMATS:
        abort(404, f"Responses can be downloaded as {' or '.join(wide.FORMATS)}, not '{fmt}'.")
    wave_id = request.args.get("wave", "").strip()
    if not wave_id:
        abort(400, "Choose the customer wave whose responses to download (?wave=ID).")
    if parse_id(wave_id) is None:
        abort(404, f"There is no wave with id '{wave_id}'.")
    labels = wide.parse_choice(request.args.get("labels"), wide.LABELS, "code", "labels")
    session = get_session(read_only=False)  # the audit event is written first, then the rows are read
    export = wide.plan(session, parse_id(wave_id), with_contacts=current_user.role in SEES_CONTACTS, labels=labels)
    total = wide.count(session, export)
    if fmt == "xlsx" and total > wide.XLSX_MAX_ROWS:
        abort(400, f"This wave has {total:,} responses, more than a worksheet holds; download the CSV instead.")
    audit.record(session, current_user.id, "export.responses", "wave", export.wave_id, format=fmt, rows=total,
                 contacts=export.with_contacts, program=export.program_code, wave=export.wave_label)
    session.commit()
    body = stream_from_session(lambda own: wide.file_chunks(own, export, fmt, total))
    return Response(body, mimetype=MIMETYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{export.filename(fmt)}"'})
