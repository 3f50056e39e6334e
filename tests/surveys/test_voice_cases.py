"""Contact with consent and close-the-loop cases: stored with the response, one case per response, due times."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from analysis.follow_up import case_stats as compute_stats
from surveys.collection import public_links, submission
from surveys.collection.public_links import RateLimit
from surveys.errors import Conflict, ValidationError
from surveys.ingestion import import_feedback
from surveys.insights.case_stats import case_stats
from surveys.models import CaseEvent, CustomerContact, FollowUpCase, Response
from surveys.voice import cases, contacts
from tests.factories import DRAFT_KEY as KEY

from ..voice_world import CX_QUESTIONS, NOW

ANA = contacts.ContactRequest("Ana", "ana@example.com", "")


@pytest.fixture
def cx(make):
    program = make.program(survey=make.survey(audience="customer", questions=CX_QUESTIONS), code="CX")
    wave = make.wave(program=program, opens_at=NOW - dt.timedelta(days=1))
    team = make.team(code="CARE")
    touchpoint = make.touchpoint(team=team, code="DESK", channel="phone")
    return program, wave, touchpoint


def _submit(db_session, answers, contact=None, now=NOW):
    return public_links.submit_public(db_session, "CX", "DESK", answers, client="c", limit=RateLimit(100, 3600),
                                      now=now, contact=contact)


def _cases(db_session):
    return db_session.scalars(select(FollowUpCase)).all()


def test_working_days_skip_the_weekend():
    friday = dt.datetime(2026, 11, 27, 15, 30)  # a Friday
    assert cases.add_working_days(friday, 2) == dt.datetime(2026, 12, 1, 15, 30)  # Tuesday
    assert cases.add_working_days(dt.datetime(2026, 11, 28, 9, 0), 2) == dt.datetime(2026, 12, 1, 9, 0)  # Saturday
    assert cases.add_working_days(dt.datetime(2026, 11, 30, 9, 0), 2) == dt.datetime(2026, 12, 2, 9, 0)  # Monday
    assert cases.add_working_days(friday, 5) == dt.datetime(2026, 12, 4, 15, 30)


def test_a_consenting_detractor_opens_exactly_one_case_due_after_the_weekend(db_session, cx):
    friday = dt.datetime(2026, 11, 27, 16, 0)
    _p, wave, tp = cx
    wave.opens_at = friday - dt.timedelta(days=2)
    response = _submit(db_session, {"nps": ["3"], "comment": ["Nobody called back"]}, ANA, now=friday)
    [case] = _cases(db_session)
    assert (case.response_id, case.team_id, case.touchpoint_id) == (response.id, tp.team_id, tp.id)
    assert (case.trigger, case.score, case.status) == ("nps_detractor", 3, "open")
    assert case.due_at == dt.datetime(2026, 12, 1, 16, 0)  # Friday + 2 working days = Tuesday
    assert [e.what for e in case.events] == ["opened"]
    assert db_session.get(CustomerContact, response.id).email == "ana@example.com"
    # Opening again for the same response (a second host, a retry) adds nothing: one case per response.
    assert cases.open_cases(db_session, [response.id], friday) == 0
    assert db_session.scalar(select(func.count()).select_from(FollowUpCase)) == 1


def test_unhappy_csat_opens_a_case_but_passives_promoters_and_the_silent_do_not(db_session, cx):
    _submit(db_session, {"csat": ["2"]}, ANA)
    _submit(db_session, {"nps": ["7"], "csat": ["3"]}, ANA)  # passive, neutral
    _submit(db_session, {"nps": ["10"]}, ANA)
    _submit(db_session, {"nps": ["0"]})  # no consent: no contact row, no case
    assert [(c.trigger, c.score) for c in _cases(db_session)] == [("csat_unhappy", 2)]
    assert db_session.scalar(select(func.count()).select_from(CustomerContact)) == 3


def test_nps_names_the_case_when_both_scores_are_low(db_session, cx):
    _submit(db_session, {"nps": ["5"], "csat": ["1"]}, ANA)
    assert [(c.trigger, c.score) for c in _cases(db_session)] == [("nps_detractor", 5)]


@pytest.mark.parametrize("fields, bad", [
    (("Ana", "", ""), "contact_email"),
    (("Ana", "not-an-address", ""), "contact_email"),
    (("Ana", "", "12"), "contact_phone"),
    (("Ana", "", "call me maybe"), "contact_phone"),
    (("A" * 201, "ana@example.com", ""), "contact_name"),
])
def test_bad_contact_details_are_named(fields, bad):
    with pytest.raises(contacts.ContactInvalid) as info:
        contacts.check_contact(*fields)
    assert bad in info.value.errors


def test_a_good_contact_is_tidied():
    got = contacts.check_contact(" Ana  Lima ", "", "+44 20 7946 0000")
    assert (got.name, got.email, got.phone) == ("Ana Lima", "", "+44 20 7946 0000")


def test_an_unticked_box_ignores_the_fields():
    assert contacts.from_form({"contact_email": "ana@example.com"}) is None
    assert contacts.from_form({"contact_consent": "yes", "contact_email": "ana@example.com"}).email == "ana@example.com"


def test_employee_responses_never_take_a_contact(db_session, make):
    team = make.team()
    wave = make.wave(opens_at=NOW - dt.timedelta(days=1))
    invitation, _token = make.invitation(wave=wave, person=make.person(team=team))
    submission.start(db_session, invitation.id, NOW, key=KEY)
    with pytest.raises(ValidationError, match="never with an employee survey"):
        submission.submit_invitation(db_session, invitation.id, key=KEY, now=NOW, contact=ANA)
    # Nor can a stored employee response be given one through the service.
    employee_response = Response(wave_id=wave.id, team_id=team.id, source="invitation", submitted_on=NOW.date())
    db_session.add(employee_response)
    db_session.flush()
    with pytest.raises(ValidationError):
        contacts.save(db_session, employee_response, ANA, NOW)
    assert db_session.scalar(select(func.count()).select_from(CustomerContact)) == 0


def test_record_contact_close_and_history(db_session, cx, make):
    _submit(db_session, {"nps": ["2"]}, ANA)
    [case] = _cases(db_session)
    hr = make.staff()
    with pytest.raises(ValidationError, match="method"):
        cases.record_contact(db_session, case, hr.id, "pigeon", "hi")
    with pytest.raises(ValidationError, match="blank"):
        cases.record_contact(db_session, case, hr.id, "phone", "  ")
    cases.record_contact(db_session, case, hr.id, "phone", "Called; apologised, refund agreed", now=NOW)
    assert (case.status, case.contact_method, case.contacted_at) == ("contacted", "phone", NOW)
    cases.close_case(db_session, case, hr.id, "Refund sent", now=NOW + dt.timedelta(hours=5))
    assert (case.status, case.closed_by_id, case.outcome) == ("closed", hr.id, "Refund sent")
    with pytest.raises(Conflict):
        cases.close_case(db_session, case, hr.id, "again")
    assert [e.what for e in db_session.scalars(select(CaseEvent).order_by(CaseEvent.at))] == \
        ["opened", "contacted", "closed"]


def test_case_stats_per_team_against_hand_worked_values(db_session, cx, make):
    _p, wave, tp = cx
    opened = dt.datetime(2026, 11, 23, 9, 0)  # Monday: due Wednesday 09:00
    wave.opens_at = opened - dt.timedelta(days=1)
    for score in (1, 2, 3, 4):
        _submit(db_session, {"nps": [str(score)]}, ANA, now=opened)
    rows = sorted(_cases(db_session), key=lambda c: c.score)
    hr = make.staff()
    cases.close_case(db_session, rows[0], hr.id, "ok", now=opened + dt.timedelta(hours=10))  # in time
    cases.close_case(db_session, rows[1], hr.id, "ok", now=opened + dt.timedelta(hours=30))  # in time
    cases.close_case(db_session, rows[2], hr.id, "ok", now=opened + dt.timedelta(hours=60))  # late (due +48 h)
    [team] = case_stats(db_session)
    s = team.stats
    assert (team.team_id, s.opened, s.closed, s.closed_in_time) == (tp.team_id, 4, 3, 2)
    assert s.in_time_share == pytest.approx(200 / 3)
    assert s.median_hours == pytest.approx(30.0)
    # Wilson 95% for 2 of 3 (z = 1.959964): centre 0.5731, half-width 0.3654 -> 20.77% to 93.85%.
    assert (s.low, s.high) == (pytest.approx(20.77, abs=0.01), pytest.approx(93.85, abs=0.01))
    # As of Wednesday 10:00 the fourth case is open and past due: 2 in time of 4 judged (50%), Wilson 95% for
    # 2 of 4: centre (0.5 + z^2/8) / (1 + z^2/4) = 0.5, half 0.35 -> 15.00% to 85.00%; the median stays 30 h.
    [team] = case_stats(db_session, now=opened + dt.timedelta(hours=49))
    s = team.stats
    assert (s.closed, s.closed_in_time, s.overdue_open, s.judged) == (3, 2, 1, 4)
    assert s.in_time_share == pytest.approx(50.0) and s.median_hours == pytest.approx(30.0)
    assert (s.low, s.high) == (pytest.approx(15.00, abs=0.01), pytest.approx(85.00, abs=0.01))
    assert case_stats(db_session, now=opened + dt.timedelta(hours=47))[0].stats.overdue_open == 0  # not yet due
    assert case_stats(db_session, team_ids=[tp.team_id + 999]) == []
    assert case_stats(db_session, since=opened + dt.timedelta(days=1)) == []


def test_case_stats_with_nothing_closed_has_no_share():
    s = compute_stats(2, [], [])
    assert (s.opened, s.closed) == (2, 0) and s.in_time_share != s.in_time_share  # NaN


HEADER = "touchpoint,date,nps,comment,contact_name,contact_email,contact_phone,contact_consent\n"


def _import(db_session, text):
    return import_feedback(db_session, io.BytesIO((HEADER + text).encode()), now=NOW)


def test_import_with_contact_columns_opens_cases_for_consenting_detractors(db_session, cx):
    day = (NOW - dt.timedelta(hours=1)).date().isoformat()
    result = _import(db_session, f"DESK,{day},2,Rude,Bo,bo@example.com,,yes\n"
                                 f"DESK,{day},9,Great,Cy,,+44 20 7946 0000,yes\n"
                                 f"DESK,{day},1,Awful,,,,no\n"
                                 f"DESK,{day},4,Meh,,,,\n")
    assert result.ok, [str(e) for e in result.errors]
    assert db_session.scalar(select(func.count()).select_from(CustomerContact)) == 2
    [case] = _cases(db_session)
    assert (case.trigger, case.score) == ("nps_detractor", 2)
    assert db_session.get(CustomerContact, case.response_id).email == "bo@example.com"


def test_import_refuses_bad_contact_rows_and_writes_nothing(db_session, cx):
    day = (NOW - dt.timedelta(hours=1)).date().isoformat()
    result = _import(db_session, f"DESK,{day},2,x,Bo,not-mail,,yes\n"
                                 f"DESK,{day},2,x,Bo,,,yes\n"
                                 f"DESK,{day},2,x,Bo,bo@example.com,,no\n"
                                 f"DESK,{day},2,x,Bo,bo@example.com,,maybe\n")
    assert not result.ok
    text = " | ".join(str(e) for e in result.errors)
    assert "is not an email address" in text
    assert "give an email address or a phone number" in text
    assert "contact_consent is not yes" in text
    assert "must be yes or no" in text
    assert db_session.scalar(select(func.count()).select_from(Response)) == 0
    assert _cases(db_session) == []


def test_import_errors_name_the_cell_but_never_repeat_the_contact_details(db_session, cx):
    # What the import report keeps (ImportJob.report outlives contact retention): line, column, what is wrong.
    day = (NOW - dt.timedelta(hours=1)).date().isoformat()
    long_mail = "ana.private" * 30 + "@example.com"
    result = _import(db_session, f"DESK,{day},2,x,Bo,ana.private@@example.com,,yes\n"
                                 f"DESK,{day},2,x,Bo,{long_mail},,yes\n"
                                 f"DESK,{day},2,x,Bo,,07946-HOME-CALL,yes\n")
    errors = [str(e) for e in result.errors]
    assert len(errors) == 3 and not any("ana.private" in e or "HOME" in e for e in errors), errors
    assert "line 2, column contact_email" in errors[0] and "is not an email address" in errors[0]
    assert "line 3, column contact_email" in errors[1] and "too long (at most 254 characters)" in errors[1]
    assert "line 4, column contact_phone" in errors[2] and "6 to 20 digits" in errors[2]


def test_contacts_are_erased_after_retention_and_on_request(db_session, cx, make):
    long_ago = NOW - dt.timedelta(days=200)
    r1 = _submit(db_session, {"nps": ["2"]}, ANA)
    r2 = _submit(db_session, {"nps": ["9"]}, contacts.ContactRequest("Bo", "bo@example.com", ""))
    r2.submitted_on = long_ago.date()  # an old passive contact without a case
    [case] = _cases(db_session)
    db_session.flush()
    assert contacts.purge(db_session, NOW, 90) == 1  # r2 only: r1's case is open
    cases.close_case(db_session, case, make.staff().id, "done", now=long_ago)
    assert contacts.purge(db_session, NOW, 90) == 1
    assert db_session.get(CustomerContact, r1.id) is None and db_session.get(FollowUpCase, case.id) is not None
    _submit(db_session, {"nps": ["8"]}, contacts.ContactRequest("Cy", "CY@example.com", ""))
    assert contacts.erase_by_address(db_session, "cy@example.com") == 1
    assert contacts.purge(db_session, NOW, 0) == 0
