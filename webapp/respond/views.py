"""Respondent pages (employees and customers); no sign-in, links carry single-use tokens."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("respond", __name__)


@bp.after_request
def _no_referrer(response):
    # Survey links carry tokens: never leak them to other sites through the Referer header.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response
