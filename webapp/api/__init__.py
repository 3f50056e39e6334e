"""Api blueprint: /api/health, /api/me and, under /api/v1, the token-authenticated report API."""
from webapp.api import v1
from webapp.api.views import bp

bp.register_blueprint(v1.bp, url_prefix="/v1")

__all__ = ["bp"]
