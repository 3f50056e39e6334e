"""The digest subscription form: which periods the signed-in staff member receives by mail."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField

from surveys.models.digests import DIGEST_PERIODS

LABELS = {"daily": "Daily (yesterday)", "weekly": "Weekly (Monday to Sunday)", "monthly": "Monthly",
          "quarterly": "Quarterly", "annual": "Annual"}


class SubscriptionForm(FlaskForm):
    """One checkbox per period."""

    daily = BooleanField(LABELS["daily"])
    weekly = BooleanField(LABELS["weekly"])
    monthly = BooleanField(LABELS["monthly"])
    quarterly = BooleanField(LABELS["quarterly"])
    annual = BooleanField(LABELS["annual"])

    def chosen(self) -> list[str]:
        """The periods ticked."""
        return [p for p in DIGEST_PERIODS if self[p].data]
