"""Breakdown alerts: detection, the workflow people follow, escalation, and the evidence behind each alert."""
