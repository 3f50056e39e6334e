"""Admin: one import job's page (progress, then the row-by-row report) and its JSON status for polling."""
from __future__ import annotations

from flask import abort, jsonify, render_template

from surveys import ingestion
from surveys.ingestion import jobs
from surveys.models import ImportJob, Person
from webapp.admin.views import bp
from webapp.auth import roles_required
from webapp.db import get_session

REFRESH_SECONDS = 2


def _job(job_id: int) -> ImportJob:
    job = get_session().get(ImportJob, job_id)
    if job is None:
        abort(404, f"There is no import job {job_id}.")
    return job


@bp.route("/imports/jobs/<int:job_id>")
@roles_required("hr_admin")
def import_job(job_id: int):
    job = _job(job_id)
    by = get_session().get(Person, job.created_by) if job.created_by else None
    return render_template("admin/import_job.html", job=job, by=by, result=jobs.result_of(job),
                           percent=jobs.percent(job), refresh=None if job.finished else REFRESH_SECONDS,
                           max_errors=ingestion.MAX_ERRORS)


@bp.route("/imports/jobs/<int:job_id>/status")
@roles_required("hr_admin")
def import_job_status(job_id: int):
    job = _job(job_id)
    result = jobs.result_of(job)
    return jsonify({
        "id": job.id, "kind": job.kind, "status": job.status, "phase": job.phase, "finished": job.finished,
        "rows_done": job.rows_done, "rows_total": job.rows_total, "percent": jobs.percent(job),
        "ok": None if not job.finished else job.status == "done",
        "summary": result.summary() if result else job.message,
        "error_count": result.error_count if result else None,
    })
