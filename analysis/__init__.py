"""Pure statistics for Tandem: frames and arrays in, frozen dataclasses out.

This package never imports Flask, SQLAlchemy, WTForms, ``surveys`` or
``webapp``; it can be used from a notebook with no database. Charts live in
:mod:`analysis.charts` and are not imported here, so the statistics load
without Altair.
"""
from .agreement import icc, rwg, rwg_j
from .drivers import relative_importance
from .effects import action_effect
from .linkage import (LinkageReport, LinkageRow, benjamini_hochberg, correlate, linkage_matrix,
                      min_detectable_r, multilevel)
from .privacy import suppress
from .reliability import cronbach_alpha
from .scoring import (ces, csat, dimension_scores, favorability, nps, process_gap, reverse_score)
from .trends import detect_breakdowns, mean_change, proportion_change, wave_change

__all__ = [
    "action_effect", "benjamini_hochberg", "ces", "correlate", "cronbach_alpha", "csat",
    "detect_breakdowns", "dimension_scores", "favorability", "icc", "linkage_matrix", "LinkageReport",
    "LinkageRow", "mean_change", "min_detectable_r", "multilevel", "nps", "process_gap",
    "proportion_change", "relative_importance", "reverse_score", "rwg", "rwg_j", "suppress",
    "wave_change",
]
