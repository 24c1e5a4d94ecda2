import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import boto3
import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from wagtail.models import Locale, Page, Site

from ground.cache import cache_config
from ground.models import HomePage
from tests.servers import free_port

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_service(available: bool, name: str) -> None:
    """Skip with the missing service's name, except in CI where a missing service is an error."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{name} is required with CI=true but is not available", pytrace=False)
    pytest.skip(f"{name} is not available")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """The tests' connections commit without waiting for the disk (synchronous_commit=off: what others
    see is the same, only a crash of the server could lose the last commits of a throwaway database).
    The migrations of --create-db and the tests that commit (transaction=True) wait ten times less.
    Servers started by the tests (tests/servers.py) keep production's setting."""
    options = settings.DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()


@pytest.fixture(scope="session", autouse=True)
def _flush_only_written_tables():
    """After a test with transaction=True (or a live server), Django empties the database with one
    TRUNCATE of its ~190 tables, most of them empty. Truncate only the tables that hold rows (CASCADE
    takes the ones referring to them): the same empty database, in half the time. Sequences are left
    as they are, as Django's flush between tests does (reset_sequences=False); a flush asking for them
    to be reset, or finding nothing to empty, runs as Django wrote it."""
    from django.core.management.commands import flush  # noqa: PLC0415 (patched for the session)

    original = flush.sql_flush

    def sql_flush(style, connection, reset_sequences=True, allow_cascade=False):
        if not reset_sequences and connection.vendor == "postgresql":
            tables = list(
                connection.introspection.django_table_names(only_existing=True, include_views=False)
            )
            quote = connection.ops.quote_name
            holding = " UNION ALL ".join(
                f"SELECT {index} WHERE EXISTS (SELECT 1 FROM {quote(table)})"  # noqa: S608 (its own tables)
                for index, table in enumerate(tables)
            )
            with connection.cursor() as cursor:
                cursor.execute(holding)
                written = [tables[index] for (index,) in cursor.fetchall()]
            if written:
                return connection.ops.sql_flush(style, written, reset_sequences=False, allow_cascade=True)
        return original(style, connection, reset_sequences=reset_sequences, allow_cascade=allow_cascade)

    flush.sql_flush = sql_flush
    yield
    flush.sql_flush = original


OPENSEARCH_URL = os.environ.get("OPENSEARCH_URL", "http://127.0.0.1:9250")


def reachable_engine(url: str):
    from search.engines import EngineError, engine_for

    try:
        engine = engine_for(url)
        engine.health()
        return engine
    except EngineError:
        return None


@pytest.fixture
def opensearch(settings):
    """The project searches a fresh index alias on the test OpenSearch node (dropped afterwards)."""
    import uuid

    from search.engine_search import EngineBackend

    engine = reachable_engine(OPENSEARCH_URL)
    require_service(
        engine is not None, f"OpenSearch at {OPENSEARCH_URL} (services/opensearch/opensearch.sh start)"
    )
    settings.SEARCH_URL = OPENSEARCH_URL
    settings.SEARCH_INDEX = f"test-products-{uuid.uuid4().hex[:10]}"
    backend = EngineBackend(engine, settings.SEARCH_INDEX)
    backend.ensure_index()
    yield backend
    backend.drop()


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    """Uploads and thumbnails in a fresh folder; forget cached thumbnails of earlier tests."""
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


@pytest.fixture
def outbox():
    """Text messages sent during the test (the test settings use the in-memory backend)."""
    from ground.messaging import LocmemMessageBackend

    LocmemMessageBackend.outbox.clear()
    yield LocmemMessageBackend.outbox
    LocmemMessageBackend.outbox.clear()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): ...`` runs what the code scheduled for after commit (texts, tasks)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def last_code(outbox, phone: str) -> str:
    import re

    texts = [message.text for message in outbox if message.phone == phone]
    assert texts, f"no message was sent to {phone}"
    return re.search(r"\b(\d{6})\b", texts[-1]).group(1)


@pytest.fixture
def make_storefront(db):
    """Build a HomePage bound to communes (or a province) and make it the default site's root."""

    def build(*, title="Chợ OCOP xã Thử Nghiệm", communes=(), province_code=None) -> HomePage:
        locale, _ = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
        root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root", locale=locale)
        home = HomePage(title=title, slug=f"home-{HomePage.objects.count()}", province_code=province_code)
        root.add_child(instance=home)
        if communes:
            home.communes.set(communes)
            home.save()
        Site.objects.update_or_create(
            is_default_site=True,
            defaults={"hostname": "testserver", "port": 80, "root_page": home, "site_name": title},
        )
        return home

    return build


# Redis, a server that never answers, moto's S3 server: the services several folders' tests use.

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6390")


def redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def redis_url() -> str:
    """The test Redis (REDIS_URL, default services/redis/redis.sh's)."""
    require_service(redis_answers(REDIS_URL), f"Redis at {REDIS_URL} (services/redis/redis.sh start)")
    return REDIS_URL


@pytest.fixture
def shared_cache(settings, redis_url):
    """The project's cache is the test Redis, as CACHE_URL would make it, under a key prefix of this
    test's own (other runs may share that Redis); its keys are deleted afterwards. Yields the prefix."""
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    # The CACHES change resets django.core.cache.caches (Django's setting_changed receiver).
    settings.CACHES = {"default": cache_config(redis_url, key_prefix=prefix)}
    yield prefix
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


class SilentServer:
    """Accepts TCP connections and never answers, as a hung engine or cache does. Counts them."""

    def __init__(self):
        self._socket = socket.create_server(("127.0.0.1", 0), backlog=64)
        self._socket.settimeout(0.05)
        self.port = self._socket.getsockname()[1]
        self.accepted = 0
        self._idle_rounds = 0
        self._held = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                self._idle_rounds += 1
                continue
            self._held.append(connection)  # kept open, never read or answered
            self.accepted += 1

    def settled_count(self) -> int:
        """The connections accepted so far, once the server found none waiting twice in a row."""
        start = self._idle_rounds
        while self._idle_rounds < start + 2:
            self._stop.wait(0.01)
        return self.accepted

    def close(self):
        self._stop.set()
        self._thread.join()
        self._socket.close()
        for connection in self._held:
            connection.close()


@pytest.fixture
def silent_server():
    server = SilentServer()
    yield server
    server.close()


@contextlib.contextmanager
def deadline(seconds: int):
    """A safety net, not a measure: fails the test instead of letting a hang block the run."""

    def expired(_signum, _frame):
        raise AssertionError(f"still waiting after {seconds}s: a timeout is missing")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="session")
def moto_endpoint():
    executable = shutil.which("moto_server") or str(Path(sys.executable).with_name("moto_server"))
    require_service(Path(executable).exists(), "moto S3 server (pip package moto[server])")
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 (our own moto_server, fixed arguments)
        [executable, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(endpoint, timeout=1)  # noqa: S310 (loopback)
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("moto_server did not start")
    yield endpoint
    process.terminate()
    process.wait(timeout=10)


def moto_client(endpoint: str):
    """A boto3 S3 client of moto's server (its fixed test credentials)."""
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="ap-southeast-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",  # noqa: S106 (moto's)
    )


# stripe-mock: card payments and refunds ------------------------------------------------------------

STRIPE_MOCK_URL = os.environ.get("STRIPE_MOCK_URL", "http://127.0.0.1:12111").rstrip("/")
STRIPE_MOCK_KEY = "sk_test_123"  # stripe-mock accepts any well-formed test-mode secret key
WEBHOOK_SECRET = "whsec_test_secret"


def stripe_mock_answers(url: str) -> bool:
    """True if a stripe-mock (or Stripe-compatible) server at ``url`` lists payment intents."""
    request = urllib.request.Request(
        f"{url}/v1/payment_intents?limit=1", headers={"Authorization": f"Bearer {STRIPE_MOCK_KEY}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return json.load(response).get("object") == "list"
    except (OSError, ValueError):
        return False


@pytest.fixture
def stripe_mock(settings):
    """Point marketplace.payments.card at the local stripe-mock; yields its URL."""
    require_service(
        stripe_mock_answers(STRIPE_MOCK_URL),
        f"stripe-mock at {STRIPE_MOCK_URL} (services/stripe-mock/stripe-mock.sh start)",
    )
    settings.STRIPE_API_BASE = STRIPE_MOCK_URL
    settings.STRIPE_SECRET_KEY = STRIPE_MOCK_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    yield STRIPE_MOCK_URL
