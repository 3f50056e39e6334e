"""What an import did or would do, and why a file was rejected: line, column, reason."""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field, fields

from surveys.ingestion.cells import CellError

MAX_ERRORS = 200
MAX_CHANGES = 50
ADDING_KINDS = ("feedback", "responses")  # imports that only add responses (no updates)


@dataclass(frozen=True)
class RowError:
    """One problem: `line` is the physical line in the file (header = 1), None for the whole file."""

    line: int | None
    column: str | None
    reason: str
    file: str | None = None  # named only when one import reads two files

    def __str__(self) -> str:
        where = "file" if self.line is None else f"line {self.line}"
        if self.file:
            where = f"{self.file} {where}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class ImportResult:
    """Outcome of one import. `errors` holds at most MAX_ERRORS; `error_count` counts them all."""

    kind: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    errors: tuple[RowError, ...] = ()
    error_count: int = 0
    changes: tuple[str, ...] = ()
    change_count: int = 0
    notes: tuple[str, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the file had no problem (and so was, or could be, imported)."""
        return self.error_count == 0

    @property
    def more_errors(self) -> int:
        """How many errors are not listed in `errors`."""
        return self.error_count - len(self.errors)

    @property
    def more_changes(self) -> int:
        """How many changes are not listed in `changes`."""
        return self.change_count - len(self.changes)

    def summary(self) -> str:
        """One sentence: rejected, checked (dry run) or imported, with the counts."""
        if not self.ok:
            rows = len({e.line for e in self.errors if e.line is not None})
            where = f" in {rows:,} line{'s' if rows != 1 else ''}" if rows and not self.more_errors else ""
            problems = f"{self.error_count:,} problem{'s' if self.error_count != 1 else ''}"
            return f"Rejected: {problems}{where}. Nothing was imported; fix the file and try again."
        counts = self._counts_text()
        rows = f"{self.rows:,} row{'s' if self.rows != 1 else ''}"
        if self.dry_run:
            valid = "is valid" if self.rows == 1 else "are valid"
            return f"Check only, nothing was changed: {rows} {valid}; importing would {counts}."
        return f"Imported {rows}: {counts}."

    def _counts_text(self) -> str:
        if self.kind in ADDING_KINDS:
            n = f"{self.created:,} response{'s' if self.created != 1 else ''}"
            return f"add {n}" if self.dry_run else f"added {n}"
        verbs = "create update leave deactivate".split() if self.dry_run else \
            "created updated left deactivated".split()
        parts = [f"{verbs[0]} {self.created:,}", f"{verbs[1]} {self.updated:,}",
                 f"{verbs[2]} {self.unchanged:,} unchanged"]
        if self.deactivated:
            parts.append(f"{verbs[3]} {self.deactivated:,}")
        return ", ".join(parts)

    def to_dict(self) -> dict:
        """JSON-ready form, as an import job keeps it."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ImportResult:
        """The result `to_dict` stored (unknown keys from another version are ignored)."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["errors"] = tuple(RowError(**e) for e in values.get("errors", ()))
        for name in ("changes", "notes"):
            values[name] = tuple(values.get(name, ()))
        return cls(**values)

    def report_lines(self) -> list[str]:
        """The plain-text report the CLI prints: summary, problems or changes, notes."""
        lines = [self.summary()]
        if self.ok and self.counts:
            lines += [f"  {label}: {n:,}" for label, n in self.counts.items()]
        if not self.ok:
            lines += [f"  {e}" for e in self.errors]
            if self.more_errors:
                lines.append(f"  ... and {self.more_errors:,} more")
        elif self.changes:
            lines.append("Changes:" if not self.dry_run else "Would change:")
            lines += [f"  {c}" for c in self.changes]
            if self.more_changes:
                lines.append(f"  ... and {self.more_changes:,} more")
        lines += [f"Note: {n}" for n in self.notes]
        return lines


class Report:
    """Mutable collector an importer fills while it reads; `result()` freezes it."""

    def __init__(self, kind: str, dry_run: bool, max_errors: int = MAX_ERRORS, max_changes: int = MAX_CHANGES):
        self.kind, self.dry_run = kind, dry_run
        self.max_errors, self.max_changes = max_errors, max_changes
        self.file: str | None = None  # set while reading one of two files, so errors say which
        self.errors: list[RowError] = []
        self.error_count = 0
        self.changes: list[str] = []
        self.change_count = 0
        self.notes: list[str] = []
        self.rows = self.created = self.updated = self.unchanged = self.deactivated = 0
        self.counts: Counter[str] = Counter()

    def error(self, line: int | None, column: str | None, reason: str) -> None:
        """Record a problem; only the first `max_errors` are kept, all are counted."""
        self.error_count += 1
        if len(self.errors) < self.max_errors:
            self.errors.append(RowError(line, column, reason, self.file))

    def change(self, text: str) -> None:
        """Record a change made (or that would be made); only the first `max_changes` are kept."""
        self.change_count += 1
        if len(self.changes) < self.max_changes:
            self.changes.append(text)

    def note(self, text: str) -> None:
        """Record something the user should know that is not a problem."""
        if text not in self.notes:
            self.notes.append(text)

    def result(self) -> ImportResult:
        """The frozen outcome; errors sorted by line (file-level problems first)."""
        errors = sorted(self.errors, key=lambda e: (e.file or "", e.line is not None, e.line or 0))
        return ImportResult(
            kind=self.kind, dry_run=self.dry_run, rows=self.rows, created=self.created, updated=self.updated,
            unchanged=self.unchanged, deactivated=self.deactivated, errors=tuple(errors),
            error_count=self.error_count, changes=tuple(self.changes), change_count=self.change_count,
            notes=tuple(self.notes), counts=dict(self.counts),
        )


class RowCheck:
    """Checks the cells of one row, reporting each bad cell; `ok` says whether the row can be used."""

    def __init__(self, report: Report, line: int):
        self.report, self.line, self.ok = report, line, True

    def cell(self, column: str, parse, raw, *args):
        """parse(raw, *args), or None after reporting the CellError it raised."""
        try:
            return parse(raw, *args)
        except CellError as exc:
            self.fail(column, str(exc))
            return None

    def fail(self, column: str | None, reason: str) -> None:
        """Report a problem with this row."""
        self.ok = False
        self.report.error(self.line, column, reason)
