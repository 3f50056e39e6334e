"""Tandem domain: models and services (no Flask)."""
