"""Admin: the instrument editor (list, create from a template or from scratch, questions, preview)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from surveys.collection import paging
from surveys.errors import NotFound, ValidationError
from surveys.instruments import catalogue, editor, rules
from surveys.instruments.library import BUILTIN
from webapp.admin.forms_common import merge_domain_check, show_errors
from webapp.admin.instrument_forms import ConfirmForm, DetailsForm, MoveForm, QuestionForm, ScratchForm, TemplateForm
from webapp.admin.views import bp
from webapp.auth import roles_required
from webapp.db import get_session

EDITOR = "hr_admin"


@bp.route("/instruments")
@roles_required(EDITOR)
def instruments_index():
    rows = catalogue.list_instruments(get_session())
    return render_template("admin/instruments.html", rows=rows, templates=BUILTIN)


@bp.route("/instruments/new", methods=["GET", "POST"])
@roles_required(EDITOR)
def instruments_new():
    form = ScratchForm()
    if form.validate_on_submit():
        session = get_session()
        try:
            survey = editor.create_instrument(
                session, code=form.code.data, title=form.title.data, audience=form.audience.data,
                description=form.description.data, actor_id=current_user.id)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            session.commit()
            flash(f"Instrument '{survey.code}' created. Add its questions below.", "success")
            return redirect(url_for("admin.instruments_show", survey_id=survey.id))
    return _form_page("admin/instruments_new.html", form, templates=BUILTIN)


@bp.route("/instruments/new/<template>", methods=["GET", "POST"])
@roles_required(EDITOR)
def instruments_from_template(template: str):
    spec = BUILTIN.get(template)
    if spec is None:
        raise NotFound(f"There is no built-in template '{template}'; choose one of {', '.join(BUILTIN)}.")
    session = get_session()
    form = TemplateForm()
    if form.validate_on_submit():
        try:
            survey = editor.create_from_template(
                session, template, code=form.code.data, title=form.title.data,
                description=form.description.data, actor_id=current_user.id)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            session.commit()
            flash(f"Instrument '{survey.code}' created from the {spec.title} template.", "success")
            return redirect(url_for("admin.instruments_show", survey_id=survey.id))
    elif not form.is_submitted():
        form.code.data = catalogue.suggest_code(session, spec.code)
        form.title.data, form.description.data = spec.title, spec.description
    return _form_page("admin/instruments_template.html", form, spec=spec)


@bp.route("/instruments/<int:survey_id>")
@roles_required(EDITOR)
def instruments_show(survey_id: int):
    session = get_session()
    survey = catalogue.get_survey(session, survey_id)
    programs, waves = catalogue.usage(session, survey_id)
    latest = catalogue.latest_version(session, survey.code)
    return render_template(
        "admin/instruments_show.html", survey=survey, versions=catalogue.versions(session, survey.code),
        latest=latest, reason=catalogue.freeze_reason(session, survey), programs=programs, waves=waves,
        labels=rules.DIMENSION_LABELS, form=ConfirmForm())


@bp.route("/instruments/<int:survey_id>/details", methods=["GET", "POST"])
@roles_required(EDITOR)
def instruments_details(survey_id: int):
    session = get_session()
    survey = _editable(survey_id)
    form = DetailsForm(obj=survey)
    if form.validate_on_submit():
        try:
            edit = editor.update_details(session, survey_id, title=form.title.data,
                                              description=form.description.data, actor_id=current_user.id)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            return _done(edit, "Title and description saved.")
    return _form_page("admin/instruments_details.html", form, survey=survey,
                      reason=catalogue.freeze_reason(session, survey))


@bp.route("/instruments/<int:survey_id>/questions/new", methods=["GET", "POST"])
@roles_required(EDITOR)
def instruments_add_question(survey_id: int):
    session = get_session()
    survey = _editable(survey_id)
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            edit = editor.add_question(session, survey_id, form.to_input(), actor_id=current_user.id)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            return _done(edit, f"Question '{edit.question.code}' added.")
    elif form.is_submitted():
        _check_question(form, {q.code for q in survey.questions})
    return _form_page("admin/instruments_question.html", form, survey=survey, question=None,
                      reason=catalogue.freeze_reason(session, survey))


@bp.route("/instruments/<int:survey_id>/questions/<int:question_id>/edit", methods=["GET", "POST"])
@roles_required(EDITOR)
def instruments_edit_question(survey_id: int, question_id: int):
    session = get_session()
    survey = _editable(survey_id)
    question = catalogue.get_question(session, survey_id, question_id)
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            edit = editor.update_question(session, survey_id, question_id, form.to_input(),
                                               actor_id=current_user.id)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            return _done(edit, f"Question '{edit.question.code}' saved.")
    elif not form.is_submitted():
        form.fill(question)
    else:
        _check_question(form, {q.code for q in survey.questions if q.id != question.id})
    return _form_page("admin/instruments_question.html", form, survey=survey, question=question,
                      reason=catalogue.freeze_reason(session, survey))


@bp.route("/instruments/<int:survey_id>/questions/<int:question_id>/move", methods=["POST"])
@roles_required(EDITOR)
def instruments_move_question(survey_id: int, question_id: int):
    form = MoveForm()
    if not form.validate_on_submit():
        raise ValidationError(" ".join(form.direction.errors) or "The form was incomplete; please try again.")
    session = get_session()
    catalogue.get_question(session, survey_id, question_id)  # a forged id is a 404, not a flash
    try:
        edit = editor.move_question(session, survey_id, question_id, form.direction.data,
                                         actor_id=current_user.id)
    except ValidationError as exc:
        # Typically a double click on a stale page: say so on the instrument page.
        flash(exc.message, "error")
        return redirect(url_for("admin.instruments_show", survey_id=survey_id))
    return _done(edit, f"Question '{edit.question.code}' moved {form.direction.data}.",
                 anchor=f"q-{edit.question.id}")


@bp.route("/instruments/<int:survey_id>/questions/<int:question_id>/remove", methods=["GET", "POST"])
@roles_required(EDITOR)
def instruments_remove_question(survey_id: int, question_id: int):
    session = get_session()
    survey = _editable(survey_id)
    question = catalogue.get_question(session, survey_id, question_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        code = question.code
        edit = editor.remove_question(session, survey_id, question_id, actor_id=current_user.id)
        return _done(edit, f"Question '{code}' removed.")
    return render_template("admin/instruments_remove.html", form=form, survey=survey, question=question,
                           reason=catalogue.freeze_reason(session, survey))


@bp.route("/instruments/<int:survey_id>/preview")
@roles_required(EDITOR)
def instruments_preview(survey_id: int):
    survey = catalogue.get_survey(get_session(), survey_id)
    questions = sorted(survey.questions, key=lambda q: q.position)
    # The respondent pages' own splitting: employees page through, a customer gets a single page.
    pages = (paging.paginate(questions, per_page=max(len(questions), 1)) if survey.audience == "customer"
             else paging.paginate(questions))
    page = request.args.get("page", 1, type=int)
    if not 1 <= page <= len(pages):
        raise NotFound(f"This preview has {len(pages)} page(s); there is no page {page}.")
    return render_template("admin/instruments_preview.html", survey=survey, questions=pages[page - 1],
                           page=page, page_count=len(pages),
                           first_number=1 + sum(len(p) for p in pages[:page - 1]))


def _editable(survey_id: int):
    """The survey, refusing archived versions before a form is even shown."""
    session = get_session()
    survey = catalogue.get_survey(session, survey_id)
    editor.check_latest(session, survey)
    return survey


def _check_question(form: QuestionForm, taken: set[str]) -> None:
    """WTForms refused the form: add the domain's verdict on the other fields, so all show at once."""
    merge_domain_check(form, lambda: rules.build_question(form.to_input(), taken))


def _form_page(template: str, form, **context):
    # A rejected POST is answered with 400 so clients and tests can tell it from a fresh form.
    status = 400 if form.is_submitted() else 200
    return render_template(template, form=form, **context), status


def _done(edit: editor.Edit, message: str, anchor: str | None = None):
    """Commit once, tell the user what happened (including a new version) and go to the instrument."""
    get_session().commit()
    if not edit.changed:
        flash("Nothing changed.", "info")
    elif edit.version_note:
        flash(edit.version_note, "info")
        flash(message, "success")
    else:
        flash(message, "success")
    return redirect(url_for("admin.instruments_show", survey_id=edit.survey.id, _anchor=anchor))
