"""JSON API; errors under /api/ are JSON too."""
from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user
from sqlalchemy import text

from webapp.auth import roles_required
from webapp.db import get_session

bp = Blueprint("api", __name__)


@bp.route("/health")
def health():
    get_session().execute(text("SELECT 1"))
    return jsonify({"status": "ok"})


@bp.route("/me")
@roles_required("team_lead", "hr_admin", "executive")
def me():
    return jsonify({"id": current_user.id, "email": current_user.email, "name": current_user.name,
                    "role": current_user.role})
