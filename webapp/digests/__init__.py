"""Digests blueprint: the digest pages and each staff member's choice of digests."""
from webapp.digests.views import bp

__all__ = ["bp"]
