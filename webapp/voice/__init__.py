"""Customer voice blueprint: every customer interaction in one searchable list, and its CSV export."""
from webapp.voice.views import bp

__all__ = ["bp"]
