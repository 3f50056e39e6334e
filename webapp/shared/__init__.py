"""Results shared back with employees: "What you told us" (per-team links) and "You said, we did"."""
from webapp.shared.views import bp

__all__ = ["bp"]
