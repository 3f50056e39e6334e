"""Reports blueprint: the index and linkage views, then one route pair for every registered report."""
from webapp.reports import heatmap_cells, pages  # noqa: F401  (register the report routes and heat_cells on bp)
from webapp.reports.views import bp

__all__ = ["bp"]
