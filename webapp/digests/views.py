"""/digests: the latest digest of each period, the reader's digest subscriptions, and
/digests/<period>/<date>: the digest of the period containing <date>, as the mail shows it, scoped to
the reader (HR and executives: the organisation; a team lead: their teams)."""
from __future__ import annotations

import base64
import datetime as dt

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from surveys.digests import periods, subscriptions
from surveys.errors import ValidationError
from surveys.models import Person, utcnow
from surveys.models.digests import DIGEST_PERIODS
from webapp.auth import roles_required
from webapp.db import get_session
from webapp.digests.forms import LABELS, SubscriptionForm

bp = Blueprint("digests", __name__, url_prefix="/digests")
STAFF = ("team_lead", "hr_admin", "executive")
YEARS = (2000, 2100)


def _index(form: SubscriptionForm, status: int = 200):
    session = get_session()
    today = utcnow().date()
    latest = [(kind, periods.last_complete(kind, today)) for kind in DIGEST_PERIODS]
    # Imported here: pandas and the analysis stack load only when the page is built.
    from surveys.digests.compose import reader_scope
    from surveys.insights.customer_feedback import latest_day

    scope = reader_scope(session, session.get(Person, current_user.id))
    last = latest_day(session, None if scope.everything else sorted(scope.team_ids))
    with_data = [(kind, periods.containing(kind, last)) for kind in DIGEST_PERIODS] if last else []
    chosen = subscriptions.periods_of(session, current_user.id)
    return render_template("digests/index.html", latest=latest, with_data=with_data, last=last, form=form,
                           chosen=chosen, labels=LABELS, defaults=subscriptions.DEFAULTS.get(current_user.role, ()),
                           hour=current_app.config.get("DIGEST_HOUR", 7)), status


@bp.route("/")
@roles_required(*STAFF)
def index():
    """Links to the latest digests and the subscription form."""
    chosen = subscriptions.periods_of(get_session(), current_user.id)
    form = SubscriptionForm(formdata=None, data={p: p in chosen for p in DIGEST_PERIODS})
    return _index(form)


@bp.route("/", methods=["POST"])
@roles_required(*STAFF)
def subscribe():
    """Save the periods the reader receives."""
    form = SubscriptionForm()
    if not form.validate_on_submit():
        return _index(form, 400)
    session = get_session()
    chosen = subscriptions.set_periods(session, session.get(Person, current_user.id), form.chosen())
    session.commit()
    flash(f"You will receive the {', '.join(chosen)} digest{'s' if len(chosen) != 1 else ''} by mail."
          if chosen else "You will receive no digests by mail.", "success")
    return redirect(url_for("digests.index"))


def _period(kind: str, date_text: str) -> periods.Period:
    """The period of `kind` containing the date, or a 404 page saying what is wrong."""
    try:
        periods.check_kind(kind)
    except ValidationError as exc:
        abort(404, description=exc.message)
    try:
        day = dt.date.fromisoformat(date_text)
    except ValueError:
        abort(404, description=f"'{date_text[:40]}' is not a date: use the form YYYY-MM-DD, e.g. "
                               f"/digests/{kind}/2026-11-23.")
    if not YEARS[0] <= day.year <= YEARS[1]:
        abort(404, description=f"There are no digests for {day.year}: pick a date between {YEARS[0]} and {YEARS[1]}.")
    return periods.containing(kind, day)


@bp.route("/<digest_period>/<digest_day>")
@roles_required(*STAFF)
def page(digest_period: str, digest_day: str):
    """The digest of the period of `digest_period` containing `digest_day`, scoped to the reader."""
    period = _period(digest_period, digest_day)
    kind = period.kind
    # Imported here: digests load pandas, the analysis stack and Altair, which app start-up must not load.
    from surveys.digests import links
    from surveys.digests.charts import digest_charts, png
    from surveys.digests.compose import compose
    from surveys.digests.mail import fmt
    from webapp.reports.params import settings

    session = get_session()
    digest = compose(session, session.get(Person, current_user.id), kind, period.start, settings=settings(),
                     latest_complete=False, store_links=False)
    charts = [(c, base64.b64encode(png(c, scale=1)).decode()) for c in digest_charts(digest)]
    if digest.links is not None and digest.links.pending:
        links.store_pending(get_session(read_only=False), digest.links)  # the next reader reuses them
        get_session().commit()
    today = utcnow().date()
    later = period.next()
    return render_template("digests/page.html", d=digest, charts=charts, fmt=fmt, unfinished=period.end >= today,
                           earlier=period.previous(), later=later if later.start <= today else None)
