"""100,000 feedback rows: streamed, bulk-inserted, in bounded memory."""
from __future__ import annotations

import datetime as dt
import time
import tracemalloc

import pytest
from sqlalchemy import func, select

from surveys.ingestion import import_feedback
from surveys.models import Answer, Response

from .test_imports_feedback import CX_QUESTIONS, HEADER

ROWS = 100_000
PEAK_LIMIT = 50 * 1024 * 1024  # keeping every row would need well over this


@pytest.mark.slow
def test_100k_feedback_rows_import_in_bounded_memory(db_session, make, tmp_path):
    program = make.program(survey=make.survey(audience="customer", questions=CX_QUESTIONS), code="CX")
    for month in range(1, 13):
        opens = dt.datetime(2025, month, 1)
        closes = dt.datetime(2025 + month // 12, month % 12 + 1, 1)
        make.wave(program, label=f"2025-{month:02d}", opens_at=opens, days=(closes - opens).days, status="closed")
    touchpoints = [make.touchpoint(code=f"TP{i}", channel="web").code for i in range(20)]
    path = tmp_path / "feedback.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(HEADER)
        day0 = dt.date(2025, 1, 1)
        for i in range(ROWS):
            day = day0 + dt.timedelta(days=i % 365)
            comment = f"Comment number {i}, quoted" if i % 10 == 0 else ""
            fh.write(f'{touchpoints[i % 20]},{day.isoformat()},,{i % 5 + 1},{i % 11},,"{comment}"\n')

    tracemalloc.start()
    started = time.perf_counter()
    try:
        with path.open("rb") as fh:
            result = import_feedback(db_session, fh)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    elapsed = time.perf_counter() - started

    assert result.ok, result.errors[:5]
    assert result.created == ROWS and len(result.counts) == 12
    assert db_session.scalar(select(func.count()).select_from(Response)) == ROWS
    assert db_session.scalar(select(func.count()).select_from(Answer)) == 2 * ROWS + ROWS // 10
    assert peak < PEAK_LIMIT, f"peak {peak / 1e6:.0f} MB"
    print(f"100k rows in {elapsed:.1f} s (under tracemalloc), peak {peak / 1e6:.1f} MB")
