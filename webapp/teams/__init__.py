"""Team pages blueprint."""
from webapp.teams.views import bp

__all__ = ["bp"]
