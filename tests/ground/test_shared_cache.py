"""CACHE_URL: one Redis shared by every process; Redis down or hung is a cache miss, never a 500."""

import logging
import shutil
import subprocess
import time

import pytest
import redis
from django.core.cache import cache, caches
from django.core.exceptions import ImproperlyConfigured

from ground import cache as ground_cache
from ground.cache import SharedRedisCache, cache_config
from tests.conftest import deadline, redis_answers, require_service
from tests.servers import free_port

pytestmark = pytest.mark.django_db


def test_cache_url_selects_the_cache():
    assert cache_config("") == {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    assert cache_config("redis://10.0.0.5:6379/2")["BACKEND"] == "ground.cache.SharedRedisCache"
    assert cache_config("redis://10.0.0.5:6379/2")["LOCATION"] == "redis://10.0.0.5:6379/2"
    with pytest.raises(ImproperlyConfigured):
        cache_config("memcached://10.0.0.5:11211")


def test_redis_cache_basics_are_shared_between_connections(shared_cache, redis_url):
    assert isinstance(caches["default"], SharedRedisCache)

    cache.set("shell", "<html>…</html>", 30)
    assert cache.get("shell") == "<html>…</html>"
    assert cache.add("shell", "other") is False and cache.add("fresh", 1) is True
    cache.set_many({"a": 1, "b": {"x": [1, 2]}})
    assert cache.get_many(["a", "b", "missing"]) == {"a": 1, "b": {"x": [1, 2]}}
    assert cache.incr("a", 4) == 5
    assert cache.get_or_set("computed", lambda: "made once") == "made once"
    # Another process: its own connection to the same Redis sees the same values.
    other = caches.create_connection("default")
    assert other is not caches["default"] and other.get("shell") == "<html>…</html>"
    assert redis.Redis.from_url(redis_url).ttl(f"{shared_cache}:1:shell") in range(1, 31)

    assert cache.delete("shell") is True
    assert other.get("shell", "gone") == "gone"


def unreachable_cache(settings, location: str) -> None:
    settings.CACHES = {"default": cache_config(location)}


def test_redis_not_listening_is_a_miss_and_logged_once(
    settings, caplog, make_storefront, client, monkeypatch
):
    unreachable_cache(settings, f"redis://127.0.0.1:{free_port()}/0")  # a closed port
    monkeypatch.setattr(ground_cache, "SKIP_SECONDS", 0)  # every call tries Redis (and fails)
    make_storefront()

    with caplog.at_level(logging.ERROR, logger="ground.cache"):
        assert cache.get("anything", "default") == "default"
        cache.set("anything", 1)  # dropped, no error
        assert cache.add("anything", 1) is False
        assert cache.get_many(["a", "b"]) == {}
        assert cache.delete("anything") is False
        assert cache.get_or_set("computed", lambda: "made") == "made"
        with pytest.raises(ValueError):  # as for a key that is not there
            cache.incr("counter")
        response = client.get("/")  # the storefront keeps its host's home page in the cache

    assert response.status_code == 200
    logged = [record.getMessage() for record in caplog.records if record.name == "ground.cache"]
    assert len(logged) == 1 and "Cache (Redis) unavailable" in logged[0]


def test_a_hung_redis_costs_one_short_timeout_not_a_500(
    settings, silent_server, make_storefront, client, monkeypatch
):
    unreachable_cache(settings, f"redis://127.0.0.1:{silent_server.port}/0")  # accepts, never answers
    monkeypatch.setattr(ground_cache, "SKIP_SECONDS", 600)  # however slow this machine is
    make_storefront()

    with deadline(20):
        assert cache.get("anything", "default") == "default"
        response = client.get("/")

    assert response.status_code == 200
    # The calls after the first skip Redis for a moment instead of each waiting for the timeout.
    assert silent_server.settled_count() == 1


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of this test's own, which the test may stop and start again."""
    binary = shutil.which("redis-server")
    require_service(binary is not None, "redis-server (services/redis/redis.sh install)")
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    processes = []

    def start():
        command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        process = subprocess.Popen([*command, "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)  # noqa: S603 (ours)
        processes.append(process)
        with deadline(10):
            while not redis_answers(url):
                time.sleep(0.05)

    def stop():
        processes[-1].terminate()
        processes[-1].wait(timeout=10)

    start()
    yield url, start, stop
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_redis_restart_never_answers_a_500(settings, private_redis, make_storefront, client, monkeypatch):
    url, start, stop = private_redis
    settings.CACHES = {"default": cache_config(url)}
    monkeypatch.setattr(ground_cache, "SKIP_SECONDS", 0)  # retry Redis at once, not after a pause
    make_storefront()
    assert client.get("/").status_code == 200
    cache.set("kept", "yes")

    stop()
    assert cache.get("kept", "miss") == "miss"
    assert client.get("/").status_code == 200

    start()  # empty again: nothing is saved
    assert cache.get("kept", "miss") == "miss"
    cache.set("kept", "again")
    assert cache.get("kept") == "again"
    assert client.get("/").status_code == 200
