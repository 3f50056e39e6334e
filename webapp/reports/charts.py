"""Render Altair charts to inline SVG offline (vl-convert), for report pages."""
from __future__ import annotations

import vl_convert as vlc
from markupsafe import Markup


def to_svg(chart) -> Markup:
    """SVG markup of a chart; the chart holds only our own computed data and labels."""
    return Markup(vlc.vegalite_to_svg(chart.to_dict()))
