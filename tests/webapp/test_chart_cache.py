"""Rendered charts are memoised by their whole Vega-Lite spec: the same chart renders once, new data anew."""
from __future__ import annotations

import altair as alt
import pandas as pd

from webapp.reports import charts


def _chart(r: float) -> alt.Chart:
    return alt.Chart(pd.DataFrame({"test": ["Engagement → CSAT"], "r": [r]})).mark_point().encode(x="r:Q", y="test:N")


def test_the_same_spec_renders_once_and_changed_data_renders_again(monkeypatch):
    calls = []
    real = charts.vlc.vegalite_to_svg
    monkeypatch.setattr(charts.vlc, "vegalite_to_svg", lambda spec: calls.append(spec) or real(spec))
    monkeypatch.setattr(charts, "_SVG_CACHE", type(charts._SVG_CACHE)())
    first = charts.to_svg(_chart(0.4), "One test.")
    again = charts.to_svg(_chart(0.4), "One test.")
    other = charts.to_svg(_chart(0.5), "One test.")
    assert len(calls) == 2 and first == again and other != first
    assert 'aria-label="One test."' in first and charts.to_svg(_chart(0.4)).startswith("<svg")
    assert len(calls) == 2  # the summary is added after rendering: no new render without one


def test_the_memo_keeps_only_the_latest_charts(monkeypatch):
    monkeypatch.setattr(charts, "_SVG_CACHE", type(charts._SVG_CACHE)())
    monkeypatch.setattr(charts, "SVG_CACHE_SIZE", 2)
    monkeypatch.setattr(charts.vlc, "vegalite_to_svg", lambda spec: "<svg></svg>")
    for r in (0.1, 0.2, 0.3):
        charts.to_svg(_chart(r))
    assert len(charts._SVG_CACHE) == 2


def test_warm_up_starts_the_chart_engine_and_freezes_what_is_alive(app):
    import gc
    from pathlib import Path

    try:
        app.jinja_env.cache.clear()
        charts.warm_up(app)  # the gunicorn post_worker_init hook's work; must not raise
        assert gc.get_freeze_count() > 0
        # Every page template is compiled before the first request.
        assert len(app.jinja_env.cache) == len(app.jinja_env.list_templates(extensions=["html"])) > 50
    finally:
        gc.unfreeze()  # the rest of the test run collects as usual

    conf = Path(__file__).resolve().parents[2] / "webapp" / "gunicorn_conf.py"
    assert "warm_up" in conf.read_text()


def test_warm_up_imports_every_report_and_the_export_writers(tmp_path):
    """In a fresh process (this one has imported most things already): after the warm-up, a worker's first
    page of any report and its first PDF or XLSX export import nothing more of weight."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    script = (
        "import sys\n"
        "from webapp import create_app\n"
        "from webapp.reports.charts import warm_up\n"
        f"app = create_app({{'DATABASE_URL': 'sqlite:///{tmp_path / 'w.sqlite'}', 'SECRET_KEY': 'k' * 32,"
        f" 'INSTANCE_PATH': {str(tmp_path)!r}}})\n"
        "assert 'fpdf' not in sys.modules and 'surveys.insights.reports.heatmap' not in sys.modules\n"
        "warm_up(app)\n"
        "from surveys.insights.reports import REPORTS\n"
        "missing = [m for m in ['fpdf', 'xlsxwriter', *(f'surveys.insights.reports.{n}' for n in REPORTS)]"
        " if m not in sys.modules]\n"
        "print('missing', missing)\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(root)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("missing []")
