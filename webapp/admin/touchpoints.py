"""Admin: touchpoints (create, edit) with their public links, printable QR codes and contact links (CSV)."""
from __future__ import annotations

import io
import re

import segno
from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from surveys.collection import public_links
from surveys.errors import TandemError, ValidationError
from surveys.exports import csvsafe
from surveys.models import utcnow
from surveys.org import touchpoints as service
from webapp.admin.forms_common import SelectChoice, merge_domain_check, show_errors, team_choices
from webapp.admin.touchpoint_forms import ContactLinksForm, TouchpointEditForm, TouchpointForm
from webapp.admin.views import bp
from webapp.auth import roles_required
from webapp.db import get_session


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


def _with_teams(form):
    form.team_id.choices = [SelectChoice("", "Choose a team…"), *team_choices(get_session())]
    return form


def _values(form, *names: str) -> dict:
    return {name: form[name].data for name in names}


def _page(form: ContactLinksForm, status: int = 200, new_form: TouchpointForm | None = None):
    touchpoints, programs = public_links.link_targets(get_session(), utcnow())
    form.program.choices = [(p.code, f"{p.name} ({p.code})") for p, _wave in programs]
    form.touchpoint.choices = [(t.code, f"{t.name} ({t.code})") for t in touchpoints if t.active]
    new_form = new_form or _with_teams(TouchpointForm(formdata=None))
    return render_template("admin/touchpoints.html", touchpoints=touchpoints, programs=programs, form=form,
                           new_form=new_form, public_url=public_url,
                           max_links=public_links.MAX_CONTACT_LINKS), status


@bp.route("/touchpoints")
@roles_required("hr_admin")
def touchpoints():
    """Touchpoints, their team and channel, public links per active customer program and QR codes."""
    return _page(ContactLinksForm(formdata=None))


@bp.route("/touchpoints/new", methods=["POST"])
@roles_required("hr_admin")
def touchpoints_new():
    """Create a touchpoint from the form on the touchpoints page; every problem is shown at once."""
    session = get_session()
    form = _with_teams(TouchpointForm())
    values = lambda: _values(form, "code", "name", "channel", "team_id")  # noqa: E731
    if not form.validate_on_submit():
        merge_domain_check(form, lambda: service.check_touchpoint(session, **values()))
        return _page(ContactLinksForm(formdata=None), 400, new_form=form)
    try:
        touchpoint = service.create_touchpoint(session, **values(), actor_id=current_user.id)
    except ValidationError as exc:
        session.rollback()
        show_errors(form, exc)
        return _page(ContactLinksForm(formdata=None), 400, new_form=form)
    session.commit()
    flash(f"Touchpoint {touchpoint.code} '{touchpoint.name}' created for team {touchpoint.team.name}.", "success")
    return redirect(url_for("admin.touchpoints"))


@bp.route("/touchpoints/<code>/edit", methods=["GET", "POST"])
@roles_required("hr_admin")
def touchpoints_edit(code: str):
    """Change a touchpoint's name, channel, owning team or active flag."""
    session = get_session()
    touchpoint = service.get_touchpoint(session, code)
    form = _with_teams(TouchpointEditForm(obj=touchpoint))
    if not form.is_submitted():
        form.team_id.data = str(touchpoint.team_id)
    values = lambda: _values(form, "name", "channel", "team_id")  # noqa: E731
    if form.validate_on_submit():
        try:
            service.update_touchpoint(session, code, **values(), active=form.active.data, actor_id=current_user.id)
        except ValidationError as exc:
            session.rollback()
            show_errors(form, exc)
        else:
            session.commit()
            flash(f"Touchpoint {code} saved.", "success")
            return redirect(url_for("admin.touchpoints"))
    elif form.is_submitted():
        merge_domain_check(form, lambda: service.check_touchpoint(session, code=None, **values()))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/touchpoints_form.html", form=form, touchpoint=touchpoint), status


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
    rows = ([base + public_links.contact_path(token), form.program.data, form.touchpoint.data] for token in tokens)
    body = csvsafe.csv_text(["url", "program", "touchpoint"], rows)
    # Touchpoint codes are free text: only safe characters reach the header's file name.
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", f"contact-links-{form.program.data}-{form.touchpoint.data}"
                  f"-{utcnow():%Y%m%d-%H%M}.csv")
    return Response(body, mimetype="text/csv",
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
