"""HR administration: the HR admin's landing page."""
from __future__ import annotations

from flask import Blueprint, render_template

from webapp.auth import roles_required
from webapp.db import get_session

bp = Blueprint("admin", __name__)


@bp.route("/")
@roles_required("hr_admin")
def index():
    # Imported here: insights pulls in pandas and the analysis stack, which app start-up must not load.
    from surveys.insights import overview

    return render_template("admin/index.html", summary=overview.organisation_summary(get_session()))
