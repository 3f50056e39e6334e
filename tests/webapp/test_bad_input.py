"""Bad input anywhere gets a clear 400, never a 500 (NUL bytes break PostgreSQL text columns)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from surveys.errors import ValidationError
from surveys.question_types import parse_answer


def test_nul_byte_in_a_form_is_refused_with_a_clear_message(client):
    response = client.post("/login", data={"email": "a\x00@example.com", "password": "x"})
    assert response.status_code == 400 and b"NUL byte" in response.data


def test_nul_byte_in_a_query_string_is_refused(client):
    assert client.get("/login?next=/x%00y").status_code == 400


def test_nul_byte_in_an_answer_is_refused_by_the_shared_rules():
    question = SimpleNamespace(code="comment", qtype="text", required=False, choices=None)
    with pytest.raises(ValidationError, match="NUL byte"):
        parse_answer(question, "fine\x00text")
