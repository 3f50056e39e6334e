"""Themes and sentiment of customer and employee comments, learned offline from the organisation's own.

`labels.label_new` labels comments as they arrive (every insert path calls it); `refresh.refresh`
re-learns an audience's themes and relabels everything; `staff` holds the edits staff make (rename,
merge, split, deactivate, keyword rules, manual themes); `reading` the read side for pages and the CLI.
"""
from surveys.themes.labels import forget_comments, label_new, write_labels
from surveys.themes.refresh import refresh

__all__ = ["forget_comments", "label_new", "refresh", "write_labels"]
