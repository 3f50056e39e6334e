"""Small-cell suppression with complementary suppression of siblings.

Primary suppression hides every cell answered by fewer than k people.
Complementary suppression stops a hidden cell being recovered by
subtraction. A parent and its children (a "family") satisfy one equation:
parent total = parent's own members + sum of the children. If exactly one
cell of a family is hidden, it is that equation's only unknown: a hidden
child is the parent total minus the visible siblings, and a hidden parent is
the sum of its visible children (assuming, conservatively, that the
parent's own members are known). So whenever a family has exactly one hidden
cell with a non-zero count, another cell is hidden too - the smallest
visible child, or the parent when no child is left - and the process repeats
until nothing changes, because hiding a cell can leave a single unknown in
the family above or below it. A hidden cell with count 0 is protected like any
other (that nobody in a team answered is itself a fact about those people), but
it gives no protection to others, because a reader may know a team is empty:
so a family needs more hiding when it has exactly one hidden cell, or exactly
one hidden cell with a non-zero count.

This defeats recovery by single subtractions, the attack people actually
use on report tables; it is not a full linear-programming audit of every
combination of equations.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .results import SuppressionResult


def suppress(frame: pd.DataFrame, count_column: str, k: int, parent: str | None = None,
             value_columns=None, id_column: str | None = None) -> SuppressionResult:
    """Hide cells with fewer than ``k`` answers, plus siblings that would give them away.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per cell (e.g. team x dimension) with its count.
    count_column : str
        Number of respondents behind the cell. A missing count is treated
        as unknown and hidden.
    k : int
        Minimum group size (at least 1).
    parent : str, optional
        Column naming each cell's parent; cells with the same parent are
        siblings. Missing parent = top level (no siblings).
    value_columns : sequence of str, optional
        Columns to blank in hidden rows. Default: every numeric column except
        the count, parent and id columns.
    id_column : str, optional
        Column with each row's own key, matching ``parent`` values. When
        given, a parent row in the frame is hidden if its group has one
        hidden child and no visible sibling left to hide (e.g. a single
        child): otherwise the parent's score would stand in for the child's.
        Parents not in the frame are listed in ``parents_to_hide`` for the
        caller to hide wherever it shows them.

    Returns
    -------
    SuppressionResult
        ``frame``: a copy with a boolean ``suppressed`` column; hidden rows
        have NaN in the count and value columns (None in non-numeric value
        columns). Index labels of primary and complementary suppressions.
    """
    if int(k) < 1:
        raise ValueError("k must be at least 1")
    if count_column not in frame.columns:
        raise ValueError(f"count column {count_column!r} not in frame")
    for col in (parent, id_column):
        if col is not None and col not in frame.columns:
            raise ValueError(f"column {col!r} not in frame")
    counts = pd.to_numeric(frame[count_column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    hidden = np.isnan(counts) | (counts < k)
    primary = hidden.copy()
    to_parent: set = set()
    if parent is not None:
        ids = None if id_column is None else frame[id_column].to_numpy(dtype=object)
        hidden, to_parent = _complementary(frame[parent].to_numpy(dtype=object), ids, counts, hidden)
    out = frame.copy()
    skip = {count_column, parent, id_column}
    if value_columns is None:
        value_columns = [c for c in frame.columns
                         if c not in skip and pd.api.types.is_numeric_dtype(frame[c])
                         and not pd.api.types.is_bool_dtype(frame[c])]
    idx = out.index[hidden]
    for col in [count_column] + list(value_columns):
        if pd.api.types.is_numeric_dtype(out[col]) and not pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].astype(float)
            out.loc[idx, col] = np.nan
        else:
            out[col] = out[col].astype(object)
            out.loc[idx, col] = None
    out["suppressed"] = hidden
    labels = frame.index.to_numpy()
    return SuppressionResult(out, tuple(labels[primary].tolist()),
                             tuple(labels[hidden & ~primary].tolist()), tuple(sorted(to_parent, key=str)))


def hidden_in_tree(ids, parents, counts, k: int) -> np.ndarray:
    """`suppress` without a frame: a boolean mask of the cells to hide, for cells given as parallel
    sequences (each cell's own key, its parent's key or None, its count). The same decisions as
    `suppress(frame, count, k, parent=..., id_column=...)`, for callers that run it thousands of times
    (a heatmap of a large organisation: every column, every wave) and cannot afford a frame each time."""
    if int(k) < 1:
        raise ValueError("k must be at least 1")
    counts = np.asarray(counts, dtype=float)
    hidden = np.isnan(counts) | (counts < k)
    return _complementary(np.asarray(parents, dtype=object), np.asarray(ids, dtype=object), counts, hidden)[0]


def _complementary(parents, ids, counts, hidden):
    """Hide cells until no family has exactly one hidden cell, or exactly one non-zero hidden cell.

    A family is a parent and its children: they satisfy one equation,
    parent = parent's own members + sum of children, so one unknown in it is
    recoverable by subtraction and two or more are not. `parents` and `ids`
    (None: no id column) are object arrays of the cells' keys.
    """
    hidden = hidden.copy()
    groups: dict = {}
    for pos, key in enumerate(parents):
        if not pd.isna(key):
            groups.setdefault(key, []).append(pos)
    row_of = {}
    if ids is not None:
        row_of = {key: pos for pos, key in enumerate(ids)}
    to_parent: set = set()
    positive = np.nan_to_num(counts, nan=1.0) > 0  # unknown counts may be non-zero
    changed = True
    while changed:  # each pass hides at least one more cell or stops, so this ends
        changed = False
        for key, members in groups.items():
            members = np.array(members)
            ppos = row_of.get(key)
            unknown = int((hidden[members] & positive[members]).sum())
            unknown_any = int(hidden[members].sum())
            if ppos is not None and hidden[ppos]:
                unknown += int(positive[ppos])
                unknown_any += 1
            if unknown != 1 and unknown_any != 1:
                continue
            visible = members[~hidden[members]]
            if len(visible):
                # The smallest visible sibling: least information lost.
                hidden[visible[np.argsort(counts[visible], kind="stable")[0]]] = True
                changed = True
            elif ppos is not None and not hidden[ppos]:
                hidden[ppos] = True
                changed = True
            elif ppos is None:
                to_parent.add(key)
    return hidden, to_parent


def linkable_units(frame: pd.DataFrame, ex_metrics, cx_metrics, unit_col: str = "unit") -> int:
    """How many distinct units (teams) have at least one visible employee and one visible customer cell.

    A correlation over a handful of teams says more about each team than about teams in general (with
    two, a team's own score and outcome can be read off the line), so the linkage report needs a minimum
    number of them before it correlates anything.
    """
    if frame.empty:
        return 0
    ex = [c for c in ex_metrics if c in frame.columns]
    cx = [c for c in cx_metrics if c in frame.columns]
    if not ex or not cx:
        return 0
    # Row-wise "any visible cell", then per unit: vectorised (a per-group apply cost 0.3 s on 500 teams).
    units = frame[unit_col]
    has_ex = frame[ex].notna().any(axis=1).groupby(units).any()
    has_cx = frame[cx].notna().any(axis=1).groupby(units).any()
    return int((has_ex & has_cx).sum())
