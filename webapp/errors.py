"""Error pages: HTML for people, JSON under /api/."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from surveys.errors import TandemError

TITLES = {400: "Bad request", 401: "Sign-in needed", 403: "Not allowed", 404: "Not found",
          405: "Method not allowed", 409: "Conflict", 413: "Too large", 429: "Too many requests",
          500: "Something went wrong"}


MESSAGES = {
    400: "The request could not be understood. Please go back and try again.",
    401: "Please sign in first.",
    403: "You are signed in, but this page is not part of your role.",
    404: "There is nothing at this address. Check the link, or start again from your start page.",
    405: "This page cannot be used that way.",
    413: "The upload is too large.",
    429: "Too many attempts in a short time. Please wait a few minutes and try again.",
    500: "Something went wrong on our side. Please try again; if it happens again, tell your administrator.",
}


def _render(status: int, message: str):
    if request.path.startswith("/api/"):
        return jsonify({"error": TITLES.get(status, "Error"), "message": message, "status": status}), status
    template = f"errors/{status}.html" if status in (400, 403, 404, 409, 500) else "errors/generic.html"
    return render_template(template, status=status, title=TITLES.get(status, "Error"), message=message), status


def register_error_handlers(app: Flask) -> None:
    """Map HTTP errors, CSRF failures and domain errors to pages with a clear message."""

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        return _render(400, "The form had expired or was not sent by this site. Please reload and try again.")

    @app.errorhandler(TandemError)
    def _domain(exc: TandemError):
        return _render(exc.status, exc.message)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        # Werkzeug's stock descriptions are written for developers; a view's own message is kept.
        own = exc.description if exc.description != type(exc).description else None
        return _render(exc.code or 500, own or MESSAGES.get(exc.code) or TITLES.get(exc.code, "Error"))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        app.logger.exception("Unhandled error")
        return _render(500, InternalServerError.description)
