"""Admin: the organisation's branding (name, logo, colour) that respondents see on pages and in mail."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import BooleanField, StringField

from surveys.org import branding
from surveys.org.branding import BrandingInvalid
from webapp.admin.views import bp
from webapp.auth import roles_required
from webapp.db import get_session

LIMIT_KB = branding.MAX_LOGO_BYTES // 1024
TOO_LARGE = f"The upload is far larger than a logo may be ({LIMIT_KB} kB). Save a smaller PNG or JPEG."


class BrandingForm(FlaskForm):
    """No field validators: the service checks every field and reports all problems at once."""

    name = StringField("Organisation name (empty: respondents see “Tandem”)")
    colour = StringField("Brand colour (# and six hexadecimal digits, e.g. #1f6f8b)")
    logo = FileField(f"Logo (PNG or JPEG, at most {LIMIT_KB} kB; leave empty to keep the current one)")
    remove_logo = BooleanField("Remove the current logo")


def _render(form: BrandingForm, status: int = 200):
    current = branding.get_branding(get_session())
    return render_template("admin/branding.html", form=form, brand=current, limit_kb=LIMIT_KB), status


def _uploaded(form: BrandingForm) -> bytes | None:
    upload = form.logo.data
    if not upload or not getattr(upload, "filename", ""):
        return None  # no file chosen: keep the current logo
    return upload.read()


@bp.route("/branding", methods=["GET", "POST"])
@roles_required("hr_admin")
def branding_page():
    """Show and change the organisation's name, logo and colour."""
    session = get_session()
    # A logo is small: refuse a huge upload before reading it (on top of the app-wide limit).
    request.max_content_length = branding.MAX_LOGO_BYTES + 64 * 1024
    try:
        form = BrandingForm()
        submitted = form.validate_on_submit()
    except RequestEntityTooLarge:
        form = BrandingForm(formdata=None)
        form.logo.errors = [TOO_LARGE]
        return _render(form, 413)
    if not form.is_submitted():
        current = branding.get_branding(session)
        form.name.data = "" if current.is_default_name else current.name
        form.colour.data = current.colour
        return _render(form)
    if not submitted:  # only the CSRF token can fail here
        return _render(form, 400)
    try:
        branding.update_branding(session, name=form.name.data, colour=form.colour.data, logo=_uploaded(form),
                                 remove_logo=form.remove_logo.data, actor_id=current_user.id)
    except BrandingInvalid as exc:
        session.rollback()
        for field, message in exc.errors.items():
            getattr(form, field).errors = [message]
        return _render(form, 400)
    session.commit()
    flash("Branding saved. Survey pages show it now; mails from the next send on.", "success")
    return redirect(url_for("admin.branding_page"))
