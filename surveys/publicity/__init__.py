"""What the organisation tells customers in the open: the known-issues page and its feed."""
