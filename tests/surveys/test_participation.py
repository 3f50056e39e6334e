"""Participation: one definition of "responded" (a receipt), small groups hidden, one neutral label."""
from __future__ import annotations

import dataclasses

import pytest

from surveys.errors import NotFound
from surveys.insights import overview, participation
from surveys.models import SubmissionReceipt


@pytest.fixture
def wave_with_teams(db_session, make):
    """Build a wave whose teams have (invited, responded) as given; returns the wave."""

    def build(spec: dict[str, tuple[int, int]], k: int = 5, wave=None):
        wave = wave or make.wave(status="open")
        wave.min_group_size = k
        for name, (invited, responded) in spec.items():
            team = make.team(name=name)
            for i in range(invited):
                inv, _token = make.invitation(wave, make.person(team=team))
                if i < responded:
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
    assert report.hidden_teams == 0 and not any(t.hidden for t in report.teams)
    assert (report.shown_invited, report.shown_responded, report.invited_all) == (18, 11, 18)
    assert report.shown_rate == pytest.approx(11 / 18)


def test_small_team_and_its_protector_look_the_same(db_session, wave_with_teams):
    wave = wave_with_teams({"Alpha": (10, 8), "Beta": (7, 5), "Gamma": (4, 2)})
    report = participation.team_participation(db_session, wave.id)
    teams = by_team(report)
    # The wave's total is public on the program page: with Gamma alone hidden, total - Alpha - Beta = Gamma.
    assert teams["Gamma"].hidden and teams["Beta"].hidden and teams["Alpha"].responded == 8
    # Nothing in a hidden row says whether it is the small team or the one protecting it.
    assert dataclasses.asdict(teams["Gamma"]).keys() == {"team", "invited", "responded", "rate", "team_id"}
    assert (teams["Gamma"].responded, teams["Gamma"].rate) == (teams["Beta"].responded, teams["Beta"].rate)
    assert teams["Gamma"].invited == 4  # invitation counts are not sensitive and stay visible
    assert (report.hidden_teams, report.shown_invited, report.shown_responded) == (2, 10, 8)
    assert report.invited_all == 21


def test_a_team_with_no_answers_is_hidden_and_totals_cover_visible_teams_only(db_session, wave_with_teams):
    wave = wave_with_teams({"Alpha": (10, 6), "Beta": (8, 0)})
    report = participation.team_participation(db_session, wave.id)
    teams = by_team(report)
    assert teams["Beta"].hidden  # zero is hidden like any other small count
    visible = [t for t in report.teams if not t.hidden]
    assert report.shown_responded == sum(t.responded for t in visible)
    assert report.shown_invited == sum(t.invited for t in visible)
    assert report.hidden_teams == len(report.teams) - len(visible)


def test_threshold_is_the_stricter_of_the_wave_and_the_configuration(db_session, wave_with_teams):
    wave = wave_with_teams({"Alpha": (10, 6), "Beta": (10, 6)}, k=7)
    report = participation.team_participation(db_session, wave.id)
    assert all(t.hidden for t in report.teams) and report.shown_rate is None and report.min_group_size == 7
    wave.min_group_size = 5
    assert not any(t.hidden for t in participation.team_participation(db_session, wave.id).teams)
    raised = participation.team_participation(db_session, wave.id, floor=8)
    assert all(t.hidden for t in raised.teams) and raised.min_group_size == 8


def test_wave_without_invitations_and_unknown_wave(db_session, make):
    wave = make.wave(status="draft")
    report = participation.team_participation(db_session, wave.id)
    assert report.teams == () and report.invited_all == 0 and report.imported == 0
    with pytest.raises(NotFound):
        participation.team_participation(db_session, 999_999)


def test_team_counts_count_receipts_per_team(db_session, make, wave_with_teams):
    wave = wave_with_teams({"Alpha": (4, 3), "Beta": (2, 0)})
    counts = {c.team: (c.invited, c.responded) for c in participation.team_counts(db_session, [wave.id])}
    assert counts == {"Alpha": (4, 3), "Beta": (2, 0)}
    assert participation.team_counts(db_session, []) == []


def test_wave_counts_suppress_small_responded_counts(db_session, make, wave_with_teams):
    big = wave_with_teams({"Alpha": (9, 6)})
    small = wave_with_teams({"Beta": (3, 3)}, wave=make.wave(big.program, status="open", label="small"))
    counts = participation.wave_counts(db_session, big.program.waves)
    assert counts[big.id] == participation.WaveCount(9, 6, 0, 5)
    assert counts[big.id].rate == pytest.approx(6 / 9)
    assert counts[small.id] == participation.WaveCount(3, None, 0, 5)
    assert participation.wave_counts(db_session, big.program.waves, floor=7)[big.id].responded is None


def test_imported_responses_are_counted_apart_from_invitations(db_session, make, wave_with_teams):
    wave = wave_with_teams({"Alpha": (10, 6)})
    team = make.team()
    make.responses(wave, team, 7, "import")
    count = participation.wave_counts(db_session, [wave])[wave.id]
    assert (count.invited, count.responded, count.imported) == (10, 6, 7)
    assert count.rate == pytest.approx(0.6)  # imports never inflate the rate
    report = participation.team_participation(db_session, wave.id)
    assert report.imported == 7 and report.shown_responded == 6
    few = wave_with_teams({"Beta": (10, 6)}, wave=make.wave(wave.program, status="open", label="few"))
    make.responses(few, team, 2, "import")
    assert participation.wave_counts(db_session, [few])[few.id].imported is None


def test_customer_wave_counts_come_from_link_responses(db_session, make):
    program = make.program(audience="customer", cadence="always_on")
    wave = make.wave(program, status="open", label="2026-11")
    team = make.team()
    make.responses(wave, team, 6, "public_link")
    make.responses(wave, team, 5, "import")
    assert participation.wave_counts(db_session, [wave])[wave.id] == participation.WaveCount(0, 6, 5, 5)


def test_reports_index_uses_the_same_counts(db_session, make, wave_with_teams):
    wave = wave_with_teams({"Alpha": (10, 6)})
    # A response row without a receipt (an import) must not turn into an answered invitation.
    make.responses(wave, make.team(), 3, "import")
    row = next(w for w in overview.wave_participation(db_session, 5) if w.label == wave.label)
    assert (row.invited, row.responses, row.imported, row.threshold) == (10, 6, None, 5)
    assert next(w for w in overview.wave_participation(db_session, 7) if w.label == wave.label).responses is None
