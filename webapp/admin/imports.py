"""Admin: the CSV upload page, calling the same import services as `tandem import`."""
from __future__ import annotations

from flask import current_app, render_template, request
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import BooleanField, SelectField

from surveys import ingestion
from surveys.db import parse_id
from surveys.errors import TandemError, ValidationError
from surveys.ingestion import targets
from surveys.models import utcnow

try:  # WTForms 3.3 deprecates (value, label) tuples in favour of SelectChoice
    from wtforms.fields.choices import SelectChoice
except ImportError:  # older WTForms
    def SelectChoice(value, label):  # noqa: N802
        return (value, label)

from webapp.admin.views import bp
from webapp.auth import roles_required
from webapp.db import get_session

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
KINDS = [SelectChoice(f.kind, f.label) for f in ingestion.FORMATS]


class ImportForm(FlaskForm):
    kind = SelectField("What the file holds", choices=KINDS)
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file to upload.")])
    other_file = FileField("Also import (optional): the matching teams or people file")
    program = SelectField("Customer program", choices=[], validate_choice=False)
    wave = SelectField("Employee program and wave", choices=[], validate_choice=False)
    deactivate_missing = BooleanField("Deactivate people who are not in the people file (never HR admins)")
    dry_run = BooleanField("Check only: show what would change, change nothing")


def _max_bytes() -> int:
    return int(current_app.config.get("IMPORT_MAX_BYTES") or DEFAULT_MAX_BYTES)


@bp.route("/imports", methods=["GET", "POST"])
@roles_required("hr_admin")
def imports_page():
    session = get_session()
    # Uploads may be larger than other forms; the limit applies to this request only.
    request.max_content_length = _max_bytes()
    try:
        form = ImportForm()
        submitted = form.validate_on_submit()
    except RequestEntityTooLarge:
        form, submitted = ImportForm(formdata=None), False
        form.file.errors = [f"The file is larger than {_max_bytes() // (1024 * 1024)} MB. Split it into smaller "
                            "files, or import it on the server with `tandem import`."]
        return _render(session, form, None), 413
    result, status = None, 200
    if submitted:
        try:
            result = _import(session, form)
        except TandemError as exc:
            session.rollback()
            field = form._fields.get(getattr(exc, "field", None) or "") or form.file
            field.errors = [*field.errors, exc.message]
            status = exc.status
        else:
            if result.ok and not result.dry_run:
                session.commit()
            else:
                session.rollback()
            status = 200 if result.ok else 422
    elif request.method == "POST":
        status = 400
    return _render(session, form, result), status


def _import(session, form: ImportForm) -> ingestion.ImportResult:
    """Call the service for the chosen kind with the uploaded file(s)."""
    kind, dry_run, actor = form.kind.data, form.dry_run.data, current_user.id
    main = ingestion.CsvSource(form.file.data, name=form.file.data.filename)
    if kind in ("teams", "people"):
        files = [main]
        if form.other_file.data and form.other_file.data.filename:
            files.append(ingestion.CsvSource(form.other_file.data, name=form.other_file.data.filename))
        return ingestion.import_org_files(session, files, expected=kind, dry_run=dry_run,
                                          deactivate_missing=form.deactivate_missing.data, actor_id=actor)
    if kind == "touchpoints":
        return ingestion.import_touchpoints(session, main, dry_run=dry_run, actor_id=actor)
    if kind == "feedback":
        config = current_app.config
        return ingestion.import_feedback(session, main, program_code=form.program.data or None, dry_run=dry_run,
                                       actor_id=actor, now=utcnow(), min_group_size=config["MIN_GROUP_SIZE"],
                                       min_comment_group_size=config["MIN_COMMENT_GROUP_SIZE"])
    wave_id = parse_id(form.wave.data)
    if wave_id is None:
        raise ValidationError("Choose the employee program and wave the responses belong to.", field="wave")
    program_code, wave_label = targets.wave_codes(session, wave_id)
    return ingestion.import_responses(session, main, program_code=program_code, wave_label=wave_label,
                                    dry_run=dry_run, actor_id=actor)


def _render(session, form: ImportForm, result):
    programs = [("", "Automatic: the only active customer program"), *targets.customer_programs(session)]
    waves = [("", "Choose a wave (historical responses only)"), *targets.employee_waves(session)]
    form.program.choices = [SelectChoice(value, label) for value, label in programs]
    form.wave.choices = [SelectChoice(value, label) for value, label in waves]
    return render_template("admin/imports.html", form=form, result=result, formats=ingestion.FORMATS,
                           recent=ingestion.recent_imports(session), max_mb=_max_bytes() // (1024 * 1024),
                           max_errors=ingestion.MAX_ERRORS)
