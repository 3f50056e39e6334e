"""Admin: imports (in progress)."""
from .views import bp  # noqa: F401
