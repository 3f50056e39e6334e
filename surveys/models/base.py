"""Declarative base with a constraint naming convention shared by models and migrations."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every Tandem table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> dt.datetime:
    """Naive UTC now: every timestamp in Tandem is stored as naive UTC."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def in_list(column: str, values: tuple[str, ...]) -> str:
    """SQL text for a CHECK that keeps a column inside a fixed vocabulary."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"
