"""Customer voice blueprint: every customer interaction in one searchable list, its CSV export, and
response-level downloads of customer waves."""
from webapp.voice import exports  # noqa: F401 - registers the response downloads on bp
from webapp.voice.views import bp

__all__ = ["bp"]
