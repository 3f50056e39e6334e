"""Breakdown alerts: the daily scan of customer series (scan, series) and root-cause hints (hints)."""
