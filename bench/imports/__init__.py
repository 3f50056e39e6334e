"""Helpers of bench/bench_import.py: the scratch database and CSV files (seed), the measured child (child)."""
