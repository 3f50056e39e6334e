"""Every POST route, as every role, with generated bodies of its real fields: never a 500, and a refused
request (4xx) leaves no domain row behind. The field names come from the routes' WTForms classes."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from wtforms.fields.core import UnboundField

from surveys import ingestion
from surveys.instruments.library import BUILTIN
from tests.fuzz.conftest import ROLES, domain_counts, example_savepoint
from tests.fuzz.strategies import EXAMPLES, as_file, csv_files, form_bodies, fuzz_settings, values
from webapp.account.forms import RevokeForm, TokenForm
from webapp.actions import forms as act
from webapp.admin import instrument_forms as ins
from webapp.admin import touchpoint_forms as tpf
from webapp.admin.branding import BrandingForm
from webapp.admin.floods import ReleaseForm
from webapp.admin.imports import ImportForm
from webapp.admin.past_wave_views import PastWaveForm
from webapp.admin.programs import ActionForm, AddWaveForm, ExtendForm, OpenWaveForm, ProgramEditForm, ProgramForm
from webapp.alerts import forms as alf
from webapp.auth import LoginForm
from webapp.cases import forms as cf
from webapp.goals.forms import GoalForm
from webapp.known_issues.forms import IssueForm, StatusForm

CONTACT = ("contact_consent", "contact_name", "contact_email", "contact_phone")
ANSWERS = ("q_eng1", "q_enps", "q_comment", "q_pick", "q_csat", "q_nps", "q_unknown", "q_")
# endpoint -> the form class it reads, or the field names of a form built from the instrument.
POST_FORMS: dict[str, type | tuple[str, ...]] = {
    "admin.branding_page": BrandingForm,
    "admin.imports_page": ImportForm,
    "admin.instruments_new": ins.ScratchForm,
    "admin.instruments_from_template": ins.TemplateForm,
    "admin.instruments_details": ins.DetailsForm,
    "admin.instruments_add_question": ins.QuestionForm,
    "admin.instruments_edit_question": ins.QuestionForm,
    "admin.instruments_move_question": ins.MoveForm,
    "admin.instruments_remove_question": ins.ConfirmForm,
    "admin.programs_new": ProgramForm,
    "admin.programs_edit": ProgramEditForm,
    "admin.programs_add_wave": AddWaveForm,
    "admin.programs_add_past_wave": PastWaveForm,
    "admin.waves_open": OpenWaveForm,
    "admin.waves_close": ActionForm,
    "admin.waves_extend": ExtendForm,
    "admin.touchpoints_new": tpf.TouchpointForm,
    "admin.touchpoints_edit": tpf.TouchpointEditForm,
    "admin.contact_links": tpf.ContactLinksForm,
    "admin.floods_release": ReleaseForm,
    "actions.new": act.NewActionForm,
    "actions.edit": act.EditActionForm,
    "actions.status": act.StatusForm,
    "actions.add_step": act.StepForm,
    "actions.step_done": act.StepDoneForm,
    "actions.remove_step": act.ConfirmForm,
    "actions.add_note": act.NoteForm,
    "alerts.acknowledge": alf.ConfirmForm, "alerts.plan": alf.ConfirmForm, "alerts.resolve": alf.ResolveForm,
    "alerts.dismiss": alf.DismissForm,
    "account.tokens_new": TokenForm,
    "account.tokens_revoke": RevokeForm,
    "goals.new": GoalForm,
    "goals.edit": GoalForm,
    "goals.archive": (),
    "goals.restore": (),
    "known_issues.new": IssueForm,
    "known_issues.edit": IssueForm,
    "known_issues.status": StatusForm,
    "known_issues.publish": (),
    "known_issues.unpublish": (),
    "digests.subscribe": ("daily", "weekly", "monthly", "quarterly", "annual"),
    "themes.refresh": ("audience", "k"), "themes.rename": ("name",), "themes.merge": ("into",),
    "themes.split": (), "themes.set_active": ("active",), "themes.add_rule": ("keyword",),
    "themes.remove_rule": ("keyword",), "themes.create": ("audience", "name", "keyword"),
    "auth.login": LoginForm,
    "auth.logout": (),
    "cases.record_contact": cf.ContactForm,
    "cases.close": cf.CloseForm,
    "cases.note": cf.NoteForm,
    "respond.public_submit": ("website", *ANSWERS, *CONTACT),
    "respond.start": (),
    "respond.save_page": ("invitation", "page", "action", *ANSWERS, *CONTACT),
    "respond.preview_post": ("page", "action", *ANSWERS, "a_eng1", "a_enps", "a_comment"),
}
FILE_FIELDS = {"file", "other_file", "logo"}
OPEN_TO_ALL = ("auth.", "respond.")  # the others refuse all but HR admins before reading a body


def plausible(world) -> dict[str, tuple[str, ...]]:
    """A value per field name that passes the form's own checks, so the service sees the body too."""
    tomorrow, text = (dt.date.today() + dt.timedelta(days=1)).isoformat(), ("A name", "Ops", "x" * 61)
    flag = ("y", "", "n")
    return {
        "code": ("NEW_1", "new-code", world.touchpoint.code, "P2"), "title": text, "name": text, "label": text,
        "text": ("How are you?",), "description": ("", "Hello"), "audience": ("employee", "customer", "both"),
        "qtype": ("likert5", "scale0_10", "single_choice", "multi_choice", "text", "nope"),
        "dimension": ("engagement", "csat", "comment", ""), "choices": ("a\nb", "", "a\na", "only"),
        "reverse_keyed": flag, "required": flag, "active": flag, "remove_logo": flag, "dry_run": flag,
        "deactivate_missing": flag, "direction": ("up", "down"), "confirmed": ("yes", "no"),
        "instrument": (f"survey:{world.editable.id}", f"survey:{world.program.survey_id}", "template:engagement",
                       *(f"template:{t}" for t in BUILTIN)),
        "cadence": ("monthly", "quarterly", "custom", "always_on"), "first_label": ("", "2030-01"),
        "first_opens_on": (tomorrow, "2020-01-01"), "opens_on": ("2025-01-01", tomorrow),
        "closes_on": ("2025-01-31", "2024-12-01"), "wave_days": ("14", "0", "400"), "reminder_days": ("5", "0"),
        "teams": (str(world.team.id),), "team_id": (str(world.team.id), ""), "channel": ("web", "fax"),
        "opens_at": ("2030-01-01T10:00", "2020-01-01T10:00"), "closes_at": ("2030-02-01T10:00", "2030-01-01T09:00"),
        "program": (world.cx_program.code, world.program.code, ""), "touchpoint": (world.touchpoint.code,),
        "count": ("1", "3", "10001"), "email": ("a@example.com",), "password": ("pw",),
        "kind": tuple(f.kind for f in ingestion.FORMATS), "wave": (str(world.open_wave.id), ""),
        "colour": ("#1f6f8b", "red"), "website": ("",), "invitation": (str(world.invitation_id),),
        "page": ("0", "1", "2", "-1"), "action": ("next", "back", "save", "submit", "start"),
        "q_eng1": ("1", "5", "6"), "q_enps": ("0", "10"), "q_comment": ("Fine",), "q_pick": ("a", "c"),
        "q_csat": ("1", "5"), "q_nps": ("0", "10", "11"), "day": (dt.date.today().isoformat(), "2020-01-01"),
        "team_ids": (str(world.team.id), "0"), "metric": ("process", "engagement", "enps", "ces", "outcome:revenue", "mood"),
        "target": ("70", "", "150", "-5", "abc", "1e400"),
        "owner_id": (str(world.action_owner_id), ""), "starts_on": ("2026-12-01", "soon"),
        "due_on": (tomorrow, "2027-03-01", "2020-01-01", "31/12/2030"), "visibility": ("leaders", "published", "all"),
        "source": ("manual", "focus", "goal", "import"), "goal_id": ("", "1"), "steps": ("a\nb", ""),
        "to": ("in_progress", "done", "abandoned", "planned"), "reason": ("", "Merged."), "done": ("1", "0", "2"),
        "note": ("Going well.", "", "Up by five"), "method": ("phone", "email", "pigeon"),
        "result": ("Called back.", ""), "outcome": ("Resolved.", ""), "contact_consent": ("yes", "", "no"),
        "contact_name": ("Ana",), "contact_email": ("ana@example.com", "nope", ""), "contact_phone": ("+44 20 7946 0000", "12"),
    }


def fields_of(spec) -> tuple[str, ...]:
    if isinstance(spec, tuple):
        return spec
    return tuple(sorted(n for n in dir(spec) if isinstance(getattr(spec, n, None), UnboundField)))


def post_rules(app):
    return [r for r in app.url_map.iter_rules() if "POST" in r.methods]


def build_path(rule, world, draw) -> str:
    """The rule's path with each parameter replaced by a real value of the world."""
    def real(match):
        return str(draw(st.sampled_from(world.path_values(match.group(2)))))

    return re.sub(r"<(?:[a-z]+:)?(?:([a-z]+):)?([a-z_]+)>", real, rule.rule)


def file_values() -> st.SearchStrategy:
    headers = tuple(tuple(f.header.split(",")) for f in ingestion.FORMATS)
    csv = st.sampled_from(headers).flatmap(lambda h: csv_files(h + ("eng1", "enps")))
    logo = st.one_of(st.binary(max_size=300), st.binary(max_size=200).map(lambda b: b"\x89PNG\r\n\x1a\n" + b))
    return st.tuples(st.one_of(csv, logo), st.sampled_from(["a.csv", "logo.png", "", "x" * 300, "../e\x00.csv"]))


def test_every_post_route_is_fuzzed(app):
    """A new POST route must be added to POST_FORMS, so the fuzzer covers it."""
    missing = {r.endpoint for r in post_rules(app)} - set(POST_FORMS)
    assert not missing, f"Add these POST endpoints to tests/fuzz/test_fuzz_forms.py: {sorted(missing)}"


def check_post(app, world, client, connection, db_session, endpoints, role, examples):
    """Post generated bodies to `endpoints` (one drawn per example) and check the answer and the rows."""
    rules = {r.endpoint: r for r in post_rules(app)}
    hints, good = world.hints(), plausible(world)

    @fuzz_settings(examples)
    @given(data=st.data())
    def check(data):
        endpoint = data.draw(st.sampled_from(endpoints), label="endpoint")
        fields = fields_of(POST_FORMS[endpoint])
        path = build_path(rules[endpoint], world, data.draw)
        body = data.draw(form_bodies(tuple(f for f in fields if f not in FILE_FIELDS), hints, good), label="body")
        for name in FILE_FIELDS & set(fields):
            value = data.draw(st.one_of(st.none(), file_values(), values(hints)), label=name)
            if isinstance(value, tuple):
                body[name] = (as_file(value[0]), value[1])
            elif value is not None:
                body[name] = value
        multipart = bool(FILE_FIELDS & set(fields))
        with example_savepoint(connection, db_session, client):
            before = domain_counts(connection)
            response = client.post(path, data=body, content_type="multipart/form-data" if multipart else None)
            status = response.status_code
            assert status < 500, f"{endpoint} as {role}: {status} for {path} {str(body)[:500]}"
            if status >= 400:
                db_session.close()
                assert domain_counts(connection) == before, f"{endpoint} as {role} wrote rows and answered {status}"
                assert response.data, f"{endpoint}: a {status} without a message"

    check()


@pytest.mark.parametrize("endpoint", sorted(POST_FORMS))
def test_post_route_as_hr_admin(app, world, role_client, connection, db_session, endpoint):
    check_post(app, world, role_client("hr_admin"), connection, db_session, [endpoint], "hr_admin", EXAMPLES)


@pytest.mark.parametrize("endpoint", sorted(e for e in POST_FORMS if e.startswith(OPEN_TO_ALL)))
def test_open_route_as_anonymous(app, world, role_client, connection, db_session, endpoint):
    check_post(app, world, role_client(None), connection, db_session, [endpoint], None, EXAMPLES)


@pytest.mark.parametrize("role", [r for r in ROLES if r != "hr_admin"], ids=lambda r: r or "anonymous")
def test_every_post_route_as_other_roles(app, world, role_client, connection, db_session, role):
    """Admin routes refuse these roles before reading the body; one shared run covers all routes."""
    check_post(app, world, role_client(role), connection, db_session, sorted(POST_FORMS), role, EXAMPLES * 2)
