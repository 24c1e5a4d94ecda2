import logging
import sys
from datetime import timedelta

import psycopg
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.utils import timezone
from django.views import defaults
from django.views.static import serve

logger = logging.getLogger(__name__)

# PostgreSQL unreachable, restarting, out of connections ("too many clients already"), or every
# connection of the pool busy past DATABASE_POOL_TIMEOUT (psycopg_pool.PoolTimeout is a
# psycopg.OperationalError; Django wraps it, and the others, in its own classes).
DATABASE_AWAY = (OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError)
RETRY_AFTER = 30  # seconds: a restart or a burst of clients is usually over by then

# When even the template cannot be rendered (static files' manifest missing...): the same words.
PLAIN_503 = (
    '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>Xin thử lại sau ít phút | Please try again in a moment</title></head><body>"
    "<h1>Xin thử lại sau ít phút</h1>"
    "<p>Chợ đang quá đông người hoặc đang bảo trì. Thử lại sau khoảng nửa phút.</p>"
    '<h2 lang="en">Please try again in a moment</h2><p lang="en">The market is very busy or under '
    "maintenance. Try again in about half a minute.</p></body></html>"
)


def media(request, path):
    """Uploaded files for the dev server and the browser tests (production serves them from S3/CDN,
    on its own host, with the same headers: see README, Security)."""
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["X-Content-Type-Options"] = "nosniff"
    if path.lower().endswith(".pdf"):
        response["Content-Disposition"] = "attachment"
    return response


def security_txt(request):
    """/.well-known/security.txt (RFC 9116): where to report a security problem."""
    expires = (timezone.now() + timedelta(days=365)).replace(microsecond=0).isoformat()
    lines = [
        f"Contact: {settings.SECURITY_CONTACT}",
        f"Expires: {expires}",
        "Preferred-Languages: vi, en",
        f"Canonical: {request.build_absolute_uri()}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def database_away(error: BaseException | None) -> bool:
    """Whether ``error``, or an error it was raised from or while handling, says the database is away."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, DATABASE_AWAY):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def database_unavailable() -> HttpResponse:
    """The short "please try again" page: 503 with Retry-After, rendered without the database (no
    request, so no context processor) and cached by nobody."""
    try:
        body = loader.render_to_string("503.html")
    except Exception:  # noqa: BLE001 (the error page must not fail: plain words instead)
        logger.exception("The 503 page could not be rendered")
        body = PLAIN_503
    response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """handler500. Django calls it inside its ``except`` block, so sys.exc_info() is the error: the
    database being away is a 503 that says to try again; anything else is the ordinary 500 page."""
    if database_away(sys.exc_info()[1]):
        return database_unavailable()
    return defaults.server_error(request, template_name)
