"""cells.answer_memo: the registry decides each distinct (question, cell) once; bad values are never remembered."""
from __future__ import annotations

import pytest

from surveys.ingestion import cells

LIKERT = cells.QuestionInfo(1, "q1", "likert5", True, None, 1, 5)
NPS = cells.QuestionInfo(2, "nps", "scale0_10", True, None, 0, 10)
TEXT = cells.QuestionInfo(3, "comment", "text", False, None, None, None)


def test_a_remembered_value_is_the_registrys_answer_for_that_question_only():
    parse = cells.answer_memo()
    assert parse("4", LIKERT) == cells.answer("4", LIKERT) == (4, None)
    assert parse("4", LIKERT) == (4, None)
    assert parse("9", NPS) == (9, None)
    with pytest.raises(cells.CellError, match="outside the allowed range"):
        parse("9", LIKERT)  # valid for NPS, not for the 1-5 question


def test_bad_values_fail_every_time_and_text_is_not_kept():
    parse = cells.answer_memo(limit=1)
    for _ in range(2):
        with pytest.raises(cells.CellError):
            parse("x", LIKERT)
    assert parse("Nice", TEXT) == (None, "Nice")
    assert parse("3", LIKERT) == (3, None)
    assert parse("5", LIKERT) == (5, None)  # over the limit: parsed, just not remembered
