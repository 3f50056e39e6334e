"""Admin: touchpoints, public links and QR codes (in progress)."""
from .views import bp  # noqa: F401
