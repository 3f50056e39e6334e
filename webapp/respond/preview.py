"""Preview links: a wave's real respondent pages, marked as a preview, with nothing ever stored.

Answers of earlier pages travel back and forth in hidden form fields (prefix `a_`), never in the
database or the session; the views only read (a read-only session) and commit nothing.
"""
from __future__ import annotations

from flask import current_app, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from surveys.collection import preview
from surveys.errors import NotFound, TandemError, ValidationError
from webapp.db import get_session
from webapp.respond.views import bp, message_page, raw_answers

CARRY_PREFIX = "a_"


def _wave(token: str):
    return preview.wave_for_token(get_session(read_only=True), current_app.config["SECRET_KEY"], token)


def _problem(exc: TandemError):
    if isinstance(exc, NotFound):
        return message_page("This preview link is not valid", exc.message, 404)
    if isinstance(exc, preview.PreviewLinkExpired):
        return message_page("This preview link has expired", exc.message, 400)
    return message_page("This preview page could not be shown", exc.message, 400)


def _carried(form: MultiDict) -> dict[str, list[str]]:
    return {key[len(CARRY_PREFIX):]: form.getlist(key) for key in form if key.startswith(CARRY_PREFIX)}


def _hidden(answers: dict, questions) -> list[tuple[str, str]]:
    """(field name, value) pairs that carry the answers of the other pages through this one."""
    on_page = {q.code for q in questions}
    pairs = []
    for code, value in answers.items():
        if code not in on_page:
            pairs += [(CARRY_PREFIX + code, str(v)) for v in (value if isinstance(value, list) else [value])]
    return pairs


def _shown(wave, answers: dict, posted: dict, questions, page_posted: bool) -> dict:
    values = {}
    for q in wave.survey.questions:
        raw = posted.get(q.code, []) if page_posted and q in questions else answers.get(q.code)
        listed = raw if isinstance(raw, list) else ([] if raw is None else [raw])
        values[q.code] = listed if q.qtype == "multi_choice" else (listed[0] if listed else None)
    return values


def _page(token: str, wave, page: int, answers: dict, errors: dict, status: int = 200, posted=None):
    pages = preview.pages(wave)
    questions = pages[page]
    context = {"action": url_for("respond.preview_post", token=token), "hidden": _hidden(answers, questions),
               "customer": wave.program.audience == "customer"}
    values = _shown(wave, answers, posted or {}, questions, posted is not None)
    return render_template("respond/survey.html", preview=context, wave=wave, survey=wave.survey,
                           questions=questions, page=page, page_count=len(pages),
                           first_number=sum(len(p) for p in pages[:page]) + 1, values=values,
                           errors=errors), status


@bp.route("/p/<token>")
def preview_start(token: str):
    """A preview link: the promise page for employee waves, the form itself for customer waves."""
    try:
        wave = _wave(token)
    except TandemError as exc:
        return _problem(exc)
    if wave.program.audience == "customer":
        return _page(token, wave, 0, {}, {})
    context = {"action": url_for("respond.preview_post", token=token), "customer": False}
    return render_template("respond/promise.html", preview=context, wave=wave, survey=wave.survey,
                           page_count=len(preview.pages(wave)))


@bp.route("/p/<token>", methods=["POST"])
def preview_post(token: str):
    """One page of a preview: checked like a real page, then the next page or the preview's thanks."""
    try:
        wave = _wave(token)
        if request.form.get("action") == "start":
            return _page(token, wave, 0, {}, {})
        try:
            page = int(request.form.get("page", ""))
        except ValueError:
            raise ValidationError("The form did not say which page it was; please reopen the preview link.",
                                  field="page") from None
        posted = raw_answers(request.form)
        outcome = preview.step(wave, page, _carried(request.form), posted, request.form.get("action", "next"))
    except TandemError as exc:
        return _problem(exc)
    if outcome.finished:
        kind = "employee" if wave.program.audience == "employee" else "customer"
        return render_template("respond/thanks.html", preview={"customer": kind == "customer"}, kind=kind)
    if outcome.errors:
        return _page(token, wave, outcome.page, outcome.answers, outcome.errors, 422,
                     posted=posted if outcome.page == page else None)
    return _page(token, wave, outcome.page, outcome.answers, {})
