"""The analysis package stays pure and its results serialise to plain Python values."""
import json
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd

import analysis as a

ROOT = Path(__file__).resolve().parents[2]


def test_analysis_imports_no_web_or_database_packages():
    code = ("import sys, analysis, analysis.charts\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in "
            "('flask', 'sqlalchemy', 'wtforms', 'flask_wtf', 'surveys', 'webapp')]\n"
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == ""


def test_results_are_json_ready_plain_values():
    rng = np.random.default_rng(0)
    units = pd.DataFrame({"unit": np.repeat(range(20), 2), "wave": np.tile([1, 2], 20),
                          "ex": rng.normal(size=40), "cx": rng.normal(size=40)})
    results = [
        a.favorability([1, 4, 5], 5), a.nps([9, 0, 7]), a.csat([5, 2]),
        a.ces([5, 6, 7]), a.cronbach_alpha(rng.integers(1, 6, size=(10, 3))),
        a.icc([1, 2, 3, 4], ["a", "a", "b", "b"]), a.rwg([3, 4], 5),
        a.rwg_j(np.array([[3, 4], [4, 4]]), 5), a.correlate(units.ex, units.cx),
        a.relative_importance(units, "cx", ["ex"]), a.proportion_change(50, 10, 60, 10),
        a.mean_change([1, 2], [2, 3]), a.action_effect(units, [0, 1], "ex", 1, 2),
        *a.detect_breakdowns(pd.DataFrame({"touchpoint": "t", "wave": [1, 2], "score": [50, 40], "n": [10, 10]})),
        *a.linkage_matrix(units, ["ex"], ["cx"]).rows,
    ]
    for res in results:
        d = asdict(res)
        json.dumps(d, allow_nan=True)  # raises on numpy integers, bools or arrays
        _assert_plain(d)


def _assert_plain(value):
    if isinstance(value, dict):
        for v in value.values():
            _assert_plain(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _assert_plain(v)
    else:
        assert type(value) in (float, int, bool, str, type(None)), (value, type(value))
