"""Security headers on every response, and request body caps: low on the public respondent routes, a form's
worth on every other route but the CSV upload.

Every page is served under one Content-Security-Policy without inline script or inline style: behaviour
lives in /static/tandem.js, layout in /static/*.css and the organisation's colours in /r/brand.css.
"""
from __future__ import annotations

from flask import Flask, abort, request
from flask.sessions import SecureCookieSessionInterface

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'; "
       "frame-ancestors 'none'; form-action 'self'; img-src 'self' data:")
HSTS = "max-age=31536000; includeSubDomains"
PUBLIC_PREFIX = "/r/"
DEFAULT_PUBLIC_MAX_BYTES = 256 * 1024
DEFAULT_FORM_MAX_BYTES = 1024 * 1024
# The one view that takes large bodies (CSV uploads, up to TANDEM_IMPORT_MAX_MB); it sets its own limit.
UPLOAD_ENDPOINTS = frozenset({"admin.imports_page"})
TOO_LARGE = ("This form sent far more than any survey answer needs ({kb} kB at most), so nothing was read or "
             "saved. Please shorten very long comments and send it again.")
FORM_TOO_LARGE = "This request sent more than any form of Tandem needs ({kb} kB at most), so nothing was read."


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed cookie sessions, byte for byte, with the signing serializer built once per set of keys."""

    def __init__(self):
        self._serializers: dict = {}

    def get_signing_serializer(self, app: Flask):
        # Flask builds one per call, twice a request (open and save); it holds only the keys and settings, so one
        # per key set is the same object (a rotated key or new fallbacks get their own).
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if keys not in self._serializers:
            if len(self._serializers) >= 8:
                self._serializers.clear()
            self._serializers[keys] = super().get_signing_serializer(app)
        return self._serializers[keys]


def register_security(app: Flask) -> None:
    """Headers on every response (views may set their own CSP or Cache-Control first) and the body caps."""
    app.session_interface = CookieSessions()

    @app.before_request
    def _cap_bodies():
        if request.path.startswith(PUBLIC_PREFIX):
            limit, message = app.config.get("PUBLIC_MAX_BYTES", DEFAULT_PUBLIC_MAX_BYTES), TOO_LARGE
        elif request.endpoint in UPLOAD_ENDPOINTS:
            return  # the app-wide MAX_CONTENT_LENGTH (the upload limit) holds until the view sets its own
        else:  # sign-in, staff forms, the API: nothing there needs more than a form's worth
            limit, message = app.config.get("FORM_MAX_BYTES", DEFAULT_FORM_MAX_BYTES), FORM_TOO_LARGE
        # Werkzeug refuses a larger Content-Length, or a chunked body once it grows past the limit,
        # with 413 before the form is parsed; checking the header here refuses it before CSRF runs.
        request.max_content_length = limit
        if (request.content_length or 0) > limit:
            abort(413, message.format(kb=limit // 1024))

    @app.after_request
    def _headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)  # the logo route sets a stricter one
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")  # for browsers that predate frame-ancestors
        # Survey links carry tokens in their path: no page may ever send one to another site.
        headers["Referrer-Policy"] = "no-referrer"
        # Staff pages, downloads and error pages are never kept by browsers or proxies; static files, the
        # logo and the brand style sheet set their own caching.
        headers.setdefault("Cache-Control", "no-store")
        if request.is_secure:  # behind a proxy, true only when TANDEM_TRUSTED_PROXIES lets ProxyFix read it
            headers.setdefault("Strict-Transport-Security", HSTS)
        return response
