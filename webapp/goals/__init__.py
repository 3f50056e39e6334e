"""Goals blueprint."""
from webapp.goals.views import bp

__all__ = ["bp"]
