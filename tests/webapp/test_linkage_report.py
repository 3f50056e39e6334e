"""On the demo organisation the linkage report recovers the planted model (README: 'The demo organisation').

The demo plants Y(t+1) = 0.35 E(t) + 0.30 P(t) + 0.30 v with standardised, uncorrelated latents, so the
latent correlations are 0.35 / sqrt(0.3025) = 0.636 for engagement, 0.30 / 0.55 = 0.545 for process and
0 for culture, people and technology. Observed team scores are noisy measures of the latents, so the
observed r is lower; the interval corrected for the reliability of team means must cover the latent value.
"""
from __future__ import annotations

import math

import pytest

from demo import build_demo
from surveys.insights.reports.linkage import linkage_analysis

from ..conftest import STAFF_PASSWORD

TRUE_R = {"engagement": 0.35 / math.sqrt(0.3025), "process": 0.30 / math.sqrt(0.3025),
          "culture": 0.0, "people": 0.0, "technology": 0.0}


@pytest.fixture
def demo(db_session):
    build_demo(db_session, seed=7, teams=40, waves=6)
    db_session.commit()
    return db_session


def test_linkage_recovers_planted_effects_and_not_the_null_dimensions(demo):
    result = linkage_analysis(demo, "engagement-pulse", min_group_size=5)
    report = result.report
    assert result.units.suppressed > 0  # some small team-waves are hidden, not analysed
    for cx in ("csat", "nps", "ces"):
        for dim, true_r in TRUE_R.items():
            row = report.row(dim, cx, 1)
            assert row.n >= 100
            assert row.linked == (true_r > 0), (dim, cx, row.r, row.q_value)
            assert row.r_disattenuated_ci_low <= true_r <= row.r_disattenuated_ci_high, (dim, cx, row)
            if true_r == 0:
                assert row.ci_low <= 0 <= row.ci_high
    sentence = report.row("engagement", "csat", 1).sentence
    assert "following wave" in sentence and "cause" in sentence and "n = " in sentence


def test_linkage_page_and_cli_show_the_same_report(demo, client, runner):
    """Updated for the readers' layout (issue 9): the page is built by the report registry. The caveats are
    said once at the top; a matrix and a forest plot of both directions lead; one short sentence per linked
    pair; an unknown program is a bad parameter (400 naming `program`, as on every report), no longer 404."""
    import csv
    import io
    import json

    from surveys.org.accounts import set_password

    set_password(demo, "exec@northwind.example", STAFF_PASSWORD)
    demo.commit()
    client.post("/login", data={"email": "exec@northwind.example", "password": STAFF_PASSWORD})
    page = client.get("/reports/linkage?program=engagement-pulse").get_data(as_text=True)
    assert "Linked after false-discovery control" in page and 'class="vega-spec"' in page
    assert "could be reliably detected" in page  # power, said once for every pair
    assert page.count("not proof that one causes the other") == 1  # the shared caveat, once
    assert "Teams with higher engagement had higher CSAT in the following wave" in page
    # Both charts carry a text alternative (their summary, which charts.js makes the SVG's label); the
    # matrix is also a table.
    assert 'data-summary="Next-wave links' in page and 'class="link-matrix"' in page
    result = linkage_analysis(demo, "engagement-pulse", min_group_size=client.application.config["MIN_GROUP_SIZE"],
                              process_target=client.application.config["PROCESS_TARGET"], with_outcomes=True)
    matrix = page[page.index('class="link-matrix"'):]
    matrix = matrix[:matrix.index("</table>")]
    for r in result.report.rows:  # every r in the matrix, shaded exactly where linked
        shade = f' linked {"up" if r.r > 0 else "down"}' if r.linked else ""
        assert f'<td class="num{shade}">{r.r:.2f}' in matrix, r
    data = json.loads(client.get("/reports/linkage.json?program=engagement-pulse").data)
    assert len(data["figures"]) == len(result.report.rows)
    for f, r in zip(data["figures"], result.report.rows):
        assert f["metric"] == f"{r.ex_metric}→{r.cx_metric} lag {r.lag}"
        assert (f["value"], f["ci_low"], f["ci_high"], f["n"], f["linked"]) == \
            (round(r.r, 2), round(r.ci_low, 2), round(r.ci_high, 2), r.n, r.linked)
        assert f["reverse_r"] == round(r.reverse_r, 2) and f["q_value"] == float(f"{r.q_value:.3g}")
        assert (f["sentence"] is not None) == r.linked
    assert client.get("/reports/linkage?program=nope").status_code == 400
    assert "Linked after" in client.get("/reports/linkage").get_data(as_text=True)  # busiest program first
    bad = client.get("/reports/linkage?confidence=0.5")
    assert bad.status_code == 400 and b"confidence" in bad.data
    assert client.get("/reports/linkage.csv?confidence=0.5").status_code == 400
    assert client.get("/reports/linkage/charts/forest.svg?program=engagement-pulse").data.lstrip().startswith(b"<svg")
    cli = runner.invoke(args=["report", "linkage", "--program", "engagement-pulse"])
    assert cli.exit_code == 0, cli.output
    assert "Teams with higher engagement had higher CSAT in the following wave" in cli.output
    as_json = runner.invoke(args=["report", "linkage", "--program", "engagement-pulse", "--format", "json"])
    assert json.loads(as_json.output)["figures"] == data["figures"]
    as_csv = runner.invoke(args=["report", "linkage", "--program", "engagement-pulse", "--format", "csv"])
    page_csv = client.get("/reports/linkage.csv?program=engagement-pulse").get_data(as_text=True)
    assert list(csv.reader(io.StringIO(as_csv.output))) == list(csv.reader(io.StringIO(page_csv)))
    missing = runner.invoke(args=["report", "linkage", "--program", "nope"])
    assert missing.exit_code != 0 and "No program with code 'nope'" in missing.output
    missing = runner.invoke(args=["report", "linkage", "--program", "nope", "--format", "json"])
    assert missing.exit_code != 0 and "No employee program with code 'nope'. (program)" in missing.output


def test_linkage_csv_keeps_numbers_as_numbers(demo, runner, tmp_path):
    """The formula-safe writer leaves negative correlations alone: they are numbers, not formulas."""
    import pandas as pd

    out = tmp_path / "linkage.csv"
    cli = runner.invoke(args=["report", "linkage", "--program", "engagement-pulse", "--csv", str(out)])
    assert cli.exit_code == 0, cli.output
    written = pd.read_csv(out)
    expected = linkage_analysis(demo, "engagement-pulse", min_group_size=runner.app.config["MIN_GROUP_SIZE"],
                                process_target=runner.app.config["PROCESS_TARGET"],
                                with_outcomes=True).report.to_frame()
    assert list(written.columns) == list(expected.columns) and len(written) == len(expected)
    assert (written["r"] < 0).any() and "'" not in out.read_text()
    pd.testing.assert_series_equal(written["r"], expected["r"], check_exact=False, rtol=1e-12)


def test_a_program_without_data_says_so(client, login, make, db_session):
    make.program(code="fresh")
    db_session.commit()
    login("executive")
    page = client.get("/reports/linkage?program=fresh").get_data(as_text=True)
    assert "Not enough data yet" in page and "<table" not in page
