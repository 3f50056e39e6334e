"""Respond blueprint: employee invitations, customer links; each module registers its routes on `bp`."""
from . import customer, employee  # noqa: F401  (modules register their routes)
from .views import bp

__all__ = ["bp"]
