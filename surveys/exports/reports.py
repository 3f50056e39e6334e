"""A report's figures as CSV and JSON text: exactly the rows `Report.rows()` gives, cells escaped."""
from __future__ import annotations

import json

from surveys.exports import csvsafe
from surveys.insights.figures import Report


def to_csv(report: Report) -> str:
    """The report's figures as CSV (formula-like cells escaped)."""
    return csvsafe.csv_text(report.columns(), report.rows())


SCALARS = frozenset({str, int, float, bool, type(None)})
# json.dumps with an indent runs json's pure-Python encoder (an indent turns its C encoder off): 0.7 s for
# a 50,000-figure heatmap. A figure is one flat object, so json's C encoder writes it as the indented
# layout would when its separator carries the newline and the indentation of a figure's members.
_FIGURE = json.JSONEncoder(separators=(",\n      ", ": "), default=str, allow_nan=False)


def to_json(report: Report) -> str:
    """The report as JSON text (NaN never appears: missing numbers are null)."""
    doc = report.as_json()
    figures = doc["figures"]
    if not figures or not all(f and SCALARS.issuperset(map(type, f.values())) for f in figures):
        return json.dumps(doc, indent=2, default=str, allow_nan=False)
    # Everything but the figures as json.dumps(indent=2) writes it, ending in '"figures": []\n}'.
    head = json.dumps({**doc, "figures": []}, indent=2, default=str, allow_nan=False)
    if not head.endswith('"figures": []\n}'):  # figures not the last member: the plain way
        return json.dumps(doc, indent=2, default=str, allow_nan=False)
    body = ",\n".join(["    {\n      " + _FIGURE.encode(f)[1:-1] + "\n    }" for f in figures])
    return head[:-len("[]\n}")] + "[\n" + body + "\n  ]\n}"
