"""Known issues: the public page and Atom feed (no sign-in), and the staff pages that write them."""
from webapp.known_issues import manage  # noqa: F401  (registers the staff routes on bp)
from webapp.known_issues.public import bp

__all__ = ["bp"]
