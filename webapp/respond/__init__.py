"""Respond blueprint: employee invitations, customer links; each module registers its routes on `bp`."""
from webapp.respond import customer, employee, preview  # noqa: F401  (modules register their routes)
from webapp.respond.views import bp

__all__ = ["bp"]
