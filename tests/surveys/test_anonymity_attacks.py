"""Issue 8: the attacks on anonymity that frozen membership, pooled units and sealed drafts close.

Each test plays one attack through the services an HR admin or an executive really has, and checks
that what the attacker would read no longer singles anyone out.
"""
from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from sqlalchemy import func, select, text

from surveys.collection import drafts, opening, queue, submission
from surveys.errors import NotFound
from surveys.fieldwork import membership, scheduling, units
from surveys.ingestion import import_org
from surveys.insights import participation
from surveys.models import AuditEvent, Invitation, Person, Response, RollupDimension, Team, WaveTeam, utcnow
from surveys.tokens import hash_token, new_token

NOW = utcnow()
K = 5


def f(body: str) -> io.BytesIO:
    return io.BytesIO(body.encode())


@pytest.fixture
def org(make):
    """ORG > DEPT > SALES (6 people), OPS (6 people): long-standing members."""
    root = make.team(code="ORG", name="Organisation")
    dept = make.team(code="DEPT", name="Department", parent=root)
    sales = make.team(code="SALES", name="Sales", parent=dept)
    ops = make.team(code="OPS", name="Operations", parent=dept)
    return {"root": root, "dept": dept, "sales": sales, "ops": ops,
            "sales_people": [make.person(team=sales) for _ in range(6)],
            "ops_people": [make.person(team=ops) for _ in range(6)]}


def open_now(db_session, make, membership_days: int = 30):
    wave = make.wave(program=make.program(), status="draft", opens_at=NOW, days=14)
    scheduling.open_wave(db_session, wave.id, NOW, None, K, 10, membership_days)
    return wave


def invitation_of(db_session, wave, person) -> Invitation:
    return db_session.scalar(select(Invitation).where(Invitation.wave_id == wave.id,
                                                      Invitation.person_id == person.id))


def answer(db_session, wave, person, eng: int = 4) -> None:
    inv = invitation_of(db_session, wave, person)
    key = drafts.key_for(f"link of {person.email}")
    submission.start(db_session, inv.id, NOW, key=key)
    outcome = submission.record_page(db_session, inv.id, 0, {"eng1": [str(eng)], "enps": ["9"]}, "submit", NOW,
                                     key=key)
    assert outcome.submitted


def response_teams(db_session, wave) -> set[int]:
    """Teams that responses carry, released or still sealed in the submission queue."""
    released = set(db_session.scalars(select(Response.team_id).where(Response.wave_id == wave.id)))
    return released | {entry.team_id for entry in queue.held(db_session, wave.id)}


def eligible_in_unit(db_session, wave, unit_id: int) -> int:
    return db_session.scalar(select(func.sum(WaveTeam.eligible)).where(WaveTeam.wave_id == wave.id,
                                                                       WaveTeam.unit_team_id == unit_id))


def test_attack_1_sybil_team_of_imported_fakes_is_pooled_and_reported(db_session, make, org):
    """HR imports four fakes, moves a real person in with them, the fakes answer known values: the team
    never becomes a unit, so no report (linkage included) has a cell for it to subtract from."""
    victim = org["sales_people"][0]
    fakes = "".join(f"fake{i}@example.com,Fake {i},FAKE,employee\n" for i in range(4))
    result = import_org(db_session, teams=f("team_code,team_name,parent_code,lead_email\nFAKE,Fake team,DEPT,\n"),
                        people=f(f"email,name,team_code,role\n{fakes}{victim.email},{victim.name},FAKE,employee\n"))
    assert result.error_count == 0
    fake = db_session.scalar(select(Team).where(Team.code == "FAKE"))
    wave = open_now(db_session, make)

    frozen = db_session.get(WaveTeam, (wave.id, fake.id))
    assert (frozen.eligible, frozen.joined) == (0, 5) and frozen.unit_team_id != fake.id
    for person in db_session.scalars(select(Person).where(Person.team_id == fake.id)):
        answer(db_session, wave, person, eng=5 if person.id == victim.id else 1)
    assert fake.id not in response_teams(db_session, wave)
    assert db_session.scalar(select(func.count()).select_from(RollupDimension)
                             .where(RollupDimension.team_id == fake.id)) == 0
    # The group the five were pooled into counts at least k long-standing people besides them.
    assert eligible_in_unit(db_session, wave, frozen.unit_team_id) >= K
    # The org change is in the audit trail and shown to executives, without names.
    events = list(db_session.scalars(select(AuditEvent).where(AuditEvent.action.in_(("person.join", "person.move")))))
    assert len(events) == 5
    moved = next(e for e in events if e.entity_id == victim.id)
    assert (moved.action, moved.detail["from_team"], moved.detail["to_team"]) == ("person.move", "SALES", "FAKE")
    assert membership.recent_joins(db_session, [wave.id]) == {wave.id: [membership.RecentJoin(wave.id, "Fake team", 5)]}


def test_a_team_of_established_members_stays_its_own_unit(db_session, make, org):
    wave = open_now(db_session, make)
    person = org["ops_people"][0]
    assert invitation_of(db_session, wave, person).unit_team_id == org["ops"].id
    answer(db_session, wave, person)
    assert response_teams(db_session, wave) == {org["ops"].id}


def test_membership_period_is_configurable(db_session, make, org):
    newcomers = [make.person(team=org["ops"], joined=NOW - dt.timedelta(days=10)) for _ in range(5)]
    wave = open_now(db_session, make, membership_days=7)  # ten days in counts when the period is a week
    assert db_session.get(WaveTeam, (wave.id, org["ops"].id)).eligible == 11
    assert invitation_of(db_session, wave, newcomers[0]).unit_team_id == org["ops"].id


def test_attack_2_a_backup_taken_mid_survey_cannot_read_drafts(db_session, make, org):
    """Drafts sit next to person_id: the row must hold nothing readable without the link."""
    wave = open_now(db_session, make)
    person = org["sales_people"][0]
    inv = invitation_of(db_session, wave, person)
    token, inv.token_hash = new_token()
    key = drafts.key_for(token)
    submission.start(db_session, inv.id, NOW, key=key)
    submission.record_page(db_session, inv.id, 0, {"eng1": ["2"], "comment": ["my manager shouts"]}, "save",
                           NOW, key=key)
    row = db_session.execute(text("SELECT * FROM invitations WHERE id = :i"), {"i": inv.id}).mappings().one()
    backup = json.dumps(dict(row), default=str)
    for secret in ("eng1", "my manager shouts", token, drafts.encode_key(key)):
        assert secret not in backup
    assert row["person_id"] == person.id and row["token_hash"] == hash_token(token)
    with pytest.raises(drafts.DraftUnreadable):  # neither another key nor the stored hashes open it
        submission.draft_of(inv, drafts.key_for(row["token_hash"]))
    other = invitation_of(db_session, wave, org["sales_people"][1])
    with pytest.raises(drafts.DraftUnreadable):  # a sealed draft copied to another row does not open
        drafts.unseal(key, other.id, inv.draft)
    assert submission.draft_of(inv, key) == (0, {"eng1": "2", "comment": "my manager shouts"})
    answer_key = key
    submission.record_page(db_session, inv.id, 0, {"eng1": ["2"], "enps": ["3"]}, "submit", NOW, key=answer_key)
    assert (inv.draft, inv.draft_key_id) == (None, None)


def test_a_draft_survives_a_reminder_through_the_link_that_sealed_it(db_session, make, org):
    wave = open_now(db_session, make)
    inv = invitation_of(db_session, wave, org["ops_people"][0])
    first, inv.token_hash = new_token()
    submission.start(db_session, inv.id, NOW, key=drafts.key_for(first))
    reminder, inv.token_hash = new_token()  # a reminder replaces the link
    db_session.flush()
    assert opening.find_invitation(db_session, first, kind="employee") is inv  # it holds the draft
    with pytest.raises(drafts.DraftUnreadable, match="earlier email"):
        submission.draft_of(inv, drafts.key_for(reminder))
    submission.start(db_session, inv.id, NOW, key=drafts.key_for(reminder), restart=True)
    assert submission.draft_of(inv, drafts.key_for(reminder)) == (0, {})
    with pytest.raises(NotFound):  # the earlier link no longer holds anything
        opening.find_invitation(db_session, first, kind="employee")


def test_attack_5_a_lone_department_head_is_pooled(db_session, make, org):
    head = make.person(role="team_lead", team=org["dept"])
    wave = open_now(db_session, make)
    unit = invitation_of(db_session, wave, head).unit_team_id
    assert unit != org["dept"].id
    answer(db_session, wave, head)
    assert response_teams(db_session, wave) == {unit}
    assert eligible_in_unit(db_session, wave, unit) >= K


def test_attack_5_moving_people_after_the_opening_changes_nothing_visible(db_session, make, org):
    wave = open_now(db_session, make)
    for person in org["sales_people"][:5]:
        answer(db_session, wave, person)
    before = participation.team_participation(db_session, wave.id)
    assert [(t.team, t.invited) for t in before.teams] == [("Operations", 6), ("Sales", 6)]
    responder, silent = org["sales_people"][0], org["sales_people"][5]
    import_org(db_session, people=f("email,name,team_code,role\n" + "".join(
        f"{p.email},{p.name},OPS,employee\n" for p in (responder, silent))))
    assert db_session.get(Person, responder.id).team_id == org["ops"].id
    assert participation.team_participation(db_session, wave.id) == before


def test_pooling_walks_up_and_the_root_absorbs_the_smallest_unit():
    parent_of = {1: None, 2: 1, 3: 2, 4: 2, 5: 1}
    # 3 and 4 are units; 2 (a head alone) and 5 (two people) go up to the root, which takes 3 to reach k.
    assert units.pool(parent_of, {2: 1, 3: 6, 4: 7, 5: 2}, 5) == {1: 1, 2: 1, 3: 1, 4: 4, 5: 1}
    # A root holding no invitee needs nothing absorbed.
    assert units.pool(parent_of, {3: 6, 4: 7}, 5) == {1: 1, 2: 1, 3: 3, 4: 4, 5: 1}
    # A whole tree below k: everything is pooled into the root.
    assert set(units.pool(parent_of, {3: 1, 4: 1}, 5).values()) == {1}
