"""Breakdown alerts: the daily scan of customer series (scan, series, candidates), root-cause hints, the
workflow people follow, escalation, and the evidence behind each alert."""
