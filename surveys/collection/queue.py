"""The submission queue: employee answers are held encrypted and released to `responses` in batches.

A submission writes its receipt (so the link cannot be used twice) and an encrypted pending entry that
names no invitation. `release` later writes the pending answers of every team that has gathered at
least the wave's minimum group size, in a shuffled order, in one transaction that also marks those
teams' receipts released, updates the rollups and deletes the entries; a closing wave releases what
is left. So no backup diff, no PostgreSQL `xmin` and no row order pairs a response with its receipt
more finely than a batch of at least k answers of one team, and staff counts move with the batches.

The key (32 bytes) is configuration, never stored in the database: `session.info["queue_key"]`,
set by the web app and the CLI from TANDEM_QUEUE_KEY or derived from the secret key.
"""
from __future__ import annotations

import datetime as dt
import json
import secrets
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from surveys.collection.storage import store_response
from surveys.errors import TandemError
from surveys.models import Invitation, PendingSubmission, Question, SubmissionReceipt, Team, Wave
from surveys.rollups import participation

_shuffle = secrets.SystemRandom().shuffle


class QueueKeyMissing(TandemError):
    """The session carries no queue key: the caller forgot to configure it (a programming error)."""

    status = 500


def _key(session: Session) -> bytes:
    key = session.info.get("queue_key")
    if not key:
        raise QueueKeyMissing("The submission queue has no key; set TANDEM_QUEUE_KEY or TANDEM_SECRET_KEY.")
    return key


def _aad(wave_id: int) -> bytes:
    return f"wave:{wave_id}".encode()  # an entry moved to another wave does not decrypt


@dataclass(frozen=True)
class Held:
    """A decrypted pending entry: the team it counts for, its day and answers (question id, value, text)."""

    entry_id: int
    team_id: int
    day: dt.date
    answers: tuple[tuple[int, int | None, str | None], ...]
    counted: bool = True


def hold(session: Session, wave: Wave, team_id: int, parsed: Mapping[Question, tuple], today: dt.date,
         counted: bool = True) -> None:
    """Queue one employee submission, encrypted; nothing in the row says whose or when (the day is inside).

    `counted`: the invitee counted towards the unit's size when the wave opened (Invitation.counted)."""
    body = json.dumps({"team": team_id, "day": today.isoformat(), "counted": bool(counted),
                       "answers": [[q.id, value, text] for q, (value, text) in parsed.items()]}).encode()
    nonce = secrets.token_bytes(12)
    sealed = nonce + AESGCM(_key(session)).encrypt(nonce, body, _aad(wave.id))
    # A Core INSERT (the id's random default applies): nothing reads the entry back in this transaction.
    session.execute(_HOLD, {"wave_id": wave.id, "payload": sealed})


_HOLD = insert(PendingSubmission.__table__)  # built once: every employee submission runs it


def _open(session: Session, entry: PendingSubmission) -> Held:
    key = _key(session)
    try:
        body = AESGCM(key).decrypt(entry.payload[:12], entry.payload[12:], _aad(entry.wave_id))
    except InvalidTag:
        raise TandemError(f"A queued submission of wave {entry.wave_id} cannot be decrypted: the queue key "
                          "changed since it was queued. Restore the previous TANDEM_QUEUE_KEY.") from None
    data = json.loads(body)
    return Held(entry.id, int(data["team"]), dt.date.fromisoformat(data["day"]),
                tuple((int(q), v, t) for q, v, t in data["answers"]), bool(data.get("counted", True)))


def held(session: Session, wave_id: int) -> list[Held]:
    """The queued submissions of a wave, opened with the session's key (for release and for checks)."""
    return [_open(session, entry) for entry in
            session.scalars(select(PendingSubmission).where(PendingSubmission.wave_id == wave_id))]


def pending_waves(session: Session) -> list[int]:
    """Ids of waves with queued submissions."""
    return list(session.scalars(select(PendingSubmission.wave_id).distinct()))


def release(session: Session, wave_id: int, *, everything: bool = False) -> int:
    """Write the queued answers of every team with at least k counted ones; returns how many were written.

    The wave row is locked FOR UPDATE so two hosts cannot release the same entries, and submissions
    (which hold it FOR SHARE) finish first. Only answers of invitees who counted towards their unit's
    size (Invitation.counted) make up the k; recent joiners' answers ride along. With `everything` (the
    wave closes), a team left short of k has its answers pooled with its parent's, up the tree, so no
    batch is small enough to pair a receipt with a response; whatever is still short of k at a root
    stays sealed in the queue and is never reported (see the README's threat model).
    """
    wave = session.scalar(select(Wave).where(Wave.id == wave_id).with_for_update())
    k = wave.min_group_size
    by_team: dict[int, list[Held]] = defaultdict(list)
    for entry in held(session, wave_id):
        by_team[entry.team_id].append(entry)
    ready = {t: h for t, h in by_team.items() if _counted(h) >= k}
    if everything:
        # A group still short of k after pooling is a root's: releasing it would let a backup tell whose
        # the answers are (or the planter of accounts subtract their own), so it stays sealed.
        parents = {team_id: parent for team_id, parent in session.execute(select(Team.id, Team.parent_id))}
        ready = {t: h for t, h in pool_groups(by_team, parents, k).items() if _counted(h) >= k}
    batch = [(unit, h) for unit, group in ready.items() for h in group]
    if not batch:
        return 0
    _shuffle(batch)
    questions = {q.id: q for q in wave.survey.questions}
    for unit, entry in batch:
        store_response(session, wave=wave, team_id=unit, source="invitation", today=entry.day,
                       parsed={questions[q]: (v, t) for q, v, t in entry.answers})
    session.execute(delete(PendingSubmission).where(PendingSubmission.id.in_([h.entry_id for _u, h in batch])))
    _release_receipts(session, wave_id, sorted({h.team_id for _u, h in batch}))
    session.flush()
    return len(batch)


def _counted(held: list) -> int:
    return sum(1 for h in held if h.counted)


def pool_groups(by_team: dict[int, list], parents: dict[int, int | None], k: int) -> dict[int, list]:
    """Queued answers grouped by the unit they are stored under: groups with fewer than k counted answers
    move to their parent, deepest first, until none can move (a root keeps what reaches it)."""

    def depth(team_id: int) -> int:
        d, seen = 0, {team_id}
        while parents.get(team_id) is not None and parents[team_id] not in seen:
            team_id = parents[team_id]
            seen.add(team_id)
            d += 1
        return d

    groups = {t: list(h) for t, h in by_team.items()}
    while True:
        short = [t for t in groups if _counted(groups[t]) < k and parents.get(t) is not None]
        if not short:
            return groups
        team_id = max(short, key=depth)
        groups.setdefault(parents[team_id], []).extend(groups.pop(team_id))


def _release_receipts(session: Session, wave_id: int, team_ids: list[int]) -> None:
    """Mark released the receipts of the released teams: counts shown to staff (the participation rollup)
    move with the batch."""
    # The unit frozen at the opening is the team the queued answers carry (submission.submit_invitation).
    mine = select(Invitation.id).where(Invitation.wave_id == wave_id, Invitation.unit_team_id.in_(team_ids))
    released = session.execute(update(SubmissionReceipt).where(SubmissionReceipt.invitation_id.in_(mine),
                                                               SubmissionReceipt.released.is_(False))
                               .values(released=True).returning(SubmissionReceipt.invitation_id)
                               .execution_options(synchronize_session=False)).scalars().all()
    participation.add_released(session, released)


def release_ready(session: Session) -> int:
    """Release every wave's ready teams (closed waves: everything); returns the number of answers released."""
    total = 0
    for wave_id in pending_waves(session):
        status = session.scalar(select(Wave.status).where(Wave.id == wave_id))
        total += release(session, wave_id, everything=status == "closed")
    return total
