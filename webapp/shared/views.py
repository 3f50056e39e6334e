"""Public pages for employees (no sign-in): a team's "What you told us" behind a signed link, and the
organisation's "You said, we did". Both are branded like the survey pages and show only groups that
meet the anonymity threshold; a bad, tampered or expired link gets the same plain 404 page."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, render_template

from surveys.fieldwork import results_links
from surveys.models import Team, Wave, utcnow
from surveys.org import branding
from webapp.db import get_session
from webapp.actions.effects import effects_for

bp = Blueprint("shared", __name__)


@bp.after_request
def _private(response):
    # The results link is the key to a team's page: never pass it on in a Referer, never cache the page.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.context_processor
def _branding():
    return {"brand": branding.get_branding(get_session())}


def _not_found():
    return render_template("shared/not_found.html"), 404


def _wave_of_link(session, token: str) -> tuple[Wave, Team] | None:
    """The wave and team a genuine, unexpired link opens; None for anything else."""
    ids = results_links.read_token(results_links.link_key(current_app.config), token)
    if ids is None:
        return None
    wave, team = session.get(Wave, ids[0]), session.get(Team, ids[1])
    if wave is None or team is None or wave.status != "closed" or wave.historical:
        return None
    program = wave.program
    if program.audience != "employee" or not program.share_results:
        return None  # HR turned sharing off: links already sent stop working too
    if utcnow() > wave.closes_at + dt.timedelta(days=current_app.config.get("RESULTS_LINK_DAYS", 365)):
        return None
    return wave, team


@bp.route("/results/<link>")
def results(link: str):
    """What you told us: the organisation's, department's and team's results of one wave, and the actions."""
    # Imported here: insights pulls in pandas and the analysis stack, which app start-up must not load.
    from surveys.insights import shared_results

    session = get_session()
    found = _wave_of_link(session, link)
    if found is None:
        return _not_found()
    wave, team = found
    page = shared_results.results_for(session, wave, team.id, current_app.config["MIN_GROUP_SIZE"])
    return render_template("shared/results.html", page=page, headings=shared_results.HEADINGS,
                           teams=shared_results.team_names(page.actions), metric_label=shared_results.metric_label,
                           effects=effects_for(session, page.actions, page.threshold), today=utcnow().date())


@bp.route("/you-said-we-did")
def you_said_we_did():
    """Every published action with its teams, status, progress, due date and measured effect."""
    from surveys.insights import shared_results

    session = get_session()
    actions = shared_results.published_actions(session)
    k = current_app.config["MIN_GROUP_SIZE"]
    return render_template("shared/you_said.html", actions=actions, teams=shared_results.team_names(actions),
                           metric_label=shared_results.metric_label, effects=effects_for(session, actions, k),
                           today=utcnow().date())
