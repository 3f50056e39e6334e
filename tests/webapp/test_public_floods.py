"""A scripted flood of a public link through many addresses, end to end: flagged, out of the CSAT/NPS rollups,
listed for HR, released back in, and `tandem rollup verify` agrees at every step."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from surveys.models import AuditEvent, FlaggedResponse, Response, RollupCustomerDay, utcnow
from webapp import create_app

from ..conftest import STAFF_PASSWORD

QUESTIONS = [{"code": "csat", "qtype": "likert5", "dimension": "csat"},
             {"code": "nps", "qtype": "scale0_10", "dimension": "nps"}]


@pytest.fixture
def cx(make, db_session):
    program = make.program(survey=make.survey(audience="customer", questions=QUESTIONS), code="CX")
    make.wave(program=program, opens_at=utcnow() - dt.timedelta(days=1))
    make.touchpoint(code="STORE", channel="store")
    db_session.commit()


def scores(db_session) -> dict:
    """CSAT and NPS as the rollups hold them: respondents and their sums, per metric."""
    db_session.expire_all()
    rows = db_session.execute(select(RollupCustomerDay.metric, func.sum(RollupCustomerDay.n),
                                     func.sum(RollupCustomerDay.top2), func.sum(RollupCustomerDay.prom),
                                     func.sum(RollupCustomerDay.det)).group_by(RollupCustomerDay.metric))
    return {metric: (n, round(top2, 9), round(prom, 9), round(det, 9)) for metric, n, top2, prom, det in rows}


def post(client, csat: int, nps: int, **headers):
    environ = {"REMOTE_ADDR": headers.pop("remote")} if "remote" in headers else {}
    response = client.post("/r/c/CX/STORE", data={"q_csat": str(csat), "q_nps": str(nps)}, headers=headers,
                           environ_base=environ)
    assert response.status_code == 302, response.get_data(as_text=True)  # the sender is never told


def verify(app) -> None:
    result = app.test_cli_runner().invoke(args=["rollup", "verify"])
    assert result.exit_code == 0 and "Rollups match" in result.output, result.output


def held(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(FlaggedResponse)
                             .where(FlaggedResponse.released.is_(False)))


@pytest.mark.parametrize("through", ["remote addresses", "X-Forwarded-For behind a proxy"])
def test_a_scripted_flood_is_flagged_listed_and_released(app_config, db_session, cx, make, through):
    proxied = through.startswith("X-")
    app = create_app({**app_config, "TRUSTED_PROXIES": 1 if proxied else 0})
    client = app.test_client()
    for i in range(8):  # ordinary customers
        post(client, 1 + i % 5, 2 + i, remote=f"192.0.2.{i + 1}")
    before = scores(db_session)
    assert before["csat"][0] == 8 and before["nps"][0] == 8
    for i in range(50):  # one script, fifty addresses, ten-out-of-ten every time
        address = f"198.51.100.{i + 1}"
        post(client, 5, 10, **({"X-Forwarded-For": address, "remote": "10.0.0.1"} if proxied else {"remote": address}))
    assert held(db_session) == 50 and scores(db_session) == before  # CSAT and NPS did not move
    assert db_session.scalar(select(func.count()).select_from(Response)) == 58  # kept, not deleted
    verify(app)

    hr = app.test_client()
    person = make.staff(role="hr_admin", password=STAFF_PASSWORD)
    db_session.commit()
    assert hr.post("/login", data={"email": person.email, "password": STAFF_PASSWORD}).status_code == 302
    page = hr.get("/admin/floods").get_data(as_text=True)
    assert "CX" in page and "STORE" in page and ">50<" in page and "Release" in page
    for forbidden in ("198.51.100", "10.0.0.1"):
        assert forbidden not in page
    day = utcnow().date().isoformat()
    response = hr.post("/admin/floods/release", data={"program": "CX", "touchpoint": "STORE", "day": day})
    assert response.status_code == 302
    assert held(db_session) == 0
    after = scores(db_session)
    assert after["csat"][0] == 58 and after["nps"][0] == 58 and after["nps"][2] == before["nps"][2] + 50
    verify(app)
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "flood.release"))
    assert event.actor_id == person.id and event.detail["released"] == 50
    # Releasing again is a clear 404 on the page, not an error.
    again = hr.post("/admin/floods/release", data={"program": "CX", "touchpoint": "STORE", "day": day})
    assert again.status_code == 404 and "released already" in again.get_data(as_text=True)


def test_ordinary_traffic_through_the_form_is_not_flagged(client, db_session, cx):
    for i in range(40):
        post(client, 1 + i % 5, i % 11, remote=f"203.0.113.{i + 1}")
    assert held(db_session) == 0 and scores(db_session)["csat"][0] == 40


def test_the_floods_page_is_for_hr_admins_and_a_forged_release_is_a_400(client, login, cx):
    assert client.get("/admin/floods").status_code == 302
    login("hr_admin")
    assert "No public-link answers have been flagged." in client.get("/admin/floods").get_data(as_text=True)
    response = client.post("/admin/floods/release", data={"program": "CX", "touchpoint": "STORE", "day": "yesterday"})
    assert response.status_code == 400 and "Nothing was released" in response.get_data(as_text=True)
    response = client.post("/admin/floods/release", data={"program": "CX", "touchpoint": "STORE", "day": "2030-01-01"})
    assert response.status_code == 404
    assert "No held responses at CX/STORE on 2030-01-01" in response.get_data(as_text=True)


def test_flood_settings_are_validated():
    from webapp.config import ConfigError, load_config

    base = {"TANDEM_SECRET_KEY": "k" * 16}
    config = load_config({**base, "TANDEM_FLOOD_BURST": "8/300", "TANDEM_FLOOD_DAY_MIN": "100",
                          "TANDEM_FLOOD_FACTOR": "3"})
    assert (config["FLOOD_BURST"], config["FLOOD_DAY_MIN"], config["FLOOD_FACTOR"]) == ("8/300", 100, 3)
    with pytest.raises(ConfigError, match="TANDEM_FLOOD_BURST must look like 5/600"):
        load_config({**base, "TANDEM_FLOOD_BURST": "five"})
    with pytest.raises(ConfigError, match="TANDEM_FLOOD_FACTOR must be between 1 and 1000"):
        load_config({**base, "TANDEM_FLOOD_FACTOR": "0"})
