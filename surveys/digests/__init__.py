"""Digests: daily to annual summaries of what changed, scoped to the reader, as a page and a mail."""
