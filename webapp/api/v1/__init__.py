"""Version 1 of the JSON API: the leadership reports, read-only, behind personal API tokens."""
from webapp.api.v1.views import bp

__all__ = ["bp"]
