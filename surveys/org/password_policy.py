"""Password rules for staff accounts: long enough, not a common password, not the email's name part."""
from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

from surveys.errors import ValidationError

MIN_LENGTH = 12
MAX_LENGTH = 1024
# A local part this long is refused inside a password too ("jane.doe2026!"); shorter ones ("hr") only alone.
LOCAL_PART_CONTAINED = 5


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of the 10,000 most common passwords, lower case."""
    text = files("surveys.org").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _plain(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


def check(password: str, email: str | None = None) -> None:
    """Raise ValidationError naming the first rule `password` breaks, or return None."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        raise ValidationError(f"Passwords need at least {MIN_LENGTH} characters; this one has {len(password)}.",
                              field="password")
    if len(password) > MAX_LENGTH:
        raise ValidationError(f"Passwords may have at most {MAX_LENGTH} characters.", field="password")
    lowered = password.lower()
    if lowered in common_passwords() or lowered.strip() in common_passwords():
        raise ValidationError("That password is one of the 10,000 most common passwords; choose another.",
                              field="password")
    local = (email or "").strip().lower().split("@", 1)[0]
    plain = _plain(password)
    if local and ((plain and plain in (_plain(local), _plain(email or "")))
                  or (len(local) >= LOCAL_PART_CONTAINED and local in lowered)):
        raise ValidationError("A password must not be or contain the name part of the email address "
                              f"('{local}').", field="password")
