"""`tandem import ...`: organisation, touchpoints, customer feedback and historical responses from CSV.

Each command checks the whole file first and commits once, only when there is no problem and
--dry-run was not given; a rejected file prints its report and exits with status 1.
"""
from __future__ import annotations

from contextlib import ExitStack

import click
from flask import current_app
from flask.cli import with_appcontext

from surveys import ingestion
from surveys.errors import TandemError
from surveys.ingestion import job_runner
from surveys.models import ImportJob, utcnow
from webapp import jobs as jobs_glue
from webapp.db import get_session

DRY_RUN_HELP = "Check the file and show what would change, without changing anything."
CSV_FILE = click.Path(exists=True, dir_okay=False, readable=True)


@click.group("import", help="Import organisation, touchpoints, feedback, historical responses, action plans and "
                            "business outcomes from CSV.")
def import_group():
    pass


def _thresholds() -> dict:
    """The anonymity thresholds frozen into past waves an import creates."""
    config = current_app.config
    return {"now": utcnow(), "min_group_size": config["MIN_GROUP_SIZE"],
            "min_comment_group_size": config["MIN_COMMENT_GROUP_SIZE"]}


def _run(service, paths: list[str], **kwargs) -> None:
    """Open the files, call the service, commit only a clean real run, print the report."""
    session = get_session()
    with ExitStack() as stack:
        sources = [ingestion.CsvSource(stack.enter_context(open(p, "rb")), name=p) for p in paths]
        try:
            result = service(session, sources, **kwargs)
        except TandemError as exc:
            session.rollback()
            raise click.ClickException(exc.message) from None
        except BaseException:
            session.rollback()
            raise
    if result.ok and not result.dry_run:
        session.commit()
    else:
        session.rollback()
    for line in result.report_lines():
        click.echo(line, err=not result.ok)
    if not result.ok:
        click.get_current_context().exit(1)


@import_group.command("org", short_help="Teams and/or people (create or update, never delete).")
@click.argument("files", nargs=-1, required=True, type=CSV_FILE)
@click.option("--dry-run", is_flag=True, help=DRY_RUN_HELP)
@click.option("--deactivate-missing", is_flag=True,
              help="Deactivate people who are not in the people file (never HR admins).")
@with_appcontext
def import_org(files, dry_run, deactivate_missing):
    """Teams and/or people: FILES is a teams file, a people file, or both (told apart by their header).

    \b
    teams:  team_code,team_name,parent_code,lead_email
    people: email,name,team_code,role
    """
    _run(lambda s, src, **kw: ingestion.import_org_files(s, src, **kw), list(files), dry_run=dry_run,
         deactivate_missing=deactivate_missing)


@import_group.command("touchpoints", short_help="Touchpoints (create or update by code).")
@click.argument("file", type=CSV_FILE)
@click.option("--dry-run", is_flag=True, help=DRY_RUN_HELP)
@with_appcontext
def import_touchpoints(file, dry_run):
    """Touchpoints: code,name,channel,team_code (created or updated by code)."""
    _run(lambda s, src, **kw: ingestion.import_touchpoints(s, src[0], **kw), [file], dry_run=dry_run)


@import_group.command("feedback", short_help="Customer feedback from other channels.")
@click.argument("file", type=CSV_FILE)
@click.option("--program", "program_code", default=None,
              help="Customer program code (needed when there are several).")
@click.option("--dry-run", is_flag=True, help=DRY_RUN_HELP)
@with_appcontext
def import_feedback(file, program_code, dry_run):
    """Customer feedback: touchpoint,date,channel,csat,nps,ces,comment (one response per row).

    Rows dated before the program's first wave that no wave covers go into past waves created for them.
    """
    _run(lambda s, src, **kw: ingestion.import_feedback(s, src[0], **kw), [file], program_code=program_code,
         dry_run=dry_run, case_due_days=current_app.config["CASE_DUE_WORKING_DAYS"], **_thresholds())


@import_group.command("responses", short_help="Historical employee responses into one wave.")
@click.argument("file", type=CSV_FILE)
@click.option("--program", "program_code", required=True, help="Employee program code.")
@click.option("--wave", "wave_label", required=True, help="Label of the wave the answers belong to.")
@click.option("--dry-run", is_flag=True, help=DRY_RUN_HELP)
@with_appcontext
def import_responses(file, program_code, wave_label, dry_run):
    """Historical employee responses: team_code,submitted_on,<question codes...> (one row per respondent)."""
    _run(lambda s, src, **kw: ingestion.import_responses(s, src[0], **kw), [file], program_code=program_code,
         wave_label=wave_label, dry_run=dry_run)


@import_group.command("history", short_help="Employee results of a survey run before Tandem, into a past wave.")
@click.argument("file", type=CSV_FILE)
@click.option("--program", "program_code", required=True, help="Employee program code.")
@click.option("--label", required=True, help="Label of the past wave, e.g. 2025-Q1.")
@click.option("--opens", "opens_on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="First day the old survey ran (YYYY-MM-DD); needed when the wave does not exist yet.")
@click.option("--closes", "closes_on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Last day the old survey ran (YYYY-MM-DD, before today); needed when the wave does not exist yet.")
@click.option("--dry-run", is_flag=True, help=DRY_RUN_HELP)
@with_appcontext
def import_history(file, program_code, label, opens_on, closes_on, dry_run):
    """Past employee results: team_code,submitted_on,<question codes...>, into the past wave LABEL.

    Creates the closed past wave (it never opens, invites or mails anyone) when it does not exist yet;
    the wave and the rows are saved together or not at all.
    """
    _run(lambda s, src, **kw: ingestion.import_history(s, src[0], **kw), [file], program_code=program_code,
         label=label, opens_on=opens_on.date() if opens_on else None,
         closes_on=closes_on.date() if closes_on else None, dry_run=dry_run, **_thresholds())


@import_group.command("actions", short_help="Action plans kept in spreadsheets (skips actions already in Tandem).")
@click.argument("file", type=CSV_FILE)
@click.option("--dry-run", is_flag=True, help=DRY_RUN_HELP)
@with_appcontext
def import_actions(file, dry_run):
    """Action plans: team_code,title,metric,start,due,status,owner_email[,description,target,visibility].

    \b
    team_code: one team, or several separated by ';' (quote the cell when ';' is the delimiter)
    metric:    engagement, culture, people, process, technology, enps, csat, nps, ces (or their labels)
    status:    planned, in progress, done, abandoned; dates YYYY-MM-DD, due on or after start
    A row with the title, teams and start of an action already in Tandem is skipped, never duplicated.
    """
    _run(lambda s, src, **kw: ingestion.import_actions(s, src[0], **kw), [file], dry_run=dry_run)


@import_group.command("outcomes", short_help="Business outcomes (churn, retention, revenue, complaints) per team or "
                                              "touchpoint.")
@click.argument("file", type=CSV_FILE)
@click.option("--dry-run", is_flag=True, help=DRY_RUN_HELP)
@with_appcontext
def import_outcomes(file, dry_run):
    """Business outcomes: period,unit,metric,value[,n,label,direction,unit_of_measure].

    \b
    period: 2026-03 (month), 2026-Q1 (quarter), 2026 (year) or 2026-03-01..2026-03-31, over by today
    unit:   a team code or a touchpoint code (a touchpoint's figure also counts for its owning team)
    metric: a slug such as churn_rate, retention, revenue, complaints; a new one needs a direction (higher|lower)
    The same period, unit and metric imported again replaces the value.
    """
    _run(lambda s, src, **kw: ingestion.import_outcomes(s, src[0], **kw), [file], dry_run=dry_run)


@import_group.command("run-jobs", short_help="Run uploads waiting for an import (and retry interrupted ones).")
@click.option("--job", "job_id", type=click.IntRange(1, 2**31 - 1), default=None, help="Run only this job.")
@click.option("--limit", type=click.IntRange(1), default=None, help="Run at most this many jobs.")
@with_appcontext
def run_jobs(job_id, limit):
    """Run the import jobs of the upload page that are waiting, or whose worker stopped (stale heartbeat).

    `tandem tick` does the same; this command is for running them at once, or on another host that
    shares TANDEM_UPLOAD_DIR. Exits with status 1 when a job it ran was not imported.
    """
    app = current_app._get_current_object()
    factory, settings = jobs_glue.sessions(app), jobs_glue.run_settings(app.config)
    if job_id is not None:
        outcome = job_runner.run_next(factory, settings, job_id=job_id)
        ran = [] if outcome is None else [outcome]
    else:
        ran = job_runner.run_pending(factory, settings, limit=limit)
    if not ran:
        click.echo("No import job is waiting." if job_id is None else
                   f"Import job {job_id} is not waiting (it does not exist, is finished, or is running).")
    session = get_session()
    for ran_id, status in ran:
        job = session.get(ImportJob, ran_id, populate_existing=True)
        outcome = status or "taken over by another worker"
        click.echo(f"import job {ran_id} ({job.kind}, {job.filename}): {outcome}: {job.message or ''}".rstrip(": "))
    if any(status == "failed" for _, status in ran):
        click.get_current_context().exit(1)
