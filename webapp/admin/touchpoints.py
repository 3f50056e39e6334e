"""Admin: touchpoints with their public links, printable QR codes and single-use contact links (CSV)."""
from __future__ import annotations

import csv
import io

import segno
from flask import Response, current_app, flash, render_template, request
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField
from wtforms.validators import DataRequired, InputRequired, NumberRange

from surveys.collection import public_links
from surveys.errors import TandemError, ValidationError
from surveys.models import utcnow
from webapp.admin.views import bp
from webapp.auth import roles_required
from webapp.db import get_session


class ContactLinksForm(FlaskForm):
    program = SelectField("Customer program", validators=[DataRequired()])
    touchpoint = SelectField("Touchpoint", validators=[DataRequired()])
    count = IntegerField("Number of links", default=10,
                         validators=[InputRequired(), NumberRange(1, public_links.MAX_CONTACT_LINKS)])


def public_url(program_code: str, touchpoint_code: str) -> str:
    """Absolute public link of a touchpoint in a program, from BASE_URL."""
    return current_app.config["BASE_URL"].rstrip("/") + public_links.public_path(program_code, touchpoint_code)


def _qr(program_code: str, touchpoint_code: str):
    program, touchpoint = public_links.link_for(get_session(), program_code, touchpoint_code)
    url = public_url(program.code, touchpoint.code)
    # Level M survives a little dirt or a fold on a printed poster.
    return program, touchpoint, url, segno.make(url, error="m")


def _program_arg() -> str:
    code = request.args.get("program", "").strip()
    if not code:
        raise ValidationError("Add ?program=CODE: a QR code leads to one program's link.", field="program")
    return code


def _page(form: ContactLinksForm, status: int = 200):
    touchpoints, programs = public_links.link_targets(get_session(), utcnow())
    form.program.choices = [(p.code, f"{p.name} ({p.code})") for p, _wave in programs]
    form.touchpoint.choices = [(t.code, f"{t.name} ({t.code})") for t in touchpoints if t.active]
    return render_template("admin/touchpoints.html", touchpoints=touchpoints, programs=programs, form=form,
                           public_url=public_url, max_links=public_links.MAX_CONTACT_LINKS), status


@bp.route("/touchpoints")
@roles_required("hr_admin")
def touchpoints():
    """Touchpoints, their team and channel, public links per active customer program and QR codes."""
    return _page(ContactLinksForm())


@bp.route("/touchpoints/contact-links", methods=["POST"])
@roles_required("hr_admin")
def contact_links():
    """Create N single-use contact links and download them as CSV (the only time the links are shown)."""
    form = ContactLinksForm()
    _touchpoints, programs = public_links.link_targets(get_session(), utcnow())
    form.program.choices = [(p.code, p.code) for p, _wave in programs]
    form.touchpoint.choices = [(t.code, t.code) for t in _touchpoints if t.active]
    if not form.validate_on_submit():
        return _page(form, 400)
    session = get_session()
    try:
        tokens = public_links.issue_contact_links(session, form.program.data, form.touchpoint.data,
                                                  form.count.data, now=utcnow(), actor_id=current_user.id)
    except TandemError as exc:
        session.rollback()
        flash(exc.message, "error")
        return _page(form, exc.status)
    session.commit()
    base = current_app.config["BASE_URL"].rstrip("/")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["url", "program", "touchpoint"])
    for token in tokens:
        writer.writerow([base + public_links.contact_path(token), form.program.data, form.touchpoint.data])
    name = f"contact-links-{form.program.data}-{form.touchpoint.data}-{utcnow():%Y%m%d-%H%M}.csv"
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})


@bp.route("/touchpoints/<code>/qr")
@roles_required("hr_admin")
def touchpoint_qr(code: str):
    """A printable page with the QR code of a touchpoint's public link in one program."""
    program, touchpoint, url, qr = _qr(_program_arg(), code)
    return render_template("admin/touchpoints_qr.html", program=program, touchpoint=touchpoint, url=url,
                           svg=qr.svg_inline(scale=8, title=f"QR code for {url}"))


@bp.route("/touchpoints/<code>/qr.svg")
@roles_required("hr_admin")
def touchpoint_qr_svg(code: str):
    """The QR code alone, as an SVG file for print shops."""
    program, touchpoint, _url, qr = _qr(_program_arg(), code)
    out = io.BytesIO()
    qr.save(out, kind="svg", scale=10, xmldecl=True)
    name = f"qr-{program.code}-{touchpoint.code}.svg"
    return Response(out.getvalue(), mimetype="image/svg+xml",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})
