"""Alerts blueprint: the command centre, the alerts list, one alert's page and its buttons."""
from webapp.alerts import changes  # noqa: F401  (registers the buttons' routes)
from webapp.alerts.views import bp

__all__ = ["bp"]
