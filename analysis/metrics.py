"""The metric vocabulary, defined once for the statistics, the SQL rollups and the reports.

Definitions are in the README ("Statistical definitions"). This module imports nothing beyond the
standard library, so the write side (`surveys.rollups`), which encodes the same rules in SQL, can use
it without loading numpy.
"""
from __future__ import annotations

EX_DIMENSIONS = ("engagement", "culture", "people", "process", "technology")
CX_METRICS = ("csat", "nps", "ces")
AGREEMENT_TYPES = ("likert5", "likert7")
# Favourable: the top TOP_BOX points of an agreement scale (the bottom ones on a reverse-keyed item);
# CSAT counts the same top two boxes on its satisfaction scale.
TOP_BOX = 2
# NPS and eNPS on 0-10: promoters 9-10, passives 7-8, detractors 0-6.
PROMOTER_MIN = 9
DETRACTOR_MAX = 6
# CES: "agree" is the top three points of the 7-point "made it easy" scale.
CES_AGREE_TOP = 3
# How a team's score is made from respondents' sums: share of the top boxes, net score, or mean.
SHARE_METRICS = ("csat",)
NET_METRICS = ("nps", "enps")


def is_favourable(value: float, scale_min: int, scale_max: int, reverse: bool = False) -> bool:
    """True when an agreement answer is favourable (top two points; bottom two when reverse-keyed)."""
    if reverse:
        return value <= scale_min + TOP_BOX - 1
    return value >= scale_max - TOP_BOX + 1


def is_promoter(value: float) -> bool:
    """True for 9-10 on the 0-10 scale."""
    return value >= PROMOTER_MIN


def is_detractor(value: float) -> bool:
    """True for 0-6 on the 0-10 scale."""
    return value <= DETRACTOR_MAX


# A comment is negative at or below this sentiment (VADER's compound-score convention; analysis.text).
SENTIMENT_NEGATIVE_MAX = -0.05
