"""HR administration blueprint: one module per feature, all registering routes on `bp`."""
from webapp.admin import (  # noqa: F401  (they register routes)
    branding,
    floods,
    import_jobs,
    imports,
    instruments,
    programs,
    touchpoints,
)
from webapp.admin.views import bp

__all__ = ["bp"]
