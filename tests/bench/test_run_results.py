"""bench/run.py's results file: a run of some benchmarks (--only) replaces their figures and keeps the rest."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import run  # noqa: E402
from bench_reports import Row  # noqa: E402


def _write(monkeypatch, tmp_path, found, only, database_url=None):
    monkeypatch.setattr(run, "RESULTS", tmp_path / "latest.json")
    return run.write_results(found, argparse.Namespace(only=only, database_url=database_url), 12.0)


def test_only_replaces_its_benchmarks_figures_and_keeps_the_others(monkeypatch, tmp_path):
    first = {"bench_linkage": [Row("pearson", 0.2, 0.01, "< 2 s", True)],
             "bench_cli": [Row("tandem --help", 1.5, 0.1, "<= 1 s", False)]}
    _write(monkeypatch, tmp_path, first, None)
    again = _write(monkeypatch, tmp_path, {"bench_cli": [Row("tandem --help", 0.8, 0.1, "<= 1 s", True)]},
                   {"bench_cli"})
    assert [(f["bench"], f["seconds"], f["verdict"], f["run"]) for f in again["figures"]] == [
        ("bench_linkage", 0.2, "ok", 0), ("bench_cli", 0.8, "ok", 1)]
    assert [r["benchmarks"] for r in again["runs"]] == [["bench_linkage", "bench_cli"], ["bench_cli"]]
    assert json.loads((tmp_path / "latest.json").read_text()) == again
    # The same benchmarks on PostgreSQL sit beside SQLite's; a run no kept figure refers to is dropped.
    pg = _write(monkeypatch, tmp_path, {"bench_cli": [Row("tandem --help", 0.9, 0.1, "<= 1 s", True)]}, None,
                "postgresql://postgres@127.0.0.1:5432/x")
    assert [(f["database"], f["bench"], f["run"]) for f in pg["figures"]] == [
        ("postgresql", "bench_cli", 2), ("sqlite", "bench_linkage", 0), ("sqlite", "bench_cli", 1)]
    whole = _write(monkeypatch, tmp_path, {"bench_linkage": [Row("pearson", 0.3, 0.01, "< 2 s", True)],
                                           "bench_cli": [Row("tandem --help", 0.7, 0.1, "<= 1 s", True)]}, None)
    assert [(f["database"], f["bench"], f["seconds"], f["run"]) for f in whole["figures"]] == [
        ("postgresql", "bench_cli", 0.9, 0), ("sqlite", "bench_linkage", 0.3, 1), ("sqlite", "bench_cli", 0.7, 1)]
    assert len(whole["runs"]) == 2


def test_only_names_are_checked():
    assert run._split_only(["--quick", "--only", "pages,bench_ingest"]) == (
        ["--quick"], {"bench_pages", "bench_ingest"})
    assert run._split_only(["--quick"]) == (["--quick"], None)
    with pytest.raises(SystemExit, match="unknown benchmark"):
        run._split_only(["--only", "nope"])
    with pytest.raises(SystemExit, match="needs benchmark names"):
        run._split_only(["--only"])


def test_the_results_render_as_one_markdown_table_per_database(monkeypatch, tmp_path):
    import results_table

    _write(monkeypatch, tmp_path, {"bench_cli": [Row("tandem --help", 1.5, 0.1, "<= 1 s", False)]}, None)
    document = _write(monkeypatch, tmp_path, {"bench_pages": [Row("GET /reports/ warm", 0.05, None, "<= 200 ms", True)]},
                      None, "postgresql://postgres@127.0.0.1:5432/x")
    text = results_table.tables(document)
    assert "| bench_cli | tandem --help | 1.500 | 0.100 | 15× | <= 1 s | SLOW | 0 |" in text
    assert "| bench_pages | GET /reports/ warm | 0.050 | – | – | <= 200 ms | ok | 1 |" in text
    assert text.index("**SQLite**") < text.index("**PostgreSQL**") and text.startswith("- run 0: ")
    assert results_table.main([str(tmp_path / "missing.json")]) == 1
