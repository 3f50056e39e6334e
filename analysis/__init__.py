"""Pure statistics for Tandem: frames and arrays in, frozen dataclasses out.

This package never imports Flask, SQLAlchemy, WTForms, ``surveys`` or
``webapp``; it can be used from a notebook with no database. Charts live in
:mod:`analysis.charts` and are not imported here, so the statistics load
without Altair. The names below load on first use (PEP 562): importing
:mod:`analysis.metrics` alone, as the SQL rollups do, does not load numpy.
"""
from __future__ import annotations

import importlib

_HOME = {
    "icc": "agreement", "rwg": "agreement", "rwg_j": "agreement",
    "relative_importance": "drivers", "bootstrap_drivers": "drivers", "action_effect": "effects",
    "effect_interval": "effects",
    "LinkageReport": "linkage", "LinkageRow": "linkage", "benjamini_hochberg": "linkage",
    "correlate": "linkage", "linkage_matrix": "linkage", "min_detectable_r": "linkage",
    "multilevel": "linkage", "suppress": "privacy", "cronbach_alpha": "reliability",
    "ces": "scoring", "csat": "scoring", "dimension_scores": "scoring", "favorability": "scoring",
    "nps": "scoring", "process_gap": "scoring", "reverse_score": "scoring",
    "detect_breakdowns": "trends", "mean_change": "trends", "proportion_change": "trends",
    "wave_change": "trends",
}

__all__ = sorted(_HOME)


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module 'analysis' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOME))
