"""HR administration blueprint: one module per feature, all registering routes on `bp`."""
from . import imports, instruments, programs, touchpoints  # noqa: F401  (modules register their routes)
from .views import bp

__all__ = ["bp"]
