"""The streamed /voice export returns exactly the rows the list pages show, in the same order, whatever
the filter and however the rows fall into batches, each cell as the CSV writes it (formula-safe)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from surveys.exports.csvsafe import safe_row
from surveys.insights import voice, voice_export
from surveys.models import CustomerContact, Team, Touchpoint

from ..voice_world import ANA, NOW, answer, desk_and_shop, label


@pytest.fixture
def world(make, db_session):
    """Seven customers at two touchpoints: scores, comments (one formula-like), one contact, themes, sentiment."""
    desk_and_shop(make)
    answers = [("DESK", {"nps": ["2"], "csat": ["1"], "comment": ["Waited an hour on hold"]}),
               ("SHOP", {"nps": ["10"], "comment": ["=1+1 great shop"]}),
               ("SHOP", {"csat": ["5"]}), ("DESK", {"nps": ["7"]}), ("DESK", {"comment": ["hold music again"]}),
               ("SHOP", {"nps": ["9"], "csat": ["4"]}), ("DESK", {"nps": ["0"], "comment": ["never again"]})]
    stored = [answer(db_session, tp, given, f"c{i}", ANA if i == 0 else None) for i, (tp, given) in enumerate(answers)]
    return label(db_session, "wait,hold", [stored[0], stored[4]],
                 [(stored[0], -0.7), (stored[1], 0.8), (stored[6], -0.9)])


@pytest.mark.parametrize("chunk", [2, 1000])
@pytest.mark.parametrize("args", [{}, {"band": "detractor"}, {"metric": "csat", "min": "4"}, {"q": "hold"},
                                  {"sentiment": "negative"}, {"origin": "surveyed", "touchpoint": "DESK"},
                                  {"theme": 0}])
@pytest.mark.parametrize("with_contacts", [False, True])
def test_export_rows_equal_the_list_rows(db_session, world, monkeypatch, chunk, args, with_contacts):
    monkeypatch.setattr(voice_export, "EXPORT_CHUNK", chunk)
    args = {k: str(world.id if k == "theme" else v) for k, v in args.items()}
    filters = voice.parse_filters(db_session, args, NOW.date())
    assert not filters.errors
    page = voice.voice_page(db_session, filters, with_contacts=with_contacts, per_page=100)
    assert page.rows, args
    exported = [["" if cell is None else cell for cell in line]  # csv writes None and "" alike
                for lines in voice_export.export_lines(db_session, filters, with_contacts=with_contacts)
                for line in lines]
    assert all(len(lines) <= chunk for lines in voice_export.export_lines(db_session, filters,
                                                                           with_contacts=with_contacts))
    assert exported == [_line(row, with_contacts) for row in page.rows]


def _line(row: voice.VoiceRow, with_contacts: bool) -> list:
    """The export's line of a list row, as it is specified: every cell through csvsafe."""
    line = [row.day.isoformat(), row.channel, row.origin, row.touchpoint, row.touchpoint_name, row.team,
            row.scores.get("csat"), row.scores.get("nps"), row.scores.get("ces"), row.comment, "; ".join(row.themes),
            None if row.sentiment is None else round(row.sentiment, 3)]
    if with_contacts:
        line += list(row.contact or ("", "", ""))
    return safe_row(line)


def test_every_free_text_cell_is_defused(db_session, world):
    """Labels, comments, themes and contacts starting with a formula trigger are quoted; plain numbers are not."""
    world.name = "=theme"
    for model, code, name in ((Touchpoint, "DESK", "@desk"), (Team, "CARE", "-care"), (Touchpoint, "SHOP", "-0.5")):
        db_session.scalar(select(model).where(model.code == code)).name = name
    contact = db_session.scalar(select(CustomerContact))
    contact.name, contact.email, contact.phone = "+Ana", "=mail", "+4420"
    db_session.flush()
    filters = voice.parse_filters(db_session, {}, NOW.date())
    page = voice.voice_page(db_session, filters, with_contacts=True, per_page=100)
    [exported] = voice_export.export_lines(db_session, filters, with_contacts=True)
    assert [["" if cell is None else cell for cell in line] for line in exported] == [
        _line(row, True) for row in page.rows]
    cells = {cell for line in exported for cell in line if isinstance(cell, str)}
    assert {"'@desk", "'-care", "-0.5", "'=1+1 great shop", "'=theme", "'+Ana", "'=mail", "+4420"} <= cells
    assert not any(cell[:1] in "=+-@\t\r" and cell not in ("-0.5", "+4420") for cell in cells if cell)
