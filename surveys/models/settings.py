"""Organisation-wide settings set by HR: one row, id 1 (the name, logo and colour respondents see)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, DateTime, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from surveys.models.base import Base, in_list, utcnow

LOGO_TYPES = ("image/png", "image/jpeg")  # never SVG: it can carry script


class OrganisationSettings(Base):
    """The single settings row; a missing row means every default applies."""

    __tablename__ = "organisation_settings"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("brand_colour IS NULL OR length(brand_colour) = 7", name="brand_colour"),
        CheckConstraint(f"logo_type IS NULL OR {in_list('logo_type', LOGO_TYPES)}", name="logo_type"),
        CheckConstraint("(logo IS NULL) = (logo_type IS NULL)", name="logo_with_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str | None] = mapped_column(String(200))
    brand_colour: Mapped[str | None] = mapped_column(String(7))
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_type: Mapped[str | None] = mapped_column(String(20))
    # SHA-256 of the logo: its ETag and the version in its address, so a new logo is fetched at once.
    logo_sha256: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
