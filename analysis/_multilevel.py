"""Random-intercept model: outcome on between-group and within-group parts of predictors.

Re-exported as :func:`analysis.linkage.multilevel`.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from ._util import NAN, check_confidence
from .linkage_results import MultilevelResult, MultilevelTerm


def _failed(outcome: str, names: list[str], n_obs: int, n_groups: int, note: str) -> MultilevelResult:
    terms = tuple(MultilevelTerm(t, NAN, NAN, NAN, NAN, NAN) for t in ["Intercept"] + names)
    return MultilevelResult(outcome, terms, n_obs, n_groups, False, note)


def multilevel(responses: pd.DataFrame, predictors, outcome: str, group: str,
               confidence: float = 0.95) -> MultilevelResult:
    """Mixed model: outcome ~ between + within parts of each predictor + (1 | group).

    Each predictor p is split into its group mean (``p_between``: do teams
    with more of p have better outcomes?) and the deviation from that mean
    (``p_within``: when a team's p moves, does its outcome move?). Fitted
    with statsmodels MixedLM (REML) through the formula API. A convergence
    warning or a fitting error never raises: the result then has
    ``converged=False`` and a ``note``.

    Parameters
    ----------
    responses : pandas.DataFrame
        One row per observation (e.g. a customer rating) with the predictor
        columns (e.g. the owning team's EX score in that wave), the outcome
        and the group (team) column. Rows with a missing value are dropped.
    predictors : sequence of str
        Predictor column names.
    outcome : str
        Outcome column name.
    group : str
        Grouping column name (random intercept per group).
    confidence : float
        Level of the Wald intervals of the coefficients.

    Returns
    -------
    MultilevelResult
        Terms ``Intercept``, then ``<p>_between`` and ``<p>_within`` for each
        predictor, with coef, se, interval and p-value.
    """
    check_confidence(confidence)
    preds = list(predictors)
    names = [f"{p}_{part}" for p in preds for part in ("between", "within")]
    missing = [c for c in preds + [outcome, group] if c not in responses.columns]
    if missing:
        raise ValueError(f"columns not in responses: {missing}")
    data = responses[preds + [outcome, group]].dropna()
    n_obs, n_groups = len(data), int(data[group].nunique())
    if n_groups < 2 or n_obs <= len(names) + 2:
        return _failed(outcome, names, n_obs, n_groups, "too few groups or observations to fit the model")
    # Safe internal column names: metric names need not be valid identifiers.
    frame = pd.DataFrame({"y": data[outcome].astype(float).to_numpy(), "g": data[group].to_numpy()})
    safe = []
    for k, p in enumerate(preds):
        x = data[p].astype(float)
        mean = x.groupby(data[group]).transform("mean")
        frame[f"b{k}"] = mean.to_numpy()
        frame[f"w{k}"] = (x - mean).to_numpy()
        safe += [f"b{k}", f"w{k}"]
    # A within part that is constant (predictor fixed per group) cannot be estimated.
    constant = [s for s in safe if frame[s].std() < 1e-12]
    if constant:
        bad = [names[safe.index(s)] for s in constant]
        return _failed(outcome, names, n_obs, n_groups, f"no variation in {', '.join(bad)}")
    import statsmodels.formula.api as smf
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    converged, note = True, ""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fit = smf.mixedlm("y ~ " + " + ".join(safe), frame, groups=frame["g"]).fit(reml=True)
        if any(issubclass(w.category, ConvergenceWarning) for w in caught) or not fit.converged:
            converged, note = False, "the optimiser did not converge; treat estimates with care"
    except (np.linalg.LinAlgError, ValueError) as exc:
        return _failed(outcome, names, n_obs, n_groups, f"model could not be fitted: {exc}")
    z = stats.norm.ppf(0.5 + confidence / 2)
    terms = []
    for label, key in zip(["Intercept"] + names, ["Intercept"] + safe):
        coef, se = float(fit.fe_params[key]), float(fit.bse_fe[key])
        pval = float(2 * stats.norm.sf(abs(coef / se))) if se > 0 else NAN
        terms.append(MultilevelTerm(label, coef, se, coef - z * se, coef + z * se, pval))
    return MultilevelResult(outcome, tuple(terms), n_obs, n_groups, converged, note)
