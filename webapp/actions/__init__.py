"""Actions blueprint: the overview, one action's page, the create and edit forms and the page's buttons."""
from webapp.actions import changes, editing  # noqa: F401  (they register routes)
from webapp.actions.views import bp

__all__ = ["bp"]
