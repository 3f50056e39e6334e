"""Admin: programs (in progress)."""
from .views import bp  # noqa: F401
