"""Whole numbers from addresses and forms stay within what the id columns can hold.

Without a bound `/admin/programs/99999999999999999999` was a 500: SQLite raises OverflowError from 2**63,
and on PostgreSQL SQLAlchemy binds an id as `::INTEGER`, which overflows from 2**31. Every id in an address
or a form names a row of an INTEGER table (programs, waves, surveys, questions, teams), so the bound is
PostgreSQL's integer, 2**31 - 1: no such row can have a larger id on either database. Beyond it an
address matches no route (404) and a form field reports an error beside itself (400).
"""
from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter
from wtforms import IntegerField
from wtforms.validators import ValidationError

from surveys.db import MAX_ID  # one bound for paths, forms and services

TOO_LARGE = "This number is too large."


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` in every route: at most MAX_ID unless the rule sets its own max."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def register_bounds(app: Flask) -> None:
    """Call before any blueprint adds its rules: a rule picks its converter when it is added."""
    app.url_map.converters["int"] = BoundedIntConverter


def db_int(value) -> int:
    """`coerce` for select fields whose values are ids: ValueError (a form error) beyond the bound."""
    number = int(value)
    if abs(number) > MAX_ID:
        raise ValueError(TOO_LARGE)
    return number


class BoundedIntegerField(IntegerField):
    """An IntegerField that refuses numbers no INTEGER column can hold, whatever its other validators."""

    def pre_validate(self, form):
        if self.data is not None and abs(self.data) > MAX_ID:
            raise ValidationError(TOO_LARGE)
