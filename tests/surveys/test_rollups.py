"""Rollups kept at write time: hand-worked sums, every write path, verify and rebuild, the CLI."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import select, update

from surveys import rollups
from surveys.collection import public_links, submission
from surveys.ingestion import import_feedback
from surveys.models import RollupCustomerDay, RollupDimension, RollupItem, RollupResponses, utcnow

from .test_imports_feedback import CX_QUESTIONS, HEADER

NOW = utcnow()
EX_QUESTIONS = [
    {"code": "e1", "qtype": "likert5", "dimension": "engagement"},
    {"code": "e2", "qtype": "likert5", "dimension": "engagement", "reverse_keyed": True},
    {"code": "enps", "qtype": "scale0_10", "dimension": "enps"},
    {"code": "note", "qtype": "text", "dimension": "comment", "required": False},
]


@pytest.fixture
def ex(make):
    program = make.program(survey=make.survey(questions=EX_QUESTIONS))
    wave = make.wave(program, opens_at=NOW - dt.timedelta(days=1))
    return wave, make.team(code="OPS")


def store(db_session, wave, team, values: dict, *, touchpoint=None, source="invitation", today=None):
    questions = {q.code: q for q in wave.survey.questions}
    parsed = {questions[c]: (v, None) if not isinstance(v, str) else (None, v) for c, v in values.items()}
    return submission.store_response(db_session, wave=wave, team_id=team.id, source=source, parsed=parsed,
                                     today=today or NOW.date(), touchpoint=touchpoint)


def row(db_session, model, **key):
    return db_session.scalar(select(model).filter_by(**key))


def test_employee_answers_are_summed_per_question_and_per_respondent(db_session, ex):
    wave, team = ex
    # Respondent A: e1=5 (fav), e2=1 (reverse-keyed: fav), eNPS 9 (promoter) -> engagement 100% favourable.
    # Respondent B: e1=3, e2=5 (reverse: unfavourable), eNPS 6 (detractor) -> 0% favourable.
    store(db_session, wave, team, {"e1": 5, "e2": 1, "enps": 9, "note": "fine"})
    store(db_session, wave, team, {"e1": 3, "e2": 5, "enps": 6})
    e1, e2, enps = (q.id for q in wave.survey.questions[:3])
    item = row(db_session, RollupItem, wave_id=wave.id, team_id=team.id, question_id=e1)
    assert (item.n, item.total, item.total_sq, item.favourable) == (2, 8, 34, 1)
    assert row(db_session, RollupItem, wave_id=wave.id, team_id=team.id, question_id=e2).favourable == 1
    nps = row(db_session, RollupItem, wave_id=wave.id, team_id=team.id, question_id=enps)
    assert (nps.promoters, nps.passives, nps.detractors, nps.favourable) == (1, 0, 1, 0)
    eng = row(db_session, RollupDimension, wave_id=wave.id, team_id=team.id, dimension="engagement")
    assert (eng.n_fav, eng.fav_sum, eng.fav_sq) == (2, 100.0, 10_000.0)  # mean of respondents' % = 50
    e = row(db_session, RollupDimension, wave_id=wave.id, team_id=team.id, dimension="enps")
    assert (e.n, e.prom, e.det, e.net_sq, e.mean) == (2, 1.0, 1.0, 2.0, 15.0)
    assert row(db_session, RollupDimension, wave_id=wave.id, team_id=team.id, dimension="comment") is None
    assert row(db_session, RollupResponses, wave_id=wave.id, team_id=team.id, source="invitation").n == 2
    assert rollups.verify(db_session) is None


def test_a_public_link_answer_lands_in_its_touchpoint_and_day(db_session, make):
    program = make.program(survey=make.survey(audience="customer", questions=CX_QUESTIONS), code="CXR",
                           cadence="always_on")
    wave = make.wave(program, opens_at=NOW - dt.timedelta(days=1))
    tp = make.touchpoint(team=make.team(), code="WEBR")
    limit = public_links.RateLimit(100, 60)
    for csat, nps_ in (("5", "10"), ("2", "7")):
        public_links.submit_public(db_session, "CXR", "WEBR", {"csat": csat, "nps": nps_, "ces": "6"},
                                   client="k", limit=limit, now=NOW)
    csat = row(db_session, RollupCustomerDay, day=NOW.date(), touchpoint_id=tp.id, team_id=tp.team_id,
               metric="csat")
    assert (csat.n, csat.top2, csat.mean, csat.mean_sq) == (2, 1.0, 7.0, 29.0)
    nps = row(db_session, RollupCustomerDay, day=NOW.date(), touchpoint_id=tp.id, team_id=tp.team_id,
              metric="nps")
    assert (nps.n, nps.prom, nps.det) == (2, 1.0, 0.0)
    assert row(db_session, RollupResponses, wave_id=wave.id, team_id=tp.team_id, source="public_link").n == 2
    assert rollups.verify(db_session) is None


def test_an_imported_file_is_summed_in_the_same_transaction(db_session, make):
    program = make.program(survey=make.survey(audience="customer", questions=CX_QUESTIONS), code="CXI")
    make.wave(program, label="jan", opens_at=dt.datetime(2026, 1, 1), days=31, status="closed")
    tp = make.touchpoint(team=make.team(), code="TELI", channel="phone")
    rows = "".join(f"TELI,2026-01-{d:02d},phone,{1 + d % 5},{d % 11},{1 + d % 7},\n" for d in range(1, 29))
    result = import_feedback(db_session, io.BytesIO((HEADER + rows).encode()), program_code="CXI")
    assert result.ok, result.errors
    days = db_session.scalars(select(RollupCustomerDay).where(RollupCustomerDay.touchpoint_id == tp.id)).all()
    assert sum(d.n for d in days if d.metric == "csat") == 28
    assert rollups.verify(db_session) is None


def test_verify_names_the_first_difference_and_rebuild_repairs_it(db_session, ex):
    wave, team = ex
    store(db_session, wave, team, {"e1": 4, "e2": 2, "enps": 8})
    db_session.execute(update(RollupItem).values(n=RollupItem.n + 1))
    difference = rollups.verify(db_session)
    assert difference is not None and difference.table == "rollup_items" and difference.column == "n"
    assert difference.key["wave_id"] == wave.id and (difference.rollup, difference.raw) == (2, 1)
    assert "rollup_items" in str(difference) and "is 2 in the rollup but 1 in the raw tables" in str(difference)
    rollups.rebuild(db_session)
    assert rollups.verify(db_session) is None


def test_a_missing_rollup_row_is_a_difference(db_session, ex):
    wave, team = ex
    store(db_session, wave, team, {"e1": 4, "e2": 2, "enps": 8})
    db_session.execute(RollupResponses.__table__.delete())
    difference = rollups.verify(db_session)
    assert difference.table == "rollup_responses" and difference.rollup is None and difference.raw == 1


def test_cli_verify_and_rebuild(runner, db_session, ex):
    wave, team = ex
    store(db_session, wave, team, {"e1": 4, "e2": 2, "enps": 8})
    db_session.commit()
    ok = runner.invoke(args=["rollup", "verify"])
    assert ok.exit_code == 0 and "Rollups match the raw tables." in ok.output
    db_session.execute(update(RollupDimension).values(fav_sum=RollupDimension.fav_sum + 7))
    db_session.commit()
    bad = runner.invoke(args=["rollup", "verify"])
    assert bad.exit_code == 1 and "rollup_dimensions" in bad.output and "fav_sum" in bad.output
    assert "tandem rollup rebuild" in bad.output
    fixed = runner.invoke(args=["rollup", "rebuild"])
    assert fixed.exit_code == 0 and runner.invoke(args=["rollup", "verify"]).exit_code == 0


def test_an_upgraded_database_gets_its_rollups_filled_once(app, db_session, ex):
    from webapp.cli.rollup import fill_if_empty

    wave, team = ex
    store(db_session, wave, team, {"e1": 4, "e2": 2, "enps": 8})
    for model in (RollupItem, RollupDimension, RollupCustomerDay, RollupResponses):
        db_session.execute(model.__table__.delete())  # as right after the migration that adds them
    db_session.commit()
    with app.app_context():
        assert fill_if_empty() is True
        assert fill_if_empty() is False  # already filled: a later upgrade leaves them alone
    assert rollups.verify(db_session) is None
