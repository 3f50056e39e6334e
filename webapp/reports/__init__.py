"""Reports blueprint: the index and linkage views, then one route pair for every registered report."""
from webapp.reports import pages  # noqa: F401  (registers the report routes on bp)
from webapp.reports.views import bp

__all__ = ["bp"]
