"""Two real PostgreSQL sessions: prove that one waits for a row lock the other holds."""
from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.orm import Session


def second_session_waits(engine, action: Callable[[Session], object], release: Callable[[], None]) -> list:
    """Run `action` in a second session while the caller holds a lock; check it waits, then `release`.

    Returns a one-item list: what `action` returned (after its commit) or the exception it raised.
    """
    outcome: list = []

    def work():
        with Session(engine) as second:
            second.execute(text("SET lock_timeout = '10s'"))
            try:
                result = action(second)
                second.commit()
                outcome.append(result)
            except Exception as exc:  # noqa: BLE001  (the caller asserts on what was raised)
                outcome.append(exc)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(0.5)
    assert worker.is_alive(), "the second session must wait for the lock, not slip in before it is released"
    release()
    worker.join(15)
    return outcome
