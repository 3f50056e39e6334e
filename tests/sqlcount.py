"""Count (and keep) the SQL statements an engine runs while a block of test code runs."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event


@dataclass
class StatementLog:
    """Statements seen, in order, as (sql, parameters); `mark()` starts a new group (e.g. per request)."""

    statements: list[tuple[str, object]] = field(default_factory=list)
    groups: list[tuple[str, int]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.statements)

    def mark(self, label: str) -> None:
        self.groups.append((label, len(self.statements)))

    def per_group(self) -> dict[str, int]:
        """Statements run after each mark until the next one."""
        ends = [start for _label, start in self.groups[1:]] + [len(self.statements)]
        return {label: end - start for (label, start), end in zip(self.groups, ends)}


@contextmanager
def count_statements(engine):
    """Log every statement `engine` sends to the database (BEGIN and SAVEPOINTs of the SQLite recipe too)."""
    log = StatementLog()

    def _record(_conn, _cursor, statement, parameters, _context, _executemany):
        log.statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", _record)
    try:
        yield log
    finally:
        event.remove(engine, "before_cursor_execute", _record)
