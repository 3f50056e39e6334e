"""Team pages per role: a team lead lands on their team and opens their subtree's teams (others: the same 404
as a missing code); HR and executives open any team and get the list; a team below the threshold shows
its parent with the reason; focus areas link to the new-action form."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from ..conftest import STAFF_PASSWORD
from ..team_world import build_world


@pytest.fixture
def world(db_session, make):
    return build_world(db_session, make)


def test_a_team_lead_lands_on_their_own_team(client, make, world):
    lead = make.staff(role="team_lead", team=world.b, password=STAFF_PASSWORD)
    response = client.post("/login", data={"email": lead.email, "password": STAFF_PASSWORD})
    assert response.headers["Location"] == "/teams/"
    assert client.get("/teams/").headers["Location"] == "/teams/B"
    page = client.get("/teams/B")
    assert page.status_code == 200 and b'id="team-name"' in page.data and b"My team" in page.data


def test_a_team_lead_opens_their_subtree_and_nothing_else(client, login, world):
    login("team_lead", team=world.dept)
    assert client.get("/teams/").headers["Location"] == "/teams/DEPT"
    for code in ("DEPT", "B", "C"):
        assert client.get(f"/teams/{code}").status_code == 200, code
    other, missing = client.get("/teams/D"), client.get("/teams/NOPE")
    assert other.status_code == missing.status_code == 404
    assert other.data == missing.data  # nothing tells a forbidden team from a missing one


def test_a_team_lead_of_a_leaf_gets_404_for_a_sibling(client, login, world):
    login("team_lead", team=world.b)
    assert client.get("/teams/A").status_code == 404 and client.get("/teams/DEPT").status_code == 404


@pytest.mark.parametrize("role", ["hr_admin", "executive"])
def test_hr_and_executives_open_any_team_and_get_the_list(client, login, world, role):
    login(role)
    listing = client.get("/teams/")
    assert listing.status_code == 200
    for code in ("DEPT", "A", "B", "C", "OTHER", "D"):
        assert f'href="/teams/{code}"'.encode() in listing.data
    page = client.get("/teams/D")
    assert page.status_code == 200 and b"Delta&#39;s own plan" in page.data
    assert b"D comment" in page.data  # D's 10 respondents reach the comment threshold


def test_signed_out_visitors_are_sent_to_sign_in(client, world):
    assert client.get("/teams/B").headers["Location"].startswith("/login")


def test_a_team_below_the_threshold_shows_its_parent_and_says_why(client, login, world):
    login("hr_admin")
    html = client.get("/teams/C").data.decode()
    assert "Fewer than 5 people in Gamma answered in W2, so these are Department&#39;s results." in html
    # Every n in the results table is the department's 16 respondents, never Gamma's 3.
    table = html[html.index('id="dimensions"'):html.index("</table>", html.index('id="dimensions"'))]
    counts = re.findall(r'<td class="num">(\d+)</td>', table)
    assert counts and set(counts) == {"16"}
    assert 'id="focus-areas"' in html and 'class="focus-area"' not in html


def test_no_figure_of_a_group_below_k_on_the_page(client, login, world):
    login("hr_admin")
    html = client.get("/teams/B").data.decode()
    # B's customers: January has 3 answers (hidden), February 6.
    row = html[html.index('data-metric="csat"'):]
    row = row[:row.index("</tr>")]
    assert "fewer than 5" in row and "n = 6" in row and "n = 3" not in row
    assert "fewer than 10 people in Beta" in html and "B comment" not in html  # 7 < the comment threshold


def test_focus_areas_link_to_a_new_action(client, login, world):
    login("team_lead", team=world.b)
    html = client.get("/teams/B").data.decode()
    section = html[html.index('id="focus-areas"'):]
    assert section.count('class="focus-area"') == 1
    href = re.search(r'class="button make-action" href="([^"]+)"', section).group(1).replace("&amp;", "&")
    url = urlsplit(href)
    assert url.path == "/actions/new"
    query = parse_qs(url.query)
    assert {k: v for k, v in query.items() if k != "title"} == {"team": ["B"], "metric": ["process"],
                                                                 "source": ["focus"]}
    assert query["title"][0].startswith("Close the gap to the goal on process (")
    assert "below its goal" in section


def test_the_nav_says_my_team_for_leads_and_teams_for_hr(client, login, world):
    login("hr_admin")
    assert b'<a href="/teams/">Teams</a>' in client.get("/teams/D").data


def test_the_focus_leverage_is_kept_in_the_report_cache(client, login, db_session, world):
    from sqlalchemy import func, select

    from surveys.models import ReportCache

    login("hr_admin")
    assert client.get("/teams/B").status_code == 200
    assert db_session.scalar(select(func.count()).select_from(ReportCache)) == 1
    assert client.get("/teams/A").status_code == 200  # the same leverage serves every team
    assert db_session.scalar(select(func.count()).select_from(ReportCache)) == 1


def test_a_team_lead_without_a_team_is_told_so(client, login, world):
    login("team_lead")
    page = client.get("/teams/")
    assert page.status_code == 200 and b"You lead no team yet" in page.data
    assert client.get("/teams/B").status_code == 404
