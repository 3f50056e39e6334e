"""Goals: targets on a metric for the organisation, a department or a team (the write side)."""
