"""Follow-up cases blueprint: the list with close-the-loop figures, one case's page and its forms."""
from webapp.cases.views import bp

__all__ = ["bp"]
