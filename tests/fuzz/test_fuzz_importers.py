"""The CSV importers with generated files (BOMs, CR/LF mixes, quotes, delimiters, NULs, invalid UTF-8, huge
cells): each returns a result or raises a domain error, and only an ok, real run adds rows."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from surveys import ingestion
from surveys.errors import TandemError
from tests.fuzz.conftest import domain_counts, example_savepoint
from tests.fuzz.strategies import EXAMPLES, as_file, csv_files, fuzz_settings

EMAILS = ("ana@example.com", "ANA@example.com", "lee@example.com", "no-at-sign", "")
GOOD = {  # plausible cells by column; the fuzzer mixes them with hostile ones
    "team_code": ("OPS", "NEW-1", "NEW-2", "ops", "NOPE"), "parent_code": ("", "OPS", "NEW-1", "NEW-2"),
    "team_name": ("New team", "Ops", ""), "lead_email": EMAILS, "email": EMAILS, "name": ("Ana", "Lee", ""),
    "role": ("employee", "team_lead", "hr_admin", "executive", "boss"), "code": ("WEB-SHOP", "NEW-TP", "x y"),
    "channel": ("web", "phone", "", "fax"), "touchpoint": ("WEB-SHOP", "web-shop", "NEW-TP"),
    "date": ("2026-11-29", "2026-11-30", "2025-06-01", "2030-01-01", "29/11/2026"),
    "submitted_on": ("2025-01-05", "2025-01-31", "2025-03-01", "2025-1-5"),
    "csat": ("", "1", "5", "6"), "nps": ("", "0", "10", "11"), "ces": ("", "1", "7"), "comment": ("", "Fine", "ok"),
    "eng1": ("1", "5", "0", ""), "enps": ("0", "10", "-1", ""),
    "title": ("Stand-up", "stand-up ", "=SUM(1)", ""), "metric": ("process", "eNPS", "outcome:churn", "nope", ""),
    "start": ("2026-01-05", "2026-03-31", "5/1/2026"), "due": ("2026-03-31", "2026-01-04", ""),
    "status": ("planned", "in progress", "DONE", "abandoned", "started"),
    "owner_email": ("lead@example.com", "LEAD@example.com", "ana@example.com", "nobody@example.com", ""),
    "description": ("", "Talk", "@x"), "target": ("", "75", "120", "x"), "visibility": ("", "leaders", "all"),
    "period": ("2026-03", "2026-Q1", "2025", "2026-13", "2030-01", "2026-03-01..2026-03-31"),
    "unit": ("OPS", "WEB-SHOP", "ops", "team:OPS", ""), "value": ("3.2", "x", "-1", "3,5", "1e3"),
    "n": ("", "100", "-5", "1.5"), "label": ("", "Churn"), "direction": ("", "lower", "sideways"),
    "unit_of_measure": ("", "%", "EUR"),
}


@pytest.fixture
def past_wave(make, db_session):
    """A closed employee wave that sent no invitations: historical responses may go into it."""
    wave = make.wave(make.program(), status="closed", label="2025-01", opens_at=dt.datetime(2025, 1, 1), days=30)
    make.staff(role="team_lead", email="lead@example.com")  # the owner of imported actions
    db_session.commit()
    return wave


def importers(world, past_wave):
    """name -> (header, call(session, file, dry_run))."""
    def org(kind):
        def call(session, f, dry_run, second=None):
            files = [as_file(f)] + ([as_file(second)] if second is not None else [])
            return ingestion.import_org_files(session, files, expected=kind, dry_run=dry_run,
                                              deactivate_missing=dry_run)
        return call

    return {
        "feedback": (ingestion.FEEDBACK_COLUMNS, lambda s, f, dry_run: ingestion.import_feedback(
            s, as_file(f), program_code=world.cx_program.code, dry_run=dry_run)),
        "responses": (ingestion.RESPONSE_FIXED_COLUMNS + ("eng1", "enps", "comment"),
                      lambda s, f, dry_run: ingestion.import_responses(
                          s, as_file(f), program_code=past_wave.program.code, wave_label=past_wave.label,
                          dry_run=dry_run)),
        "teams": (ingestion.TEAM_COLUMNS, org("teams")),
        "people": (ingestion.PEOPLE_COLUMNS, org("people")),
        "touchpoints": (ingestion.TOUCHPOINT_COLUMNS, lambda s, f, dry_run: ingestion.import_touchpoints(
            s, as_file(f), dry_run=dry_run)),
        "actions": (ingestion.ACTION_COLUMNS, lambda s, f, dry_run: ingestion.import_actions(
            s, as_file(f), dry_run=dry_run)),
        "outcomes": (ingestion.OUTCOME_COLUMNS, lambda s, f, dry_run: ingestion.import_outcomes(
            s, as_file(f), dry_run=dry_run)),
    }


@pytest.mark.parametrize("kind", ["feedback", "responses", "teams", "people", "touchpoints", "actions", "outcomes"])
def test_importer_is_all_or_nothing(world, past_wave, connection, db_session, kind):
    header, call = importers(world, past_wave)[kind]

    @fuzz_settings(EXAMPLES)
    @given(data=csv_files(header, GOOD), dry_run=st.booleans())
    def check(data, dry_run):
        with example_savepoint(connection, db_session):
            before = domain_counts(connection)
            try:
                result = call(db_session, data, dry_run)
            except TandemError as exc:
                assert exc.message
                result = None
            event("raised" if result is None else f"ok={result.ok} rows={min(result.rows, 3)}")
            db_session.flush()
            after = domain_counts(connection)
            if result is None or not result.ok or result.dry_run:
                assert after == before, f"{kind}: rows added by a refused or dry run: {result and result.summary}"
            if result is not None and not result.ok:
                assert result.errors and all(str(e) for e in result.errors)

    check()


def test_two_org_files_are_all_or_nothing(world, past_wave, connection, db_session):
    _header, call = importers(world, past_wave)["teams"]

    @fuzz_settings(EXAMPLES)
    @given(teams=csv_files(ingestion.TEAM_COLUMNS, GOOD), people=csv_files(ingestion.PEOPLE_COLUMNS, GOOD))
    def check(teams, people):
        with example_savepoint(connection, db_session):
            before = domain_counts(connection)
            try:
                result = call(db_session, teams, False, second=people)
            except TandemError:
                result = None
            db_session.flush()
            if result is None or not result.ok:
                assert domain_counts(connection) == before

    check()
