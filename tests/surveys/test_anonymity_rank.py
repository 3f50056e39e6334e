"""Property: over generated organisations, no person's answer can be derived from what Tandem releases.

Each organisation has a team tree, established people, planted accounts (an HR admin's fakes, whose
answers the attacker knows), lone leaders and moves between several waves. Every wave is run through
the product's own rules: storage units frozen at the opening (`units.pool`, counting only established
members), the submission queue's batches during the wave (a unit's answers leave the queue once k
counted people have answered) and at the close (`queue.pool_groups`; what stays short of k at a root
stays sealed). The attacker sees every batch as its own sum — as someone comparing backups taken
between batches would — knows who answered (the receipts) and knows the planted accounts' answers.

An answer is derivable exactly when its unit vector lies in the row space of that linear system, i.e.
when adding it leaves the rank unchanged. Each answer is its own unknown: a person's answers in two
waves are not assumed equal. CI runs 1,000 organisations (TANDEM_RANK_EXAMPLES to change it).
"""
from __future__ import annotations

import os
import random
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys.collection.queue import pool_groups
from surveys.fieldwork.units import pool

EXAMPLES = int(os.environ.get("TANDEM_RANK_EXAMPLES", "1000"))


@dataclass
class Entry:
    """A queued answer: who gave it (the model's person index) and whether they counted at the opening."""

    person: int
    counted: bool


@st.composite
def organisations(draw):
    k = draw(st.integers(3, 5))
    n_teams = draw(st.integers(1, 8))
    parents = {0: None} | {t: draw(st.integers(0, t - 1)) for t in range(1, n_teams)}
    n_people = draw(st.integers(1, 30))
    team_of = [draw(st.integers(0, n_teams - 1)) for _ in range(n_people)]
    planted = draw(st.integers(0, 6))  # an HR admin's fake accounts: never established
    team_of += [draw(st.integers(0, n_teams - 1)) for _ in range(planted)]
    waves = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**32 - 1))
    return k, parents, team_of, n_people, waves, seed


def _wave(rng: random.Random, k: int, parents: dict, team_of: list[int], established: list[bool],
          sybils: set[int]) -> tuple[list[list[int]], set[int]]:
    """Batches released in one wave (each a list of people) and the people who answered."""
    eligible: dict[int, int] = defaultdict(int)
    for person, team in enumerate(team_of):
        if established[person]:
            eligible[team] += 1
    unit = pool(parents, eligible, k, populated=set(team_of))
    answered = {p for p in range(len(team_of)) if p in sybils or rng.random() < 0.7}
    order = list(answered)
    rng.shuffle(order)
    pending: dict[int, list[Entry]] = defaultdict(list)
    batches: list[list[int]] = []
    for person in order:
        pending[unit[team_of[person]]].append(Entry(person, established[person]))
        if rng.random() < 0.3:  # `tandem tick` runs now and then during the wave
            for u in list(pending):
                if sum(e.counted for e in pending[u]) >= k:
                    batches.append([e.person for e in pending.pop(u)])
    closing = pool_groups(dict(pending), parents, k)
    batches += [[e.person for e in group] for group in closing.values() if sum(e.counted for e in group) >= k]
    for group in batches:
        assert sum(established[p] for p in group) >= k  # the rule the rank below relies on, checked directly
    return batches, answered


def _derivable(batches: list[list[int]], answered: set[int], known: set[int]) -> set[int]:
    """People whose answer lies in the row space of the batch sums plus the answers the attacker knows."""
    people = sorted(answered)
    col = {p: i for i, p in enumerate(people)}
    rows = [[1.0 if p in group else 0.0 for p in people] for group in batches]
    rows += [[1.0 if p == q else 0.0 for p in people] for q in known if q in col]
    if not rows:
        return set()
    system = np.array(rows)
    rank = np.linalg.matrix_rank(system)
    found = set()
    for p in people:
        if p in known:
            continue
        unit = np.zeros((1, len(people)))
        unit[0, col[p]] = 1.0
        if np.linalg.matrix_rank(np.vstack([system, unit])) == rank:
            found.add(p)
    return found


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organisations())
def test_no_answer_can_be_derived_from_released_batches(org):
    k, parents, team_of, n_real, waves, seed = org
    rng = random.Random(seed)
    team_of = list(team_of)
    sybils = set(range(n_real, len(team_of)))
    established = [p < n_real for p in range(len(team_of))]
    for _wave_number in range(waves):
        batches, answered = _wave(rng, k, parents, team_of, established, sybils)
        assert _derivable(batches, answered, known=sybils) == set()
        # Between waves: some people move (their new membership is too recent to count next time) and
        # those who moved last time are established again; the fakes never are.
        established = [p < n_real for p in range(len(team_of))]
        for person in range(n_real):
            if rng.random() < 0.2:
                team_of[person] = rng.randrange(len(parents))
                established[person] = False


def test_the_model_finds_a_derivable_answer_when_the_rule_is_broken():
    """A batch of one real person and k - 1 planted accounts: exactly the Sybil attack, found by the rank."""
    assert _derivable([[0, 1, 2, 3, 4]], answered={0, 1, 2, 3, 4}, known={1, 2, 3, 4}) == {0}
    assert _derivable([[0, 1, 2, 3, 4]], answered={0, 1, 2, 3, 4}, known={2, 3, 4}) == set()
