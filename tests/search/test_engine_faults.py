"""An engine that hangs (accepts connections, never answers) or refuses: buyers' searches wait one short
timeout at most, PostgreSQL answers, and "the engine is down" is shared through the cache, so the next
searches and suggestions (in any process) do not knock again."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import redis
from django.core.cache import cache, caches

from search import indexing
from search.backends import RETRY_AFTER, down_key, search_backend
from search.engine_search import EngineBackend
from search.engines import EngineError, engine_for
from tests.conftest import deadline
from tests.factories import CommuneFactory, StallFactory, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def products(make_storefront, settings):
    """Two lychee products, indexed in PostgreSQL only."""
    settings.SEARCH_URL = ""
    commune = CommuneFactory(code=7582, name="Xã Lục Ngạn", province_code=24, province_name="Bắc Ninh")
    stall = StallFactory(commune=commune, partner__name="HTX Đồng Cốc")
    made = [
        make_product(stall=stall, title="Vải thiều Lục Ngạn", price=120000),
        make_product(stall=stall, title="Vải thiều sấy khô", price=150000),
    ]
    make_storefront()
    indexing.reindex_products([product.pk for product in made])
    return made


@pytest.fixture(params=["locmem", "redis"])
def cache_kind(request):
    """The process's own cache (no CACHE_URL), and the Redis every process shares."""
    if request.param == "redis":
        request.getfixturevalue("shared_cache")
    return request.param


@pytest.mark.parametrize("kind", ["opensearch", "elasticsearch"])
def test_a_hung_engine_costs_one_timeout_then_postgresql_answers_everyone(
    client, products, settings, silent_server, cache_kind, kind, caplog
):
    url = f"{kind}+http://127.0.0.1:{silent_server.port}"  # a named kind: no probe of the root first
    settings.SEARCH_URL = url

    with deadline(30):  # a safety net: without a timeout the search would wait forever
        first = client.get("/search/", {"q": "vai thieu"})

    html = first.content.decode()
    assert first.status_code == 200
    assert "Vải thiều Lục Ngạn" in html and "Vải thiều sấy khô" in html
    assert "Search engine failed, using the database" in caplog.text
    assert silent_server.settled_count() == 1
    assert cache.get(down_key(url)) is not None
    if cache_kind == "redis":  # another process (a connection of its own) sees it too
        assert caches.create_connection("default").get(down_key(url)) is not None

    with deadline(30):
        again = client.get("/search/", {"q": "vai thieu sấy"})
        suggested = client.get("/search/suggest", {"q": "vai th"})

    assert "Vải thiều sấy khô" in again.content.decode()
    assert "Vải thiều Lục Ngạn" in {item["text"] for item in json.loads(suggested.content)["suggestions"]}
    assert silent_server.settled_count() == 1  # neither knocked on the engine again


def test_the_down_state_expires_with_the_key(shared_cache, redis_url, products, settings, silent_server):
    url = f"opensearch+http://127.0.0.1:{silent_server.port}"
    settings.SEARCH_URL = url

    with deadline(30):
        search_backend().suggest("vai th")

    ttl = redis.Redis.from_url(redis_url).ttl(f"{shared_cache}:1:{down_key(url)}")
    assert 0 < ttl <= RETRY_AFTER
    cache.delete(down_key(url))  # as when RETRY_AFTER has passed
    with deadline(30):
        search_backend().suggest("vai th")
    assert silent_server.settled_count() == 2  # tried again


def test_a_hung_plain_url_is_probed_once_not_on_every_search(client, products, settings, silent_server):
    url = f"http://127.0.0.1:{silent_server.port}"  # the kind is asked at GET / first
    settings.SEARCH_URL = url

    with deadline(30):
        for query in ("vai thieu", "vai", "thieu"):
            assert "Vải thiều Lục Ngạn" in client.get("/search/", {"q": query}).content.decode()

    assert silent_server.settled_count() == 1
    assert cache.get(down_key(url)) is not None


class RefusingEngine(BaseHTTPRequestHandler):
    """Answers every request with 400, as an engine does to a query it cannot parse."""

    requests = 0

    def do_POST(self):  # noqa: N802 (http.server's name)
        type(self).requests += 1
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps({"error": {"type": "parsing_exception", "reason": "no"}, "status": 400}).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST  # noqa: N815

    def log_message(self, *args):
        pass


@pytest.fixture
def refusing_engine():
    RefusingEngine.requests = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), RefusingEngine)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"opensearch+http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_refused_request_does_not_mark_the_engine_down(client, products, settings, refusing_engine, caplog):
    settings.SEARCH_URL = refusing_engine

    for words in ("vai thieu", "vải thiều"):  # two searches (the same twice would be a cached page)
        assert "Vải thiều Lục Ngạn" in client.get("/search/", {"q": words}).content.decode()

    assert "Search engine refused a request, the database answered it" in caplog.text
    assert cache.get(down_key(refusing_engine)) is None
    assert RefusingEngine.requests == 2  # the engine stays in use


def test_indexing_waits_the_longer_index_timeout_and_fails_cleanly(settings, silent_server):
    settings.SEARCH_INDEX_TIMEOUT = 1  # short here; 30 s by default
    engine = EngineBackend(engine_for(f"opensearch+http://127.0.0.1:{silent_server.port}"), "products")

    with deadline(30), pytest.raises(EngineError):
        engine.index([{"id": 1, "title": "Vải", "communes": [], "stalls": [], "location": None}])
