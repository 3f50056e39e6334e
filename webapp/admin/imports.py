"""Admin: the CSV upload page. Every upload is streamed to disk and becomes an import job (surveys.ingestion.jobs):
small files are run while the browser waits and answered with their report, larger ones run in a thread
of this process (or by `tandem tick`) behind a progress page."""
from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import BooleanField, SelectField

from surveys import ingestion
from surveys.db import parse_id
from surveys.errors import TandemError, ValidationError
from surveys.ingestion import job_runner, jobs, targets, uploads
from surveys.models import ImportJob, utcnow

try:  # WTForms 3.3 deprecates (value, label) tuples in favour of SelectChoice
    from wtforms.fields.choices import SelectChoice
except ImportError:  # older WTForms
    def SelectChoice(value, label):  # noqa: N802
        return (value, label)

from webapp.admin.views import bp
from webapp import jobs as jobs_glue
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
    if not submitted:
        return _render(session, form, None), 400 if request.method == "POST" else 200
    try:
        options = _options(session, form)
    except TandemError as exc:
        session.rollback()
        return _field_error(session, form, exc.message, getattr(exc, "field", None), exc.status)
    job_id, size = _queue(session, form, options)
    app = current_app._get_current_object()
    if size <= current_app.config["IMPORT_INLINE_BYTES"]:
        # Small files: the same job, run while the browser waits, and its report shown on this page.
        outcome = job_runner.run_next(jobs_glue.sessions(app), jobs_glue.run_settings(app.config, progress_rows=0),
                                      job_id=job_id)
        if outcome is not None and outcome[1] is not None:
            return _job_outcome(get_session(), form, job_id)
    elif current_app.config["IMPORT_THREAD"]:
        jobs_glue.start_thread(app, job_id)
    return redirect(url_for("admin.import_job", job_id=job_id), 303)


def _options(session, form: ImportForm) -> dict:
    """What the job needs besides the files; the choices that can be checked before reading any row."""
    if form.kind.data == "responses":
        wave_id = parse_id(form.wave.data)
        if wave_id is None:
            raise ValidationError("Choose the employee program and wave the responses belong to.", field="wave")
        targets.wave_codes(session, wave_id)  # NotFound for a wave deleted meanwhile
        return {"wave_id": wave_id}
    if form.kind.data == "feedback":
        return {"program": form.program.data or None}
    if form.kind.data in ("teams", "people"):
        return {"deactivate_missing": bool(form.deactivate_missing.data)}
    return {}


def _queue(session, form: ImportForm, options: dict) -> tuple[int, int]:
    """Stream the uploaded file(s) to the upload folder, queue the job and commit; (job id, bytes stored)."""
    folder = current_app.config["UPLOAD_DIR"]
    uploaded = [form.file.data]
    if form.kind.data in ("teams", "people") and form.other_file.data and form.other_file.data.filename:
        uploaded.append(form.other_file.data)
    for f in uploaded:
        f.stream.seek(0)  # werkzeug spooled the body to a temporary file; copy it from the start, in chunks
    files = [(uploads.display_name(f.filename), uploads.store(folder, f.stream)) for f in uploaded]
    size = sum(uploads.path_of(folder, stored).stat().st_size for _, stored in files)
    job = jobs.create_job(session, kind=form.kind.data, files=files, options=options, dry_run=form.dry_run.data,
                          actor_id=current_user.id, now=utcnow())
    session.commit()
    return job.id, size


def _job_outcome(session, form: ImportForm, job_id: int):
    """The upload page with a finished job's report, as the import used to answer synchronously."""
    job = session.get(ImportJob, job_id, populate_existing=True)
    result = jobs.result_of(job)
    if result is None:
        return _field_error(session, form, job.message, job.error_field, job.error_status or 400)
    return _render(session, form, result), 200 if result.ok else 422


def _field_error(session, form: ImportForm, message: str, field_name: str | None, status: int):
    field = form._fields.get(field_name or "") or form.file
    field.errors = [*field.errors, message]
    return _render(session, form, None), status


def _render(session, form: ImportForm, result):
    programs = [("", "Automatic: the only active customer program"), *targets.customer_programs(session)]
    waves = [("", "Choose a wave (historical responses only)"), *targets.employee_waves(session)]
    form.program.choices = [SelectChoice(value, label) for value, label in programs]
    form.wave.choices = [SelectChoice(value, label) for value, label in waves]
    return render_template("admin/imports.html", form=form, result=result, formats=ingestion.FORMATS,
                           recent=ingestion.recent_imports(session), max_mb=_max_bytes() // (1024 * 1024),
                           max_errors=ingestion.MAX_ERRORS, jobs=jobs.recent_jobs(session),
                           inline_kb=current_app.config["IMPORT_INLINE_BYTES"] // 1024)
