"""Sign-in throttling: failed sign-ins counted per account and per address in the database."""
from __future__ import annotations

import hashlib
import hmac

from sqlalchemy.orm import Session

from surveys import ratelimit
from surveys.ratelimit import RateLimit

# Failed sign-ins allowed per account and per client address in 15 minutes, then refused until the
# window ends (even with the right password), which makes password guessing impractical.
FAILED_SIGN_INS = RateLimit(10, 900)
FAILED_SIGN_INS_PER_ADDRESS = RateLimit(30, 900)


def throttle_keys(secret: str, email: str, address: str | None) -> dict[str, RateLimit]:
    """Counter keys (keyed hashes, never the email or address) for an account and an address."""
    digest = lambda text: hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()[:58]  # noqa: E731
    return {"login:" + digest(f"account:{(email or '').strip().lower()}"): FAILED_SIGN_INS,
            "login:" + digest(f"address:{address or 'unknown'}"): FAILED_SIGN_INS_PER_ADDRESS}


def sign_in_blocked(session: Session, keys: dict[str, RateLimit]) -> bool:
    """True when the account or the address has used up its failed sign-ins for this window."""
    return any(ratelimit.hits(session, key, limit) >= limit.max_hits for key, limit in keys.items())


def record_failed_sign_in(session: Session, keys: dict[str, RateLimit]) -> None:
    """Count one failed sign-in against the account and the address."""
    for key, limit in keys.items():
        ratelimit.count_hit(session, key, limit)
