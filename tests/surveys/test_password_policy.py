"""Password rules: 12 characters, not one of the 10,000 most common passwords, not the email's name part."""
from __future__ import annotations

import pytest

from demo import DEMO_PASSWORD
from surveys.errors import ValidationError
from surveys.org import accounts, password_policy


def _long_common() -> str:
    return next(p for p in sorted(password_policy.common_passwords()) if len(p) >= 12)


def test_the_shipped_list_has_ten_thousand_lower_case_passwords():
    common = password_policy.common_passwords()
    assert len(common) == 10_000 and "password" in common and "123456" in common
    assert all(p == p.lower() for p in common)


@pytest.mark.parametrize("password, email, rule", [
    ("short-pw", None, "at least 12 characters"),
    ("x" * 1025, None, "at most 1024 characters"),
    ("__COMMON__", None, "10,000 most common passwords"),
    ("__COMMON_UPPER__", None, "10,000 most common passwords"),
    ("Jane.Doe@Example.com", "jane.doe@example.com", "name part of the email address ('jane.doe')"),
    ("jane-doe-2026-pass", "jane-doe@example.com", "name part"),
    ("Ana.Ruiz.2026!", "ana.ruiz@example.com", "name part"),
])
def test_each_rule_is_named_when_broken(password, email, rule):
    password = {"__COMMON__": _long_common(), "__COMMON_UPPER__": _long_common().upper()}.get(password, password)
    with pytest.raises(ValidationError) as err:
        password_policy.check(password, email)
    assert rule in err.value.message and err.value.field == "password"


@pytest.mark.parametrize("password, email", [
    ("correct-horse-battery", "hr@example.com"),
    ("three horses ran home", "hr@example.com"),  # a short local part ("hr") is refused only alone
    (DEMO_PASSWORD, "lead.care-01@northwind.example"),
])
def test_good_passwords_pass(password, email):
    password_policy.check(password, email)


def test_demo_password_satisfies_the_rules_for_every_demo_login():
    for email in ("hr@northwind.example", "exec@northwind.example", "lead1@northwind.example"):
        password_policy.check(DEMO_PASSWORD, email)


def test_create_user_and_set_password_apply_the_rules(db_session):
    with pytest.raises(ValidationError, match="at least 12"):
        accounts.create_user(db_session, email="a@example.com", name="A", role="hr_admin", password="eleven-char")
    person = accounts.create_user(db_session, email="ana.ruiz@example.com", name="A", role="hr_admin",
                                  password="a-long-passphrase")
    with pytest.raises(ValidationError, match="name part"):
        accounts.set_password(db_session, person.email, "ana.ruiz-forever")
