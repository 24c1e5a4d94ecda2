"""Which backend serves searches: the engine ``SEARCH_URL`` names, with PostgreSQL answering for a while
when it fails (FallbackBackend, logged), or PostgreSQL alone when it is unset (search_backend).

"The engine is down" is a key in the shared cache, so one process's timeout spares every process the
wait, not only its own."""

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache

from search.database_search import DatabaseBackend
from search.engine_search import EngineBackend
from search.engines import Engine, EngineError, engine_for
from search.requests import SearchRequest, SearchResult

logger = logging.getLogger(__name__)


RETRY_AFTER = 30  # seconds the database answers alone after the engine failed


def down_key(url: str) -> str:
    """The cache key saying the engine at ``url`` failed (hashed: the URL may carry a password)."""
    return "search:engine-down:" + hashlib.sha256(url.encode()).hexdigest()[:16]


def engine_down(url: str) -> bool:
    return cache.get(down_key(url)) is not None


def mark_engine_down(url: str, error: EngineError) -> None:
    """Every process uses the database for RETRY_AFTER seconds (logged)."""
    cache.set(down_key(url), int(time.time()), RETRY_AFTER)
    logger.error("Search engine failed, using the database for %ss: %s", RETRY_AFTER, error)


class FallbackBackend:
    """The engine, or the database for RETRY_AFTER seconds after the engine failed (logged)."""

    RETRY_AFTER = RETRY_AFTER

    def __init__(self, engine_backend: EngineBackend, database: DatabaseBackend, *, url: str = ""):
        self.engine = engine_backend
        self.database = database
        self.name = engine_backend.name
        self.url = url or engine_backend.engine.url  # what names the engine in the cache: SEARCH_URL

    def _use(self, method: str, *args, **kwargs):
        url = self.url
        if not engine_down(url):
            try:
                return getattr(self.engine, method)(*args, **kwargs)
            except EngineError as error:
                if error.unavailable:  # down, failing or too slow: spare it (and the buyers' time)
                    mark_engine_down(url, error)
                else:  # this request was refused: the database answers it, the engine stays in use
                    logger.error("Search engine refused a request, the database answered it: %s", error)
        return getattr(self.database, method)(*args, **kwargs)

    def search(self, request: SearchRequest) -> SearchResult:
        return self._use("search", request)

    def suggest(self, prefix: str, *, communes=None) -> list[str]:
        return self._use("suggest", prefix, communes=communes)


_engines: dict[str, Engine] = {}


def engine_backend(url: str | None = None, alias: str | None = None) -> EngineBackend | None:
    url = settings.SEARCH_URL if url is None else url
    if not url:
        return None
    if url not in _engines:
        _engines[url] = engine_for(url)
    return EngineBackend(_engines[url], alias or settings.SEARCH_INDEX)


def search_backend():
    """What serves searches: the engine with the database behind it, or the database alone."""
    url = settings.SEARCH_URL
    if url and url not in _engines and engine_down(url):
        return DatabaseBackend()  # not even the probe of a plain URL (detect_kind) while it is down
    try:
        engine = engine_backend()
    except EngineError as error:
        if url and error.unavailable:  # a plain URL's probe failed: not again on every search
            mark_engine_down(url, error)
        else:
            logger.error("Search engine unavailable, using the database: %s", error)
        engine = None
    return FallbackBackend(engine, DatabaseBackend(), url=url) if engine else DatabaseBackend()
