"""A small adapter over the two engine clients (Elasticsearch, OpenSearch), so every query, mapping
and bulk body is built once with elasticsearch.dsl and sent to either engine; EngineError for both.

Every call has a bounded wait: a buyer's search or suggestion ``SEARCH_TIMEOUT`` (then PostgreSQL
answers, see search/backends.py), indexing and index management ``SEARCH_INDEX_TIMEOUT``."""

import json
import urllib.request
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from elasticsearch import ApiError, Elasticsearch, TransportError
from elasticsearch import helpers as elasticsearch_helpers


class EngineError(Exception):
    """The engine could not be reached (``unavailable``), or refused one request."""

    def __init__(self, message: str, *, unavailable: bool = True):
        super().__init__(message)
        self.unavailable = unavailable


class Engine:
    kind = ""

    def __init__(self, url: str):
        self.url = url
        self.client = self._client(url)

    def _client(self, url: str):
        raise NotImplementedError

    def _helpers(self):
        raise NotImplementedError

    def _errors(self) -> tuple[type[Exception], ...]:
        raise NotImplementedError

    def _timed(self, seconds: float) -> tuple[object, dict]:
        """The client and the extra call arguments that make one call wait at most ``seconds``."""
        raise NotImplementedError

    def call(self, method: str, *args, timeout: float | None = None, **kwargs):
        """Run one client call, turning the client's own exceptions into EngineError. It waits at most
        ``timeout`` seconds (default ``SEARCH_INDEX_TIMEOUT``: index management)."""
        target, extra = self._timed(timeout or settings.SEARCH_INDEX_TIMEOUT)
        for part in method.split("."):
            target = getattr(target, part)
        try:
            return target(*args, **kwargs, **extra)
        except self._errors() as error:
            status = getattr(error, "status_code", None) or getattr(
                getattr(error, "meta", None), "status", None
            )
            refused = isinstance(status, int) and 400 <= status < 500
            raise EngineError(f"{self.kind} {method}: {error}", unavailable=not refused) from error

    def search(self, index: str, body: dict) -> dict:
        """A buyer waits for this one (searches and suggestions): the short timeout."""
        return dict(self.call("search", index=index, body=body, timeout=settings.SEARCH_TIMEOUT))

    def bulk(
        self,
        actions: Iterable[dict],
        *,
        chunk_size: int = 1000,
        raise_on_error: bool = True,
        refresh: bool | str = False,
    ) -> int:
        """Send index/delete actions in chunks; with ``raise_on_error=False`` failed items (say,
        deleting what is not there) are skipped; with ``refresh="wait_for"`` it returns once searches
        see them."""
        helpers = self._helpers()
        client, extra = self._timed(settings.SEARCH_INDEX_TIMEOUT)  # per chunk
        try:
            indexed, _errors = helpers.bulk(
                client,
                actions,
                chunk_size=chunk_size,
                max_chunk_bytes=20 * 1024 * 1024,
                refresh=refresh,
                raise_on_error=raise_on_error,
                **extra,
            )
        except self._errors() + (helpers.BulkIndexError,) as error:
            raise EngineError(f"{self.kind} bulk: {error}") from error
        return indexed

    def create_index(self, name: str, body: dict) -> None:
        self.call("indices.create", index=name, body=body)

    def delete_index(self, name: str) -> None:
        self.call("indices.delete", index=name, ignore_unavailable=True)

    def refresh(self, name: str) -> None:
        self.call("indices.refresh", index=name)

    def indices_of(self, alias: str) -> list[str]:
        if not self.call("indices.exists_alias", name=alias):
            return []
        return sorted(self.call("indices.get_alias", name=alias).keys())

    def point_alias(self, alias: str, index: str) -> list[str]:
        """Move the alias to ``index`` in one atomic step; returns the indices it left."""
        old = self.indices_of(alias)
        actions = [{"remove": {"index": name, "alias": alias}} for name in old]
        actions.append({"add": {"index": index, "alias": alias}})
        self.call("indices.update_aliases", body={"actions": actions})
        return [name for name in old if name != index]

    def health(self) -> str:
        return self.call("cluster.health")["status"]


class ElasticsearchEngine(Engine):
    kind = "elasticsearch"

    def _client(self, url: str):
        # The short timeout by default: a call that names none never holds a buyer long.
        return Elasticsearch(
            url, request_timeout=settings.SEARCH_TIMEOUT, max_retries=0, retry_on_timeout=False
        )

    def _helpers(self):
        return elasticsearch_helpers

    def _errors(self):
        return (ApiError, TransportError)

    def _timed(self, seconds):
        # elasticsearch 8 takes transport options through .options() (a light copy of the client).
        return self.client.options(request_timeout=seconds), {}


# The ``elasticsearch`` client (8.x) refuses to talk to OpenSearch (it checks the X-Elastic-Product
# header and sends compatible-with media types), so OpenSearch gets ``opensearch-py``. Both take the
# same JSON bodies and bulk actions and return the same raw JSON, which the DSL wraps back into its
# ``Response`` objects.
class OpenSearchEngine(Engine):
    kind = "opensearch"

    def _client(self, url: str):
        from opensearchpy import OpenSearch  # loaded only when an OpenSearch engine is configured

        # The short timeout by default: a call that names none never holds a buyer long.
        return OpenSearch(hosts=[url], timeout=settings.SEARCH_TIMEOUT, max_retries=0, retry_on_timeout=False)

    def _helpers(self):
        from opensearchpy import helpers  # loaded only when an OpenSearch engine is configured

        return helpers

    def _errors(self):
        from opensearchpy.exceptions import OpenSearchException  # only when OpenSearch is configured

        return (OpenSearchException,)

    def _timed(self, seconds):
        # opensearch-py takes it per call (not ``timeout``: some APIs have a parameter of that name).
        return self.client, {"request_timeout": seconds}


def detect_kind(url: str) -> str:
    """'opensearch' or 'elasticsearch', from the root endpoint of a plain http(s) URL (asked on a
    buyer's search, so with the short timeout)."""
    try:
        with urllib.request.urlopen(url, timeout=settings.SEARCH_TIMEOUT) as response:  # noqa: S310 (our own setting)
            info = json.load(response)
    except (OSError, ValueError) as error:
        raise EngineError(f"No search engine answers at {url}: {error}") from error
    return "opensearch" if info.get("version", {}).get("distribution") == "opensearch" else "elasticsearch"


def engine_for(url: str) -> Engine:
    """The engine ``SEARCH_URL`` names: ``opensearch+http://host:9200``, ``elasticsearch+https://host:9200``,
    or a plain ``http(s)://`` URL, whose product is asked once (``GET /``)."""
    scheme, netloc, path, query, fragment = urlsplit(url)
    kind, _, transport = scheme.rpartition("+")
    plain = urlunsplit((transport, netloc, path, query, fragment))
    if transport not in ("http", "https"):
        raise EngineError(
            f"SEARCH_URL must be http(s), optionally prefixed by opensearch+ or elasticsearch+: {url}"
        )
    kind = kind or detect_kind(plain)
    engines = {"opensearch": OpenSearchEngine, "elasticsearch": ElasticsearchEngine}
    if kind not in engines:
        raise EngineError(f"Unknown search engine '{kind}' in SEARCH_URL")
    return engines[kind](plain)
