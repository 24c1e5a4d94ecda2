"""Redis for the shared-cache tests (started by `make test`; with CI=true its absence fails the run), and
a server that never answers, standing in for a hung engine or cache.

The tests of other folders import these fixtures by name (``from tests.ground.conftest import ...``)."""

import contextlib
import os
import signal
import socket
import threading
import uuid

import pytest
import redis

from ground.cache import cache_config
from tests.conftest import require_service

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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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
