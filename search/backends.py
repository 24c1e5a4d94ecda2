"""Which backend serves searches: the engine ``SEARCH_URL`` names, with PostgreSQL answering for a while
when it fails (FallbackBackend, logged), or PostgreSQL alone when it is unset (search_backend)."""

import logging
import math
import time

from django.conf import settings

from search.database_search import DatabaseBackend
from search.engine_search import EngineBackend
from search.engines import Engine, EngineError, engine_for
from search.requests import SearchRequest, SearchResult

logger = logging.getLogger(__name__)


class FallbackBackend:
    """The engine, or the database for RETRY_AFTER seconds after the engine failed (logged)."""

    RETRY_AFTER = 30
    _failed_at: dict[str, float] = {}

    def __init__(self, engine_backend: EngineBackend, database: DatabaseBackend):
        self.engine = engine_backend
        self.database = database
        self.name = engine_backend.name

    def _use(self, method: str, *args, **kwargs):
        key = self.engine.engine.url
        if time.monotonic() - self._failed_at.get(key, -math.inf) > self.RETRY_AFTER:
            try:
                return getattr(self.engine, method)(*args, **kwargs)
            except EngineError as error:
                if error.unavailable:  # down or failing: spare it (and the buyers' time) for a while
                    self._failed_at[key] = time.monotonic()
                    logger.error(
                        "Search engine failed, using the database for %ss: %s", self.RETRY_AFTER, error
                    )
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
    try:
        engine = engine_backend()
    except EngineError as error:
        logger.error("Search engine unavailable, using the database: %s", error)
        engine = None
    return FallbackBackend(engine, DatabaseBackend()) if engine else DatabaseBackend()
