"""Hypothesis strategies for hostile input: form values, path parameters and CSV files.

TANDEM_FUZZ_EXAMPLES sets the examples per route or importer (default 25); raise it for a long hunt,
e.g. `TANDEM_FUZZ_EXAMPLES=500 pytest tests/fuzz`.
"""
from __future__ import annotations

import io
import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("TANDEM_FUZZ_EXAMPLES", "25"))


def fuzz_settings(examples: int = EXAMPLES) -> settings:
    """Bounded runs: no deadline (the machine is shared), fixtures reused across examples on purpose."""
    return settings(max_examples=max(1, examples), deadline=None, derandomize=False, print_blob=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large, HealthCheck.filter_too_much])


BIG_INTS = (2**31, 2**53 + 1, 2**63 - 1, 2**63, 2**64, 2**64 + 1, -(2**63) - 1, 10**30)
ODD_TEXT = (
    "", " ", "\t", "\r\n", "\x00", "a\x00b", "\ufeff", "\u202e", "²", "٣", "①", "1e309", "nan", "inf", "-0",
    "0x1f", "1_000", "+5", " 7 ", "3.5", "2026-02-30", "2026-13-45", "0001-01-01", "9999-12-31", "10000-01-01",
    "2026-01-01T25:61", "0001-01-01T00:00", "9999-12-31T23:59", "2026-03-01T10:00", "2026-03-01",
    "yes", "on", "y", "up", "down", "save", "back", "next", "submit", "start", "%s", "{0}", "<script>x</script>",
    "'; DROP TABLE teams;--", "a,b\nc", '"', "..", "/", "\\", "x" * 300, "é" * 2000,
)
OVERLONG = "x" * 70_000


def ints() -> st.SearchStrategy[int]:
    return st.one_of(st.integers(-(2**70), 2**70), st.integers(-3, 400), st.sampled_from(BIG_INTS))


def scalars(hints: tuple[str, ...] = ()) -> st.SearchStrategy[str]:
    """One form value: any text, an integer (huge and negative too), an odd string, or a real value."""
    options = [st.text(max_size=40), ints().map(str), st.sampled_from(ODD_TEXT), st.just(OVERLONG)]
    if hints:
        options.append(st.sampled_from(hints))
    return st.one_of(*options)


def values(hints: tuple[str, ...] = ()) -> st.SearchStrategy:
    """A scalar or a list of them (a repeated field)."""
    one = scalars(hints)
    return st.one_of(one, one, st.lists(one, max_size=3))


@st.composite
def form_bodies(draw, fields: tuple[str, ...], hints: tuple[str, ...] = (),
                good: dict[str, tuple[str, ...]] | None = None) -> dict:
    """Most of the route's real fields (often with a plausible value from `good`, so a body gets past
    the form into the service), plus a stray unknown field now and then."""
    good = good or {}
    body = {}
    for name in fields:
        if draw(st.integers(0, 9)) == 0:
            continue  # a missing field
        plausible = good.get(name)
        hostile = not plausible or draw(st.integers(0, 2)) == 0  # two thirds plausible, when we know how
        body[name] = draw(values(hints) if hostile else st.sampled_from(plausible))
    stray = draw(st.dictionaries(st.text(min_size=1, max_size=12), scalars(), max_size=2))
    return {**stray, **body}


def path_texts() -> st.SearchStrategy[str]:
    """A path segment: any text, an odd string or an integer (URL-quoted by the caller)."""
    return st.one_of(st.text(min_size=1, max_size=40), st.sampled_from([t for t in ODD_TEXT if t]),
                     ints().map(str))


# ---------------------------------------------------------------------------------------------- CSV files

ENCODINGS_BAD = (b"\xff\xfe", b"\xc3\x28", b"\xa0\xa1", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80")


def csv_cells(good: tuple[str, ...]) -> st.SearchStrategy[str]:
    bad = st.one_of(st.text(max_size=20), ints().map(str), st.sampled_from(ODD_TEXT), st.just("y" * 20_000))
    return st.one_of(st.sampled_from(good), st.sampled_from(good), bad) if good else bad


@st.composite
def csv_files(draw, header: tuple[str, ...], good: dict[str, tuple[str, ...]] | None = None) -> bytes:
    """A CSV file near the real format: often clean (the header, rows of plausible cells from `good`, by
    column), otherwise mangled: a shuffled or wrong header, ragged rows, quotes, other delimiters, mixed
    line endings, a BOM, other encodings, NULs and invalid UTF-8 spliced in."""
    good = good or {}
    hostile = draw(st.integers(0, 3))  # 0: a clean file; higher: more kinds of damage
    columns = list(header)
    if hostile >= 2:
        columns = list(draw(st.one_of(st.permutations(header), st.lists(
            st.sampled_from(header + ("extra", "", header[0].upper())), max_size=len(header) + 1).map(tuple))))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"])) if hostile >= 2 else ","
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"])) if hostile else "\n"

    def row():
        if hostile >= 2 and draw(st.booleans()):
            return draw(st.lists(csv_cells(()), max_size=len(columns) + 2))
        return [draw(csv_cells(good.get(c, ())) if hostile else st.sampled_from(good.get(c, ("",))))
                for c in columns]

    rows = [row() for _ in range(draw(st.integers(0, 5)))]

    def quote(value: str) -> str:
        if any(c in value for c in (delimiter, '"', "\n", "\r")) or (hostile and draw(st.booleans())):
            return '"' + value.replace('"', draw(st.sampled_from(['""', '"'])) if hostile else '""') + '"'
        return value

    lines = [delimiter.join(columns)] + [delimiter.join(quote(v) for v in r) for r in rows]
    text = newline.join(lines) + draw(st.sampled_from(["", newline, "\r\n\r\n"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16"])) if hostile else "utf-8"
    data = text.encode(encoding, errors="replace")
    if hostile >= 3:  # splice a raw byte sequence somewhere (invalid UTF-8, NUL, stray quote...)
        junk = draw(st.one_of(st.sampled_from(ENCODINGS_BAD + (b"\x00", b'"', b"\r", b"\xef\xbb\xbf")),
                              st.binary(max_size=8)))
        at = draw(st.integers(0, len(data)))
        data = data[:at] + junk + data[at:]
    return data


def as_file(data: bytes, name: str = "upload.csv") -> io.BytesIO:
    buffer = io.BytesIO(data)
    buffer.name = name
    return buffer
