"""The submission queue: answers reach `responses` only in batches of at least k per team, sealed meanwhile."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, text

from surveys import rollups
from surveys.collection import queue, submission
from surveys.db import checkpoint, make_engine
from surveys.errors import TandemError
from surveys.fieldwork import scheduling
from surveys.insights import participation
from surveys.models import Base, PendingSubmission, Response, SubmissionReceipt, utcnow
from surveys.tokens import derive_key

from ..factories import DRAFT_KEY

NOW = utcnow()
QUESTIONS = [{"code": "e1", "qtype": "likert5", "dimension": "engagement"},
             {"code": "enps", "qtype": "scale0_10", "dimension": "enps"}]


@pytest.fixture
def wave(make):
    program = make.program(survey=make.survey(questions=QUESTIONS))
    return make.wave(program, opens_at=NOW - dt.timedelta(days=1))


def answer(db_session, make, wave, team, e1: int = 4, enps: int = 8):
    inv, _token = make.invitation(wave, make.person(team=team))
    submission.start(db_session, inv.id, NOW, key=DRAFT_KEY)
    outcome = submission.record_page(db_session, inv.id, 0, {"e1": str(e1), "enps": str(enps)}, "submit", NOW,
                                     key=DRAFT_KEY)
    assert outcome.submitted
    return inv


def count(db_session, model, *where) -> int:
    return db_session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_submission_is_held_sealed_and_not_counted_until_its_team_has_k(db_session, make, wave):
    team = make.team(name="Ops")
    answer(db_session, make, wave, team, e1=5, enps=10)
    assert count(db_session, Response, Response.wave_id == wave.id) == 0
    receipt = db_session.scalar(select(SubmissionReceipt))
    assert receipt is not None and receipt.released is False  # the link is used up at once
    entry = db_session.scalar(select(PendingSubmission))
    # Sealed: none of the JSON it holds shows (a short byte string like a team id could occur by chance).
    assert entry.wave_id == wave.id and not {b'"team"', b'"answers"', b'"day"'} & {
        entry.payload[i:i + n] for n in (6, 9, 5) for i in range(len(entry.payload))}
    counts = participation.team_counts(db_session, [wave.id])
    assert [(c.invited, c.responded) for c in counts] == [(1, 0)]
    assert queue.release(db_session, wave.id) == 0  # one answer: below the threshold of 5


def test_a_team_reaching_k_is_released_shuffled_with_its_receipts_and_rollups(db_session, make, wave):
    ops, small = make.team(name="Ops"), make.team(name="Small")
    for i in range(5):
        answer(db_session, make, wave, ops, e1=1 + i)
    answer(db_session, make, wave, small)
    assert queue.release(db_session, wave.id) == 5
    assert count(db_session, Response, Response.team_id == ops.id) == 5
    assert count(db_session, Response, Response.team_id == small.id) == 0  # still held: one answer
    assert count(db_session, PendingSubmission) == 1
    released = {c.team: c.responded for c in participation.team_counts(db_session, [wave.id])}
    assert released == {"Ops": 5, "Small": 0}
    assert rollups.verify(db_session) is None


def test_closing_the_wave_releases_what_can_be_released_and_seals_a_lone_answer(db_session, make, wave):
    small = make.team(name="Small")
    answer(db_session, make, wave, small)
    scheduling.close_wave(db_session, wave.id, NOW, None)
    # Alone in the whole organisation: released, its receipt would name its author. It stays sealed.
    assert count(db_session, Response, Response.wave_id == wave.id) == 0
    assert count(db_session, PendingSubmission) == 1
    assert db_session.scalar(select(SubmissionReceipt.released)) is False
    assert rollups.verify(db_session) is None


def test_recent_joiners_never_make_up_a_batch(db_session, make, wave):
    """Planted accounts (which do not count towards size) answer with values their planter knows."""
    ops = make.team(name="Ops")
    for _ in range(4):  # as frozen at the opening for accounts or memberships younger than the period
        queue.hold(db_session, wave, ops.id, {}, NOW.date(), counted=False)
    answer(db_session, make, wave, ops)  # the one real person
    assert queue.release(db_session, wave.id) == 0
    assert queue.release(db_session, wave.id, everything=True) == 0  # still one counted answer: sealed
    make.peers(wave, ops, 4)
    assert queue.release(db_session, wave.id) == 9  # five counted answers; the planted four ride along


def test_a_closing_wave_pools_small_remainders_with_the_parent(db_session, make, wave):
    """A team left with fewer than k answers at the close would pair its receipts with its responses."""
    dept = make.team(name="Dept")
    lone, other = make.team(name="Lone", parent=dept), make.team(name="Other", parent=dept)
    answer(db_session, make, wave, lone)
    for _ in range(4):
        answer(db_session, make, wave, other)
    assert queue.release(db_session, wave.id, everything=True) == 5
    assert set(db_session.scalars(select(Response.team_id).where(Response.wave_id == wave.id))) == {dept.id}
    assert count(db_session, SubmissionReceipt, SubmissionReceipt.released.is_(False)) == 0
    assert rollups.verify(db_session) is None


def test_two_backups_never_pair_a_receipt_with_fewer_than_k_responses(db_session, make, wave):
    """Attack 4: diff the receipts and responses of two snapshots; every new response set of a team is
    either empty or at least k, so a new receipt matches at least k candidate responses."""
    ops = make.team(name="Ops")
    snapshots = []
    for i in range(7):
        answer(db_session, make, wave, ops, e1=1 + i % 5)
        queue.release_ready(db_session)
        snapshots.append((set(db_session.scalars(select(SubmissionReceipt.invitation_id)
                                                 .where(SubmissionReceipt.released))),
                          set(db_session.scalars(select(Response.id)))))
    for (r1, s1), (r2, s2) in zip(snapshots, snapshots[1:]):
        new_responses = len(s2 - s1)
        assert new_responses == 0 or new_responses >= 5
        assert len(r2 - r1) == new_responses  # staff counts move with the same batches


def test_a_changed_key_is_refused_with_a_clear_message(db_session, make, wave):
    answer(db_session, make, wave, make.team())
    db_session.info["queue_key"] = derive_key("another secret")
    with pytest.raises(TandemError, match="cannot be decrypted: the queue key changed"):
        queue.release(db_session, wave.id, everything=True)


def test_postgresql_a_batch_shares_one_xmin_so_it_pairs_no_single_receipt(db_session, make, wave, engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("xmin is PostgreSQL's transaction id")
    ops = make.team()
    for _ in range(5):
        answer(db_session, make, wave, ops)
    db_session.commit()  # each submission in its own savepoint; the release in one more
    queue.release(db_session, wave.id)
    db_session.commit()
    xmins = set(db_session.execute(text("SELECT xmin::text FROM responses WHERE wave_id = :w"), {"w": wave.id}).scalars())
    assert len(xmins) == 1


def test_the_sqlite_wal_is_truncated_after_a_checkpoint(tmp_path):
    """Attack 3: a copy of the files must not hold old pages; secure_delete and a truncated WAL."""
    db = tmp_path / "t.db"
    engine = make_engine(f"sqlite:///{db}")
    Base.metadata.create_all(engine)  # a scratch file for this test only; the app uses migrations
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE scratch (v TEXT)"))
        conn.execute(text("INSERT INTO scratch VALUES ('a secret draft')"))
        conn.execute(text("DELETE FROM scratch"))
    assert checkpoint(engine) is True
    wal = db.with_name(db.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    assert b"a secret draft" not in db.read_bytes()
    assert oct(db.stat().st_mode & 0o777) == "0o600"
    engine.dispose()
