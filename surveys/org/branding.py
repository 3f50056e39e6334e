"""Organisation branding set by HR: the name, logo and colour respondents see on survey pages and in mail.

Logos are PNG or JPEG only, recognised by their first bytes (never by the name or type the browser
sends). SVG is refused: it is a document that can carry script, and it would be served to every
respondent from Tandem's own address.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from surveys import audit
from surveys.errors import ValidationError
from surveys.models import OrganisationSettings

SETTINGS_ID = 1
DEFAULT_NAME = "Tandem"
DEFAULT_COLOUR = "#1f6f8b"
MAX_NAME = 200
MAX_LOGO_BYTES = 200 * 1024
COLOUR_RE = re.compile(r"^#[0-9a-f]{6}$")
SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))


class BrandingInvalid(ValidationError):
    """Several branding fields are wrong; `errors` maps each field to its message, so all show at once."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()), field=next(iter(errors)))
        self.errors = errors


@dataclass(frozen=True)
class Branding:
    """What respondents see: `name` is the organisation's (or Tandem's), colours are #rrggbb."""

    name: str
    colour: str
    text_colour: str
    has_logo: bool
    logo_version: str | None
    is_default_name: bool


@dataclass(frozen=True)
class Logo:
    """The stored logo: its bytes, content type and SHA-256 (used as ETag and address version)."""

    data: bytes
    content_type: str
    sha256: str


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours (1 to 21)."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def text_colour_on(colour: str) -> str:
    """White or black, whichever contrasts more with `colour` (at least 4.58:1 for any colour)."""
    return "#ffffff" if contrast_ratio(colour, "#ffffff") >= contrast_ratio(colour, "#000000") else "#000000"


DEFAULT_BRANDING = Branding(name=DEFAULT_NAME, colour=DEFAULT_COLOUR, text_colour=text_colour_on(DEFAULT_COLOUR),
                            has_logo=False, logo_version=None, is_default_name=True)


def _row(session: Session) -> OrganisationSettings | None:
    return session.get(OrganisationSettings, SETTINGS_ID)


def get_branding(session: Session) -> Branding:
    """The current branding, with Tandem's name and colour where HR has set none."""
    row = _row(session)
    name = (row.name or "").strip() if row else ""
    stored = row.brand_colour if row else None
    colour = stored if stored and COLOUR_RE.match(stored) else DEFAULT_COLOUR  # it goes into inline CSS
    has_logo = bool(row and row.logo)
    return Branding(name=name or DEFAULT_NAME, colour=colour, text_colour=text_colour_on(colour),
                    has_logo=has_logo, logo_version=row.logo_sha256[:12] if has_logo else None,
                    is_default_name=not name)


def get_logo(session: Session) -> Logo | None:
    """The uploaded logo, or None."""
    row = _row(session)
    if row is None or not row.logo:
        return None
    return Logo(row.logo, row.logo_type, row.logo_sha256)


def normalise_colour(text: str | None) -> str | None:
    """'#RRGGBB' or 'rrggbb' as lower-case '#rrggbb'; None when empty; ValidationError otherwise."""
    raw = (text or "").strip().lower()
    if not raw:
        return None
    if not raw.startswith("#"):
        raw = "#" + raw
    if not COLOUR_RE.match(raw):
        raise ValidationError("Give the colour as # and six hexadecimal digits, for example #1f6f8b.",
                              field="colour")
    return raw


def logo_type(data: bytes) -> str:
    """The content type of an acceptable logo; ValidationError for SVG, other types and oversize files."""
    if not data:
        raise ValidationError("The logo file is empty.", field="logo")
    if len(data) > MAX_LOGO_BYTES:
        raise ValidationError(f"The logo is {-(-len(data) // 1024)} kB; a logo may be at most "
                              f"{MAX_LOGO_BYTES // 1024} kB. Save a smaller PNG or JPEG.", field="logo")
    for signature, content_type in SIGNATURES:
        if data.startswith(signature):
            return content_type
    head = data[:512].lstrip().lower()
    if b"<svg" in head or head.startswith(b"<?xml"):
        raise ValidationError("SVG logos are not accepted because an SVG file can contain scripts. "
                              "Upload the logo as PNG or JPEG.", field="logo")
    raise ValidationError("The logo must be a PNG or JPEG image.", field="logo")


def update_branding(session: Session, *, name: str | None, colour: str | None, logo: bytes | None = None,
                    remove_logo: bool = False, actor_id: int | None = None) -> Branding:
    """Validate every field (BrandingInvalid lists all problems), save the settings row, audit; flushes.

    `logo` None keeps the current logo; `remove_logo` drops it (a new logo wins over removal).
    """
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if len(name) > MAX_NAME:
        errors["name"] = f"The organisation name has at most {MAX_NAME} characters."
    elif any(ord(c) < 32 for c in name):  # it becomes part of the mail sender's name
        errors["name"] = "The organisation name must be on one line, without tabs."
    try:
        colour = normalise_colour(colour)
    except ValidationError as exc:
        errors["colour"] = exc.message
    try:
        content_type = logo_type(logo) if logo is not None else None
    except ValidationError as exc:
        errors["logo"] = exc.message
    if errors:
        raise BrandingInvalid(errors)
    row = _row(session)
    if row is None:
        row = OrganisationSettings(id=SETTINGS_ID)
        session.add(row)
    logo_change = None
    if logo is not None:
        row.logo, row.logo_type = logo, content_type
        row.logo_sha256 = hashlib.sha256(logo).hexdigest()
        logo_change = "replaced"
    elif remove_logo and row.logo is not None:
        row.logo = row.logo_type = row.logo_sha256 = None
        logo_change = "removed"
    row.name, row.brand_colour = name or None, colour
    session.flush()
    audit.record(session, actor_id, "branding.update", "organisation_settings", SETTINGS_ID, name=name or None,
                 colour=colour, logo=logo_change)
    session.flush()
    return get_branding(session)
