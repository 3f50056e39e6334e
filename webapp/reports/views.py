"""Reports for HR and leadership: the executive's landing page."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

from surveys import overview

from ..auth import roles_required
from ..db import get_session

bp = Blueprint("reports", __name__)


@bp.route("/")
@roles_required("executive", "hr_admin")
def index():
    waves = overview.wave_participation(get_session(), current_app.config["MIN_GROUP_SIZE"])
    return render_template("reports/index.html", waves=waves)
