"""One exception hierarchy for the domain; every message is fit to show to the person who caused it."""
from __future__ import annotations


class TandemError(Exception):
    """Base of all domain errors; `status` is the HTTP status a web layer should use."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ValidationError(TandemError):
    """Input that breaks a rule; `field` names the offending field when there is one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class NotFound(TandemError):
    status = 404


class Forbidden(TandemError):
    status = 403


class Conflict(TandemError):
    """A state change that is not allowed now (already submitted, wave closed, ...)."""

    status = 409


class AlreadySubmitted(Conflict):
    def __init__(self, message: str = "This survey link has already been used to submit answers."):
        super().__init__(message)
