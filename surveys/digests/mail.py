"""The digest as a mail: an HTML part (templates/mail/digest.html) with its charts as inline PNGs
(multipart/related, referenced by cid:), and a plain-text part saying the same (templates/mail/digest.txt).
Sent through surveys.fieldwork.mailer, like every other mail."""
from __future__ import annotations

import hashlib
import smtplib
from dataclasses import dataclass


from surveys.digests.charts import digest_charts, png
from surveys.digests.compose import Digest
from surveys.fieldwork import mailer
from surveys.org import branding


@dataclass(frozen=True)
class MailSettings:
    """Where digests go from and the address their links start with."""

    host: str
    port: int
    sender: str
    base_url: str

    @classmethod
    def from_config(cls, config) -> MailSettings:
        """From the app's configuration (TANDEM_SMTP_*, TANDEM_BASE_URL)."""
        return cls(config["SMTP_HOST"], int(config["SMTP_PORT"]), config["SMTP_SENDER"], config["BASE_URL"])


def digest_path(digest: Digest) -> str:
    """The digest's page: /digests/<period>/<first day>."""
    return f"/digests/{digest.period.kind}/{digest.period.start.isoformat()}"


def fmt(value, digits: int = 1, sign: bool = False) -> str:
    """A number for a reader: '—' when missing."""
    if value is None:
        return "—"
    text = f"{value:+.{digits}f}" if sign else f"{value:.{digits}f}"
    return text


def context(digest: Digest, base_url: str, brand: branding.Branding, images: dict[str, str] | None = None,
            logo_cid: str | None = None) -> dict:
    """What the templates (mail and page) need besides the digest itself."""
    base = base_url.rstrip("/")
    return {"d": digest, "brand": brand, "logo_cid": logo_cid, "link": base + digest_path(digest),
            "base": base, "images": images or {}, "fmt": fmt, "name": digest.reader or "there"}


def render(digest: Digest, base_url: str, brand: branding.Branding = branding.DEFAULT_BRANDING,
           logo: branding.Logo | None = None) -> tuple[str, str, mailer.HtmlPart]:
    """(subject, text, html) of a digest mail; the HTML part carries its chart PNGs (and the logo) inline."""
    charts = digest_charts(digest)
    images: list[tuple[str, branding.Logo]] = []
    cids: dict[str, str] = {}
    for chart in charts:
        data = png(chart)
        digest_sha = hashlib.sha256(data).hexdigest()
        cid = f"{chart.name}-{digest_sha[:12]}@tandem"
        cids[chart.name] = cid
        images.append((cid, branding.Logo(data, "image/png", digest_sha)))
    logo_cid = mailer.logo_cid(logo) if logo else None
    if logo:
        images.insert(0, (logo_cid, logo))
    ctx = context(digest, base_url, brand, cids, logo_cid)
    ctx["charts"] = charts
    text, html = mailer.render_parts("digest", ctx)
    html.inline_images = tuple(images)
    html.sender_name = "Tandem digests" if brand.is_default_name else f"{brand.name} digests"
    return digest.subject, text, html


def send(digest: Digest, to: str, mail: MailSettings, brand: branding.Branding = branding.DEFAULT_BRANDING,
         logo: branding.Logo | None = None, connection: smtplib.SMTP | None = None) -> None:
    """Build and send one digest mail; raises smtplib/OSError errors as mailer.send_mail does."""
    subject, text, html = render(digest, mail.base_url, brand, logo)
    mailer.send_mail(mail.host, mail.port, mail.sender, to, subject, text, html, connection=connection)
