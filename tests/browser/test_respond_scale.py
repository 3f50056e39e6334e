"""On a 390 px phone the 0-10 scale is an even grid (6 + 5 boxes of one width), not 7 + 4 uneven."""
from __future__ import annotations

import datetime as dt

import pytest

from .conftest import require_chromium

require_chromium()

from surveys.instruments import question_types  # noqa: E402
from surveys.models import Program, Question, Survey, Team, Touchpoint, Wave, utcnow  # noqa: E402

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def grid(live):
    """A customer link whose one question is a 0-10 scale."""
    now = utcnow()
    with live.sessions() as session:
        survey = Survey(code="NPS-GRID", title="Recommend", audience="customer", status="active")
        lo, hi = question_types.bounds_for("scale0_10")
        survey.questions.append(Question(code="nps", text="How likely are you to recommend us?", qtype="scale0_10",
                                         dimension="nps", position=0, scale_min=lo, scale_max=hi))
        team = Team(code="GRID-T", name="Grid team")
        program = Program(code="GRID", name="Grid", survey=survey, audience="customer", cadence="always_on")
        wave = Wave(program=program, survey=survey, label="grid", status="open",
                    opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=20))
        session.add_all([survey, team, Touchpoint(code="GRID-TP", name="Desk", channel="web", team=team),
                         program, wave])
        session.commit()


@pytest.mark.parametrize("width, rows", [(390, [6, 5]), (320, [6, 5]), (1024, [11])])
def test_zero_to_ten_boxes_are_even(live, grid, new_page, width, rows):
    page = new_page()
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live.url}/r/c/GRID/GRID-TP")
    boxes = [label.bounding_box() for label in page.locator("#q_nps-field .scale label").all()]
    assert len(boxes) == 11
    tops = sorted({round(b["y"]) for b in boxes})
    assert [sum(1 for b in boxes if round(b["y"]) == top) for top in tops] == rows
    widths = {round(b["width"]) for b in boxes}
    assert max(widths) - min(widths) <= 1, widths  # every box alike
    assert max(b["x"] + b["width"] for b in boxes) <= width  # nothing runs off the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= width
