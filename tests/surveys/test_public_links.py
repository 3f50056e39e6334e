"""Customer links: public touchpoint links, contact links, rate limiting and the honeypot."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from surveys import ratelimit
from surveys.collection import opening, paging, public_links, submission
from surveys.collection.public_links import RateLimit
from surveys.errors import AlreadySubmitted, Conflict, NotFound, ValidationError
from surveys.models import Invitation, RateLimitHit, Response, utcnow
from surveys.tokens import hash_token
from tests.factories import DRAFT_KEY as KEY

NOW = utcnow()
ANSWERS = {"eng1": ["4"], "enps": ["10"], "comment": ["Quick and friendly"]}


@pytest.fixture
def cx(make):
    """A customer program with an open wave, and a touchpoint owned by a team."""
    program = make.program(audience="customer", code="CX")
    wave = make.wave(program=program, opens_at=NOW - dt.timedelta(days=1))
    touchpoint = make.touchpoint(team=make.team(), code="HELPDESK", channel="phone")
    return program, wave, touchpoint


def _count(db_session, **where):
    stmt = select(func.count()).select_from(Response)
    for key, value in where.items():
        stmt = stmt.where(getattr(Response, key) == value)
    return db_session.scalar(stmt)


@pytest.mark.parametrize("text, expected", [(None, RateLimit(10, 3600)), ("3/60", RateLimit(3, 60)),
                                            (" 100/86400 ", RateLimit(100, 86400))])
def test_parse_rate_limit(text, expected):
    assert public_links.parse_rate_limit(text) == expected


@pytest.mark.parametrize("text", ["10", "ten/3600", "0/60", "5/0", "1/2/3"])
def test_parse_rate_limit_names_the_setting(text):
    with pytest.raises(ValidationError, match="PUBLIC_RATE_LIMIT"):
        public_links.parse_rate_limit(text)


def test_client_key_is_a_keyed_hash_not_the_address():
    key = public_links.client_key("secret-one", "203.0.113.9")
    assert len(key) == 64 and "203" not in key
    assert key == public_links.client_key("secret-one", "203.0.113.9")
    assert key != public_links.client_key("secret-two", "203.0.113.9")
    assert key != public_links.client_key("secret-one", "203.0.113.10")


def test_rate_limit_counts_refuses_and_resets_per_window(db_session):
    limit = RateLimit(3, 3600)
    start = dt.datetime(2026, 5, 1, 10, 0)
    for expected in (1, 2, 3):
        when = start + dt.timedelta(minutes=expected)
        assert public_links.record_hit(db_session, "k1", limit, when) == expected
    with pytest.raises(public_links.RateLimited):
        public_links.record_hit(db_session, "k1", limit, start + dt.timedelta(minutes=50))
    assert public_links.record_hit(db_session, "k2", limit, start + dt.timedelta(minutes=51)) == 1
    # The next window starts afresh, and the finished one is pruned.
    assert public_links.record_hit(db_session, "k1", limit, start + dt.timedelta(hours=1, minutes=1)) == 1
    windows = db_session.scalars(select(RateLimitHit.window_start).distinct()).all()
    assert windows == [dt.datetime(2026, 5, 1, 11, 0)]


def test_resolve_finds_the_open_wave(db_session, make, cx):
    program, wave, touchpoint = cx
    make.wave(program=program, status="closed", opens_at=NOW - dt.timedelta(days=40))
    target = public_links.resolve(db_session, "CX", "HELPDESK", NOW)
    assert (target.program, target.wave, target.touchpoint) == (program, wave, touchpoint)


def test_resolve_refuses_unknown_links_and_idle_programs(db_session, make, cx):
    program, wave, touchpoint = cx
    employee = make.program(audience="employee")
    for p, t in (("NOPE", "HELPDESK"), ("CX", "NOPE"), (employee.code, "HELPDESK")):
        with pytest.raises(NotFound, match="This link is not valid"):
            public_links.resolve(db_session, p, t, NOW)
    wave.status = "closed"
    with pytest.raises(public_links.NotCollecting, match="not collecting feedback right now"):
        public_links.resolve(db_session, "CX", "HELPDESK", NOW)
    wave.status = "open"
    touchpoint.active = False
    with pytest.raises(NotFound):
        public_links.resolve(db_session, "CX", "HELPDESK", NOW)


def test_public_submission_is_stored_with_the_touchpoint_team(db_session, cx):
    program, wave, touchpoint = cx
    response = public_links.submit_public(db_session, "CX", "HELPDESK", ANSWERS, client="k",
                                          limit=RateLimit(10, 3600), now=NOW)
    assert (response.wave_id, response.team_id, response.touchpoint_id, response.source, response.channel,
            response.submitted_on) == (wave.id, touchpoint.team_id, touchpoint.id, "public_link", "phone",
                                       NOW.date())
    assert sorted((a.value, a.text) for a in response.answers if a.value is not None) == [(4, None), (10, None)]


def test_honeypot_rejects_and_stores_nothing(db_session, cx):
    with pytest.raises(public_links.SpamRejected):
        public_links.submit_public(db_session, "CX", "HELPDESK", ANSWERS, client="k", limit=RateLimit(10, 60),
                                   honeypot="http://spam.example", now=NOW)
    assert _count(db_session, source="public_link") == 0
    assert db_session.scalar(select(func.count()).select_from(RateLimitHit)) == 0


def test_public_submissions_are_rate_limited(db_session, cx):
    limit = RateLimit(2, 3600)
    for _ in range(2):
        public_links.submit_public(db_session, "CX", "HELPDESK", ANSWERS, client="k", limit=limit, now=NOW)
    with pytest.raises(public_links.RateLimited):
        public_links.submit_public(db_session, "CX", "HELPDESK", ANSWERS, client="k", limit=limit, now=NOW)
    public_links.submit_public(db_session, "CX", "HELPDESK", ANSWERS, client="other", limit=limit, now=NOW)


def test_a_sender_over_the_limit_is_refused_before_any_work(db_session, cx):
    limit = RateLimit(2, 3600)
    for _ in range(2):
        public_links.submit_public(db_session, "CX", "HELPDESK", ANSWERS, client="k", limit=limit, now=NOW)
    stored = _count(db_session, source="public_link")
    # Refused before the answers are even read (these would be invalid) and before anything is written:
    # the counter stays at the limit, so the window's next refusal is one read again.
    with pytest.raises(public_links.RateLimited) as info:
        public_links.submit_public(db_session, "CX", "HELPDESK", {"eng1": ["99"]}, client="k", limit=limit, now=NOW)
    assert 0 < info.value.retry_after <= 3600
    assert _count(db_session, source="public_link") == stored
    assert ratelimit.hits(db_session, "k", limit, NOW) == 2


def test_public_submission_validates_answers(db_session, cx):
    with pytest.raises(submission.AnswersInvalid) as info:
        public_links.submit_public(db_session, "CX", "HELPDESK", {"eng1": ["6"], "enps": ["x"], "evil": ["1"]},
                                   client="k", limit=RateLimit(10, 60), now=NOW)
    assert set(info.value.errors) == {None, "eng1", "enps"}


def test_contact_links_are_single_use(db_session, cx):
    program, wave, touchpoint = cx
    tokens = public_links.issue_contact_links(db_session, "CX", "HELPDESK", 3, now=NOW)
    assert len(set(tokens)) == 3
    invitations = db_session.scalars(select(Invitation).where(Invitation.touchpoint_id == touchpoint.id)).all()
    assert {i.token_hash for i in invitations} == {hash_token(t) for t in tokens}
    assert all(i.person_id is None and i.wave_id == wave.id for i in invitations)
    inv = opening.find_invitation(db_session, tokens[0], kind="contact")
    assert len(paging.invitation_pages(inv)) == 1
    outcome = submission.record_page(db_session, inv.id, 0, ANSWERS, "submit", NOW, key=KEY)
    assert outcome.submitted
    response = db_session.scalar(select(Response).where(Response.source == "contact_link"))
    assert (response.team_id, response.touchpoint_id, response.channel) == \
        (touchpoint.team_id, touchpoint.id, "phone")
    with pytest.raises(AlreadySubmitted):
        submission.record_page(db_session, inv.id, 0, ANSWERS, "submit", NOW, key=KEY)
    with pytest.raises(NotFound):
        opening.find_invitation(db_session, tokens[1], kind="employee")


@pytest.mark.parametrize("count", [0, -1, 1001, "3"])
def test_contact_link_count_is_bounded(db_session, cx, count):
    with pytest.raises(ValidationError, match="between 1 and 1000"):
        public_links.issue_contact_links(db_session, "CX", "HELPDESK", count, now=NOW)


def test_contact_links_need_an_open_wave_and_known_codes(db_session, cx):
    program, wave, touchpoint = cx
    with pytest.raises(NotFound, match="customer program"):
        public_links.issue_contact_links(db_session, "NOPE", "HELPDESK", 1, now=NOW)
    with pytest.raises(NotFound, match="touchpoint"):
        public_links.issue_contact_links(db_session, "CX", "NOPE", 1, now=NOW)
    wave.status = "closed"
    with pytest.raises(Conflict, match="no wave open"):
        public_links.issue_contact_links(db_session, "CX", "HELPDESK", 1, now=NOW)


def test_link_paths_quote_codes():
    assert public_links.public_path("CX 1", "a/b") == "/r/c/CX%201/a%2Fb"
    assert public_links.contact_path("tok") == "/r/t/tok"
