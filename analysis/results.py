"""Named, immutable results returned by the statistics in :mod:`analysis`.

Every result is a frozen dataclass whose fields are plain Python floats, ints,
bools, strings or tuples, so ``dataclasses.asdict`` gives something JSON-ready
(NaN marks a value that is undefined for the data given, e.g. an interval from
two answers). Results that carry tables (dimension scores, suppression) hold
pandas frames; ``asdict`` deep-copies those.

The results of the linkage statistics (correlations, multilevel models,
drivers) are in :mod:`analysis.linkage_results`.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

# -- scoring -----------------------------------------------------------------


@dataclass(frozen=True)
class FavorabilityResult:
    """Percent favourable / neutral / unfavourable (0-100), item mean and n."""

    favorable: float
    neutral: float
    unfavorable: float
    mean: float
    n: int


@dataclass(frozen=True)
class NPSResult:
    """Net promoter score (-100..100), category percents, n and interval."""

    score: float
    promoters: float
    passives: float
    detractors: float
    n: int
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class CSATResult:
    """Top-two-box share in percent with its Wilson interval."""

    score: float
    ci_low: float
    ci_high: float
    n: int


@dataclass(frozen=True)
class CESResult:
    """Customer-effort mean with t-interval and percent agreeing (5-7)."""

    mean: float
    ci_low: float
    ci_high: float
    agree: float
    n: int


@dataclass(frozen=True)
class DimensionScores:
    """Dimension scores per respondent and per unit.

    Attributes
    ----------
    respondents : pandas.DataFrame
        Index of the input frame; one column per dimension holding the
        respondent's percent favourable (NaN when no item of that dimension
        was answered), plus the unit column when one was given.
    units : pandas.DataFrame
        Columns ``unit, dimension, score, n``: the mean of respondents'
        scores and the number of respondents with a score. ``unit`` is None
        when no unit column was given (one organisation-wide row per
        dimension).
    """

    respondents: pd.DataFrame
    units: pd.DataFrame

    def engagement(self) -> pd.DataFrame:
        """Rows of :attr:`units` for the engagement index (dimension "engagement")."""
        return self.units[self.units["dimension"] == "engagement"].reset_index(drop=True)


# -- reliability and agreement ------------------------------------------------


@dataclass(frozen=True)
class AlphaResult:
    """Cronbach's alpha with the Feldt (1965) interval."""

    alpha: float
    ci_low: float
    ci_high: float
    n_items: int
    n_respondents: int

    def below(self, threshold: float = 0.70) -> bool:
        """True when alpha is below ``threshold`` (the usual flag is .70)."""
        return bool(self.alpha < threshold)


@dataclass(frozen=True)
class ICCResult:
    """ICC(1) and ICC(2) from a one-way ANOVA (Bliese, 2000).

    ``group_size`` is the adjusted mean group size k0 used for ICC(1);
    ``note`` explains NaN fields.
    """

    icc1: float
    icc2: float
    f_statistic: float
    p_value: float
    n_groups: int
    group_size: float
    note: str = ""


@dataclass(frozen=True)
class RwgResult:
    """Single-item within-group agreement rwg (James, Demaree & Wolf, 1984)."""

    rwg: float
    observed_variance: float
    null_variance: float
    n: int


@dataclass(frozen=True)
class RwgJResult:
    """Multi-item within-group agreement rwg(j); ``observed_variance`` is the mean item variance."""

    rwg_j: float
    observed_variance: float
    null_variance: float
    n_items: int
    n: int


# -- trends and effects -------------------------------------------------------


@dataclass(frozen=True)
class ChangeResult:
    """Change between two waves (after minus before) with its interval."""

    change: float
    ci_low: float
    ci_high: float
    n_before: int
    n_after: int
    significant: bool
    method: str


@dataclass(frozen=True)
class BreakdownResult:
    """Latest wave of one touchpoint against its trailing baseline.

    ``drop`` is baseline minus score (positive = worse); the interval is for
    the drop. ``significant`` means the interval lies above zero.
    """

    touchpoint: str
    wave: int
    score: float
    baseline: float
    drop: float
    ci_low: float
    ci_high: float
    significant: bool
    persistent: bool
    sentence: str


@dataclass(frozen=True)
class ActionEffectResult:
    """Difference-in-differences estimate of an action's effect.

    ``verdict`` is one of ``VERDICTS`` in :mod:`analysis.effects`; with too few
    comparison teams the effect and interval are NaN and the verdict says so.
    ``method`` names the interval ('comparison' or 'welch') and ``df`` its
    degrees of freedom.
    """

    effect: float
    ci_low: float
    ci_high: float
    n_treated: int
    n_control: int
    treated_change: float
    control_change: float
    sentence: str
    verdict: str = ""
    method: str = ""
    df: float = float("nan")


# -- privacy ------------------------------------------------------------------


@dataclass(frozen=True)
class SuppressionResult:
    """A frame with small cells hidden.

    ``suppressed_primary`` and ``suppressed_complementary`` are tuples of the
    index labels hidden for being below k and hidden to protect a sibling.
    ``parents_to_hide`` lists parent keys whose total must be hidden by the
    caller because they are not rows of this frame (single-child groups).
    """

    frame: pd.DataFrame
    suppressed_primary: tuple
    suppressed_complementary: tuple
    parents_to_hide: tuple = ()
