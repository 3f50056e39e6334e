"""The floor plan's rules on who may import whom, read from the source (no import runs)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WRITE_SIDE = ("surveys/collection", "surveys/fieldwork", "surveys/ingestion", "surveys/actions")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
    return names


def _files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("folder", WRITE_SIDE)
def test_the_write_side_never_imports_the_read_side(folder):
    bad = {f.relative_to(ROOT).as_posix(): sorted(n for n in _imports(f) if n.startswith("surveys.insights"))
           for f in _files(folder)}
    assert {k: v for k, v in bad.items() if v} == {}


READS_ANALYSIS = ("surveys/insights", "surveys/exports", "surveys/alerts", "surveys/digests", "surveys/themes")


def test_only_insights_import_analysis_apart_from_the_metric_vocabulary():
    bad = {}
    for f in _files("surveys"):
        if any(part in f.as_posix() for part in READS_ANALYSIS):
            continue
        heavy = sorted(n for n in _imports(f) if n.split(".")[0] == "analysis" and not n.startswith("analysis.metrics"))
        if heavy:
            bad[f.relative_to(ROOT).as_posix()] = heavy
    assert bad == {}


def test_nothing_in_the_domain_or_statistics_imports_the_demo_or_the_web_app():
    bad = {f.relative_to(ROOT).as_posix(): sorted(n for n in _imports(f) if n.split(".")[0] in ("demo", "webapp"))
           for folder in ("surveys", "analysis") for f in _files(folder)}
    assert {k: v for k, v in bad.items() if v} == {}


def test_the_metric_vocabulary_needs_nothing_outside_the_standard_library():
    assert {n.split(".")[0] for n in _imports(ROOT / "analysis/metrics.py")} <= {"__future__"}
