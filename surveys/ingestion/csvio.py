"""Robust, streaming CSV reading: BOM, any line ending, ',' ';' or tab, non-UTF-8 lines named.

A `CsvSource` holds the uploaded bytes in a seekable stream so an importer can read the rows twice
(check everything, then write) without keeping them in memory.
"""
from __future__ import annotations

import csv
import hashlib
import io
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from surveys.ingestion.report import Report

DELIMITERS = {",": "','", ";": "';'", "\t": "tab"}
SPOOL_BYTES = 8 * 1024 * 1024
MAX_HEADER_CHARS = 10_000
UTF8_HINT = "save the file as UTF-8 (in Excel: 'CSV UTF-8')"


@dataclass(frozen=True)
class Header:
    """The header line: canonical column names in file order, where it was and how it is split."""

    columns: tuple[str, ...]
    delimiter: str
    line: int


class CsvSource:
    """Seekable bytes of one CSV file plus its SHA-256; `rows()` can be iterated more than once."""

    def __init__(self, file_obj, name: str | None = None):
        self.name = name or getattr(file_obj, "filename", None) or getattr(file_obj, "name", None)
        self._stream = _seekable_bytes(file_obj)
        digest = hashlib.sha256()
        self.size = 0
        while chunk := self._stream.read(1 << 20):
            digest.update(chunk)
            self.size += len(chunk)
        self.sha256 = digest.hexdigest()
        self.header: Header | None = None
        # Called once per row `rows()` yields: an import job counts them to show its progress.
        self.on_row: Callable[[], None] | None = None

    def first_line(self) -> str:
        """The first non-blank line as text (to tell file kinds apart), '' for an empty file."""
        text = self._text()
        try:
            for raw_line in iter(text.readline, ""):
                if raw_line.strip():
                    return raw_line.strip()
            return ""
        finally:
            text.detach()

    def read_header(self, report: Report, *, required: Iterable[str], optional: Iterable[str] = (),
                    canonical: Callable[[str], str | None] | None = None) -> Header | None:
        """Find and check the header line; report missing/unknown/duplicate columns and return None then.

        `canonical` maps a raw header name to a known column name (or None when unknown); by default
        names are compared trimmed and case-insensitively with `required` and `optional`.
        """
        required, optional = tuple(required), tuple(optional)
        known = {c.lower(): c for c in (*required, *optional)}
        canonical = canonical or (lambda raw: known.get(raw.strip().lower()))
        expected_line = ",".join((*required, *optional))
        self._stream.seek(0)
        if self._stream.read(2) in (b"\xff\xfe", b"\xfe\xff"):
            report.error(1, None, f"The file is saved as UTF-16; {UTF8_HINT}.")
            return None
        text = self._text()
        try:
            line_no, raw_line = 0, ""
            for raw_line in iter(text.readline, ""):
                line_no += 1
                if raw_line.strip():
                    break
            else:
                report.error(None, None, f"The file is empty; the first line must be the header: {expected_line}")
                return None
        finally:
            text.detach()
        if _bad_utf8(raw_line):
            report.error(line_no, None, f"The header line is not valid UTF-8; {UTF8_HINT}.")
            return None
        if len(raw_line) > MAX_HEADER_CHARS:  # also above csv's field limit, which would raise
            report.error(line_no, None, f"The header line cannot be read: it is {len(raw_line):,} characters long; "
                                        f"it must be: {expected_line}")
            return None
        delimiter = _pick_delimiter(raw_line, canonical)
        names = [n.strip() for n in next(csv.reader([raw_line], delimiter=delimiter), [])]
        if delimiter != ",":
            report.note(f"The file uses {DELIMITERS[delimiter]} as delimiter instead of ','; it was read that way.")
        columns, unknown, seen = [], [], set()
        for name in names:
            col = canonical(name) if name else None
            if col is None:
                unknown.append(name or "(blank)")
            elif col in seen:
                report.error(line_no, name, f"Column '{col}' appears twice in the header.")
            else:
                seen.add(col)
            columns.append(col or "")
        missing = [c for c in required if c not in seen]
        if missing:
            plural = "s" if len(missing) > 1 else ""
            report.error(line_no, None, f"Missing column{plural} {', '.join(missing)}; the header line must be: "
                                        f"{expected_line}")
        if unknown:
            plural = "s" if len(unknown) > 1 else ""
            report.error(line_no, None, f"Unknown column{plural} {', '.join(unknown)}; expected: {expected_line}")
        if report.error_count:
            return None
        self.header = Header(tuple(columns), delimiter, line_no)
        return self.header

    def rows(self, report: Report) -> Iterator[tuple[int, dict[str, str]]]:
        """Yield (physical line, {column: trimmed value}) for every non-blank row after the header.

        Rows that cannot be read (bad UTF-8, wrong number of values) are reported and skipped.
        """
        header = self.header
        assert header is not None, "read_header() first"
        width = len(header.columns)
        text = self._text()
        try:
            for _ in range(header.line):
                text.readline()
            reader = csv.reader(text, delimiter=header.delimiter)
            consumed = header.line
            while True:
                start = consumed + 1
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    report.error(start, None, f"The file cannot be read from here on: {exc}.")
                    return
                consumed = header.line + reader.line_num
                if not cells or not any(c.strip() for c in cells):
                    continue
                if _bad_utf8("".join(cells)):
                    report.error(start, None, f"This line is not valid UTF-8 (byte {_bad_byte(cells)}); {UTF8_HINT}.")
                    continue
                if any("\x00" in c for c in cells):
                    report.error(start, None, "This line contains a NUL byte, which cannot be stored; "
                                              "save the file again as plain CSV text.")
                    continue
                if len(cells) > width and not any(c.strip() for c in cells[width:]):
                    cells = cells[:width]  # trailing empty cells, as spreadsheets often write
                if len(cells) != width:
                    hint = f" (it spans lines {start}–{consumed}: check the quotes)" if consumed > start else ""
                    report.error(start, None, f"This line has {len(cells)} values but the header has {width} "
                                              f"columns{hint}.")
                    continue
                if self.on_row is not None:
                    self.on_row()
                yield start, {col: cell.strip() for col, cell in zip(header.columns, cells)}
        finally:
            text.detach()

    def _text(self) -> io.TextIOWrapper:
        # utf-8-sig drops a BOM; surrogateescape keeps bad bytes so the line can be named, not crash;
        # newline="" lets csv see \r\n, \n and \r line ends and newlines inside quoted values.
        self._stream.seek(0)
        return io.TextIOWrapper(self._stream, encoding="utf-8-sig", errors="surrogateescape", newline="")


def _seekable_bytes(file_obj):
    if isinstance(file_obj, (bytes, bytearray)):
        return io.BytesIO(file_obj)
    stream = getattr(file_obj, "stream", file_obj)  # werkzeug FileStorage
    probe = stream.read(0)
    if isinstance(probe, str):
        return io.BytesIO(stream.read().encode("utf-8"))
    if getattr(stream, "seekable", lambda: False)():
        stream.seek(0)
        return stream
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    shutil.copyfileobj(stream, spool)
    spool.seek(0)
    return spool


def _bad_utf8(text: str) -> bool:
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _bad_byte(cells: list[str]) -> str:
    for ch in "".join(cells):
        if "\udc80" <= ch <= "\udcff":
            return f"0x{ord(ch) - 0xDC00:02X}"
    return "?"


def _pick_delimiter(line: str, canonical: Callable[[str], str | None]) -> str:
    """The delimiter that splits the header into the most known column names (',' on a tie)."""
    best, best_score = ",", (-1, -1)
    for delimiter in DELIMITERS:
        names = next(csv.reader([line], delimiter=delimiter), [])
        score = (sum(1 for n in names if n.strip() and canonical(n.strip())), len(names))
        if score > best_score:
            best, best_score = delimiter, score
    return best
