"""Leaders in Chromium: an executive opens the dashboard, the heatmap and the drivers page on the demo
organisation; every chart draws (Vega, served by the app) with no console error and no request leaving
127.0.0.1; a team lead sees their own subtree and nothing else."""
from __future__ import annotations

import re

import pytest

from .conftest import require_chromium, sign_in

require_chromium()

import demo  # noqa: E402

pytestmark = pytest.mark.browser
PAGES = ("dashboard", "heatmap", "drivers")


@pytest.fixture(scope="module")
def org(live):
    """The demo organisation, as `make run` seeds it."""
    with live.sessions() as session:
        result = demo.build_demo(session, seed=7, teams=40, waves=6)
        session.commit()
    return result


def _watch(page, live):
    problems, outside = [], []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live.url) else None)
    return problems, outside


@pytest.mark.parametrize("name", PAGES)
def test_executive_sees_every_chart_drawn_offline(live, new_page, org, name):
    page = new_page()
    problems, outside = _watch(page, live)
    sign_in(live, page, "exec@northwind.example")
    page.goto(f"{live.url}/reports/{name}")
    charts = page.locator(".vega-chart")
    if name == "heatmap":  # the grid is the picture: coloured cells, some flagged
        assert page.locator(".heat-flag").count() >= 1
    else:
        assert charts.count() >= 1, f"{name} has no chart"
    page.wait_for_function("() => [...document.querySelectorAll('.vega-chart')]"
                           ".every(c => c.classList.contains('drawn') || c.classList.contains('failed'))")
    assert page.locator(".vega-chart.failed").count() == 0
    assert page.locator(".vega-chart svg").count() == charts.count()
    assert problems == [] and outside == []


def test_dashboard_shows_the_planted_links_with_intervals(live, new_page, org):
    page = new_page()
    sign_in(live, page, "exec@northwind.example")
    page.goto(f"{live.url}/reports/dashboard")
    text = page.locator("main").inner_text()
    assert re.search(r"engagement", text, re.IGNORECASE)
    assert "interval" in text.lower()


def test_team_lead_sees_their_subtree_only(live, new_page, org):
    page = new_page()
    problems, outside = _watch(page, live)
    sign_in(live, page, "lead1@northwind.example")  # leads the Customer Care department
    page.goto(f"{live.url}/reports/heatmap")
    units = page.locator("table").first.inner_text()
    assert "CARE" in page.content() or "Care" in units
    for other in ("Retail", "E-commerce", "Operations"):
        assert other not in units, f"a team lead saw {other}"
    assert page.goto(f"{live.url}/reports/heatmap?unit=RETAIL").status == 400
    assert page.goto(f"{live.url}/reports/linkage").status == 403
    assert outside == []
