"""Themes blueprint: theme volume and sentiment for all staff; HR and executives manage the themes."""
from webapp.themes.views import bp

__all__ = ["bp"]
