"""HR administration blueprint: one module per feature, all registering routes on `bp`."""
from webapp.admin import branding, imports, instruments, programs, touchpoints  # noqa: F401  (they register routes)
from webapp.admin.views import bp

__all__ = ["bp"]
