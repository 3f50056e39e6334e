"""The daily customer rollup keeps the response's source and channel apart, and the migration that added
them refills the table with exactly the sums the write-time rollup computes."""
from __future__ import annotations

import datetime as dt
import importlib.util
import io
from pathlib import Path

from sqlalchemy import select, text

from surveys import rollups
from surveys.collection import submission
from surveys.ingestion import import_feedback
from surveys.models import RollupCustomerDay

from .test_imports_feedback import CX_QUESTIONS, HEADER

MIGRATION = next(Path(__file__).parents[2].glob("migrations/versions/*_c7e91d2b5a40_*.py"))


def _migration():
    spec = importlib.util.spec_from_file_location("customer_days_migration", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_surveyed_and_imported_answers_stay_apart_and_the_migration_sums_agree(db_session, make):
    program = make.program(survey=make.survey(audience="customer", questions=CX_QUESTIONS), code="CXS",
                           audience="customer")
    wave = make.wave(program, opens_at=dt.datetime(2026, 1, 1), days=60, status="open")
    tp = make.touchpoint(code="TPS", channel="web")
    csat = wave.survey.questions[0]
    for value in (5, 3):
        submission.store_response(db_session, wave=wave, team_id=tp.team_id, source="public_link", touchpoint=tp,
                                  parsed={csat: (value, None)}, today=dt.date(2026, 1, 5))
    result = import_feedback(db_session, io.BytesIO((HEADER + "TPS,2026-01-05,phone,4,9,,\nTPS,2026-01-05,,2,,,\n")
                                                    .encode()), program_code="CXS", now=dt.datetime(2026, 2, 1))
    assert result.ok, result.errors
    rows = db_session.execute(select(RollupCustomerDay.source, RollupCustomerDay.channel, RollupCustomerDay.n,
                                     RollupCustomerDay.top2).where(RollupCustomerDay.metric == "csat")
                              .order_by(RollupCustomerDay.source, RollupCustomerDay.channel)).all()
    # The imported row without a channel takes its touchpoint's (web); the other names phone.
    assert rows == [("import", "phone", 1, 1.0), ("import", "web", 1, 0.0), ("public_link", "web", 2, 1.0)]
    assert rollups.verify(db_session) is None
    m = _migration()
    fresh = db_session.execute(text(
        f"SELECT day, touchpoint_id, team_id, metric, source, channel, {m.TOTALS} FROM ({m.PER_RESPONDENT}) x "
        "GROUP BY day, touchpoint_id, team_id, metric, source, channel ORDER BY metric, source, channel")).all()
    stored = db_session.execute(select(*[RollupCustomerDay.__table__.c[c] for c in
                                         ("day", "touchpoint_id", "team_id", "metric", "source", "channel", *m.SUMS)])
                                .order_by(RollupCustomerDay.metric, RollupCustomerDay.source,
                                          RollupCustomerDay.channel)).all()
    assert [tuple(r[4:6]) + tuple(float(v) for v in r[6:]) for r in fresh] == \
        [tuple(r[4:6]) + tuple(float(v) for v in r[6:]) for r in stored]
