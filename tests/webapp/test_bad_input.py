"""Bad input anywhere gets a clear 400, never a 500 (NUL bytes break PostgreSQL text columns)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from surveys.errors import ValidationError
from surveys.instruments.question_types import parse_answer


def test_nul_byte_in_a_form_is_refused_with_a_clear_message(client):
    response = client.post("/login", data={"email": "a\x00@example.com", "password": "x"})
    assert response.status_code == 400 and b"NUL byte" in response.data


def test_nul_byte_in_a_query_string_is_refused(client):
    assert client.get("/login?next=/x%00y").status_code == 400


@pytest.mark.parametrize("path", ["/r/c/P1290/%00", "/r/c/%00/DESK", "/r/i/%00abc"])
def test_nul_byte_in_an_address_is_refused(client, path):
    # Found by tests/fuzz/test_fuzz_paths.py on PostgreSQL: the public form looked the code up and got a 500.
    response = client.get(path)
    assert response.status_code == 400 and b"NUL byte" in response.data


def test_nul_byte_in_an_answer_is_refused_by_the_shared_rules():
    question = SimpleNamespace(code="comment", qtype="text", required=False, choices=None)
    with pytest.raises(ValidationError, match="NUL byte"):
        parse_answer(question, "fine\x00text")


def test_upload_limit_holds_before_csrf_reads_the_body(app_config, login, make):
    """QA finding: CSRFProtect parsed the whole body before the import view set its limit."""
    import io

    from webapp import create_app

    app = create_app({**app_config, "WTF_CSRF_ENABLED": True, "IMPORT_MAX_BYTES": 10_000})
    client = app.test_client()
    body = {"kind": "feedback", "file": (io.BytesIO(b"x" * 200_000), "big.csv")}
    response = client.post("/admin/imports", data=body, content_type="multipart/form-data")
    assert response.status_code == 413 and b"too large" in response.data


def test_stock_error_descriptions_are_replaced_by_plain_words(client, login):
    login("executive")
    page = client.get("/admin/").get_data(as_text=True)
    assert "read-protected" not in page and "not part of your role" in page
