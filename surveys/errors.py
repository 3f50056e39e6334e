"""One exception hierarchy for the domain; every message is fit to show to the person who caused it."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


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

    @property
    def field_errors(self) -> dict[str | None, list[str]]:
        """Messages by field (None: the input as a whole); one entry for a single error."""
        return {self.field: [self.message]}


class ValidationErrors(ValidationError):
    """Several problems found in one input, reported together; `field_errors` maps fields to messages."""

    def __init__(self, errors: dict[str | None, list[str]]):
        super().__init__(" ".join(m for messages in errors.values() for m in messages), field=next(iter(errors)))
        self._field_errors = {f: list(ms) for f, ms in errors.items()}

    @property
    def field_errors(self) -> dict[str | None, list[str]]:
        """Messages by field (None: the input as a whole)."""
        return self._field_errors


class ErrorCollector:
    """Run several checks, keep every ValidationError they raise, then raise them all at once."""

    def __init__(self):
        self.errors: dict[str | None, list[str]] = {}

    def check(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """func(*args, **kwargs), or None after recording the ValidationError it raised."""
        try:
            return func(*args, **kwargs)
        except ValidationError as exc:
            for field, messages in exc.field_errors.items():
                for message in messages:
                    self.add(message, field)
            return None

    def add(self, message: str, field: str | None = None) -> None:
        """Record one problem with `field`."""
        self.errors.setdefault(field, []).append(message)

    def has(self, field: str | None) -> bool:
        """Whether `field` already has a problem (later checks that depend on it can be skipped)."""
        return field in self.errors

    def raise_if_any(self) -> None:
        """Raise a ValidationError for a single problem, ValidationErrors for several; else return."""
        if not self.errors:
            return
        if len(self.errors) == 1 and len(next(iter(self.errors.values()))) == 1:
            (field, (message,)), = self.errors.items()
            raise ValidationError(message, field=field)
        raise ValidationErrors(self.errors)


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
