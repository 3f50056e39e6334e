"""Actions blueprint."""
from webapp.actions.views import bp

__all__ = ["bp"]
