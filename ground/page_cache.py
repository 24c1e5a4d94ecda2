"""Whole pages for visitors who carry nothing of their own: the catalogue's lists, searches, product
pages and storefront homes, rendered once into the shared cache and served from it by every process.

- **Who gets them**: a GET or HEAD without a session, basket, history or messages (no cookie beyond
  CSRF and language). For them a page is the same for everyone of the same site and language. Anyone
  else gets the page rendered in full.
- **Slots**: the few parts that differ per visitor (the CSRF token of the forms, the path the language
  button returns to) are markers in the cached shell, filled on the way out.
- **Freshness**: the key holds the catalogue's version, a value in the shared cache that every change
  to what these pages show replaces, at once and again when its transaction commits
  (``invalidate_on``). A key is computed before its page renders, so a page rendered from data older
  than the latest change is stored under a version nobody asks for any more. A change is visible on
  the next request of every process; what nobody announces (the header's site name) shows within
  ``SECONDS``.
"""

import functools
import hashlib
import uuid
import zlib
from collections.abc import Callable, Iterable
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.html import escape
from django.utils.translation import get_language

SECONDS = 300
VERSION_KEY = "page-cache:catalogue-version"
MAX_KEY_QUERY = 600  # longer query strings (padded URLs) are rendered, never stored
MAX_NEXT_LENGTH = 500


@functools.cache
def nonce() -> str:
    """In the slots' markers and the keys. A shell one process rendered is filled by any other (the
    cache is shared), so it is the same in every process of a deployment; derived from SECRET_KEY, so
    no product title or event note can contain it, and a process on another key (during a key change)
    never fills this one's shells. Computed on first use: settings are not ready at import."""
    return salted_hmac("ground.page_cache", "slot markers").hexdigest()[:16]


def marker(name: str) -> str:
    return f"@@{name}-{nonce()}@@"


def shell_allowed(request: HttpRequest) -> bool:
    """Nothing of the visitor's own on the page: no cookie beyond CSRF and language."""
    return request.method in ("GET", "HEAD") and request.COOKIES.keys() <= {
        settings.CSRF_COOKIE_NAME,
        settings.LANGUAGE_COOKIE_NAME,
    }


def page_store():
    """The ``pages`` cache of the settings (on PAGE_CACHE_URL, a Redis of its own, a flood of distinct
    pages evicts pages, never the rate limits and flags of the ``default`` cache), or ``default`` where
    the settings name none (the tests')."""
    return caches["pages" if "pages" in settings.CACHES else "default"]


# ------------------------------------------------------------------------------------------- version


def version() -> str:
    store = page_store()
    current = store.get(VERSION_KEY)
    if current is None:  # first use, or evicted: any new value invalidates what was stored before
        store.add(VERSION_KEY, uuid.uuid4().hex, None)
        current = store.get(VERSION_KEY, "")
    return current


def bump() -> None:
    """Every page rendered before this is stale (in every process: the value is in the shared cache)."""
    page_store().set(VERSION_KEY, uuid.uuid4().hex, None)


def bump_on_commit() -> None:
    """Bump now, and again when the current transaction commits: a page rendered in between by
    another process (from the data before the commit) is not kept. Now as well, so that this
    transaction's own later requests (a test's) see the change."""
    bump()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(bump)


def invalidate_on(models: Iterable, *, many_to_many: Iterable = ()) -> None:
    """Saving or deleting any of ``models`` (or changing one of the ``many_to_many`` relations'
    through tables) makes every cached page stale once it commits."""

    def changed(sender, **kwargs):
        bump_on_commit()

    for model in models:
        name = f"{model._meta.label}"
        post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"page-cache-save-{name}")
        post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"page-cache-delete-{name}")
    for through in many_to_many:
        m2m_changed.connect(
            changed, sender=through, weak=False, dispatch_uid=f"page-cache-m2m-{through._meta.label}"
        )


# ------------------------------------------------------------------------------------------- pages


def shell_context(request: HttpRequest) -> dict:
    """A context processor (the last one): while a shell renders, the per-visitor parts are markers."""
    if getattr(request, "_rendering_shell", False):
        return {
            "csrf_token": marker("csrf-token"),
            "language_next": marker("next-path"),
            "CSP_NONCE": marker("csp-nonce"),  # this response's own, so an inline script would run
        }
    return {}


def _key(request: HttpRequest, params: tuple[str, ...] | None) -> str | None:
    """The page's key: site, language, catalogue version, path and the query parameters the view
    reads (others, such as a campaign's tracking tags, share the page). None: not to be stored."""
    if params is None:
        query = ""
    else:  # encoded (a value holding "&sort=" stays one value) and in the request's order (the view
        # reads a repeated parameter's last value)
        query = urlencode([(name, value) for name in sorted(params) for value in request.GET.getlist(name)])
    if len(query) > MAX_KEY_QUERY:
        return None
    # The host as ALLOWED_HOSTS matched it, whatever its case.
    # Today's date too: season labels and open pre-orders change at midnight, not only when saved.
    page = f"{request.get_host().lower()}\n{get_language()}\n{timezone.localdate()}\n{request.path}\n{query}"
    digest = hashlib.sha256(page.encode()).hexdigest()
    return f"page:{nonce()}:{version()}:{digest}"


def next_path(request) -> str:
    """Where the language button returns to: this page, or only its path when its query string is
    padded (the button sits on every page, so a 30 KB URL must not be written into each one)."""
    path = request.get_full_path()
    return path if len(path) <= MAX_NEXT_LENGTH else request.path


def fill(shell: str, request: HttpRequest) -> str:
    """The shell with this visitor's CSRF token, return path and this response's CSP nonce."""
    html = shell.replace(marker("csrf-token"), get_token(request))
    html = html.replace(marker("next-path"), escape(next_path(request)))
    nonce_marker = marker("csp-nonce")
    if nonce_marker in html:  # read only when used: reading it puts the nonce in the CSP header
        html = html.replace(nonce_marker, str(getattr(request, "csp_nonce", "")))
    return html


def cached_page(params: Iterable[str] | None = ()) -> Callable:
    """Serve the decorated view's 200 pages from the shared cache to visitors without cookies of
    their own (see the module's docstring). ``params``: the query parameters the page depends on
    (None: it depends on none, and any query string shares the page)."""
    params = None if params is None else tuple(params)

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not settings.PAGE_CACHE or not shell_allowed(request):
                return view(request, *args, **kwargs)
            key = _key(request, params)
            stored = page_store().get(key) if key else None
            if stored is None:
                request._rendering_shell = True
                try:
                    response = view(request, *args, **kwargs)
                    if hasattr(response, "render") and not response.is_rendered:
                        response.render()
                finally:
                    request._rendering_shell = False
                if not _storable(response):
                    return _filled(response, request)
                if key:  # compressed: a list page of 40 KB keeps about 6 KB of Redis
                    page_store().set(
                        key, (zlib.compress(response.content, 1), response["Content-Type"]), SECONDS
                    )
                content = response.content
            else:
                compressed, content_type = stored
                content = zlib.decompress(compressed)
                response = HttpResponse(content_type=content_type)
            response.content = fill(content.decode(), request)
            return response

        return wrapper

    return decorator


def _storable(response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies  # the view set something for this visitor
        and response.get("Content-Type", "").startswith("text/html")
    )


def _filled(response, request: HttpRequest):
    """A response the view rendered with markers but that is not stored (a redirect, an error page,
    a cookie set): its markers are filled all the same."""
    if not response.streaming and response.get("Content-Type", "").startswith("text/html"):
        response.content = fill(response.content.decode(response.charset), request)
    return response
