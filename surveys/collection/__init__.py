"""The anonymous write path: paging, submissions and public links."""
