"""Per-team response rates with small groups hidden and no total that gives a hidden team away."""
from __future__ import annotations

import datetime as dt

import pytest

from surveys import participation
from surveys.errors import NotFound
from surveys.models import Response, SubmissionReceipt

ANSWERED = dt.datetime(2026, 11, 3)


@pytest.fixture
def wave_with_teams(db_session, make):
    """Build a wave whose teams have (invited, responded) as given; returns the wave."""

    def build(spec: dict[str, tuple[int, int]], k: int = 5):
        wave = make.wave(status="open")
        wave.min_group_size = k
        for name, (invited, responded) in spec.items():
            team = make.team(name=name)
            for i in range(invited):
                inv, _token = make.invitation(wave, make.person(team=team))
                if i < responded:
                    if i % 2:  # the respondent flow may record either marker; both count
                        inv.submitted_at = ANSWERED
                    else:
                        db_session.add(SubmissionReceipt(invitation_id=inv.id))
        db_session.flush()
        return wave

    return build


def by_team(report):
    return {t.team: t for t in report.teams}


def test_all_teams_large_enough_are_shown_with_rates(db_session, wave_with_teams):
    wave = wave_with_teams({"Alpha": (10, 6), "Beta": (8, 5)})
    report = participation.team_participation(db_session, wave.id)
    teams = by_team(report)
    assert (teams["Alpha"].invited, teams["Alpha"].responded, teams["Alpha"].rate) == (10, 6, 0.6)
    assert (teams["Beta"].responded, teams["Beta"].rate) == (5, 0.625)
    assert report.hidden_teams == 0
    assert (report.shown_invited, report.shown_responded, report.invited_all) == (18, 11, 18)
    assert report.shown_rate == pytest.approx(11 / 18)


def test_small_team_hidden_and_a_sibling_hidden_to_protect_it(db_session, wave_with_teams):
    wave = wave_with_teams({"Alpha": (10, 8), "Beta": (7, 5), "Gamma": (4, 2)})
    report = participation.team_participation(db_session, wave.id)
    teams = by_team(report)
    assert teams["Gamma"].responded is None and teams["Gamma"].rate is None and teams["Gamma"].reason == "small"
    # The wave's total is public elsewhere: with Gamma alone hidden, total - Alpha - Beta = Gamma.
    assert teams["Beta"].responded is None and teams["Beta"].reason == "protects"
    assert teams["Alpha"].responded == 8
    assert teams["Gamma"].invited == 4  # invitation counts are not sensitive and stay visible
    assert (report.hidden_teams, report.shown_invited, report.shown_responded) == (2, 10, 8)
    assert report.invited_all == 21


def test_teams_with_no_answers_yet_are_hidden_without_hiding_others(db_session, wave_with_teams):
    wave = wave_with_teams({"Alpha": (10, 6), "Beta": (8, 0)})
    teams = by_team(participation.team_participation(db_session, wave.id))
    assert teams["Beta"].responded is None and teams["Beta"].reason == "small"
    assert teams["Alpha"].responded == 6  # a hidden zero gives nothing away, so Alpha stays


def test_threshold_is_the_wave_frozen_minimum(db_session, wave_with_teams):
    wave = wave_with_teams({"Alpha": (10, 6), "Beta": (10, 6)}, k=7)
    report = participation.team_participation(db_session, wave.id)
    assert all(t.responded is None for t in report.teams)
    assert report.shown_rate is None


def test_wave_without_invitations_and_unknown_wave(db_session, make):
    wave = make.wave(status="draft")
    report = participation.team_participation(db_session, wave.id)
    assert report.teams == () and report.invited_all == 0
    with pytest.raises(NotFound):
        participation.team_participation(db_session, 999_999)


def test_wave_counts_suppress_small_responded_counts(db_session, make, wave_with_teams):
    big = wave_with_teams({"Alpha": (9, 6)})
    small = make.wave(big.program, status="open", label="small")
    for _ in range(3):
        inv, _ = make.invitation(small)
        inv.submitted_at = ANSWERED
    db_session.flush()
    counts = participation.wave_counts(db_session, big.program)
    assert counts[big.id] == participation.WaveCount(9, 6)
    assert counts[small.id] == participation.WaveCount(3, None)


def test_customer_wave_counts_come_from_responses(db_session, make):
    program = make.program(audience="customer", cadence="always_on")
    wave = make.wave(program, status="open", label="2026-11")
    team = make.team()
    for _ in range(6):
        db_session.add(Response(wave_id=wave.id, team_id=team.id, source="public_link",
                                submitted_on=dt.date(2026, 11, 3)))
    db_session.flush()
    assert participation.wave_counts(db_session, program)[wave.id] == participation.WaveCount(0, 6)
