"""Reports blueprint."""
from webapp.reports.views import bp

__all__ = ["bp"]
