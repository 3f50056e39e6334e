"""Single-use tokens: 192 random bits from `secrets`; only their SHA-256 is ever stored."""
from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 24  # 192 bits, above the 128-bit floor


def new_token() -> tuple[str, str]:
    """Return (token for the link, hash for the database)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    """SHA-256 hex digest of a token; a fast hash is fine because tokens are long and random."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
