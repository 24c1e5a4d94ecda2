"""The cache every process shares: Redis when ``CACHE_URL`` is set, else each process's own memory.

Redis is only ever a cache here: when it does not answer (restarting, unreachable, full of errors),
reads are misses and writes are dropped, so a page renders from the database instead of failing.
"""

import logging
import time
from urllib.parse import urlsplit

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

# A cache that answers slower than this is no faster than what it saves; give up and miss.
SOCKET_TIMEOUT = 0.5
# After a failure the next calls skip Redis for this long instead of each waiting for a timeout.
SKIP_SECONDS = 2.0
# At most one log line per this many seconds per process while Redis stays down.
LOG_EVERY = 10.0

# Per process and per server (LOCATION): until when to skip Redis, and when the last line was logged.
_down_until: dict[str, float] = {}
_logged_at: dict[str, float] = {}


def cache_config(url: str, *, key_prefix: str = "") -> dict:
    """The ``default`` entry of CACHES: ``redis://host:port/db`` (or rediss://, unix://) selects the shared
    Redis cache; an empty URL keeps Django's per-process LocMemCache."""
    if not url:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    scheme = urlsplit(url).scheme
    if scheme not in ("redis", "rediss", "unix"):  # (the URL itself is not shown: it may hold a password)
        raise ImproperlyConfigured(
            f"CACHE_URL must be redis://host:port/db, rediss://... or unix://..., not {scheme}://"
        )
    return {"BACKEND": "ground.cache.SharedRedisCache", "LOCATION": url, "KEY_PREFIX": key_prefix}


class SharedRedisCache(RedisCache):
    """Django's RedisCache with short timeouts, where Redis being down is a miss, never an error."""

    def __init__(self, server, params):
        options = {
            "socket_connect_timeout": SOCKET_TIMEOUT,
            "socket_timeout": SOCKET_TIMEOUT,
            **params.get("OPTIONS", {}),
        }
        super().__init__(server, {**params, "OPTIONS": options})
        self._location = server if isinstance(server, str) else ",".join(server)

    def _guarded(self, fallback, call, *args, **kwargs):
        """``call(...)``, or ``fallback`` when Redis fails (logged at most every LOG_EVERY seconds)."""
        # redis is imported by Django's client on first use; its errors are needed only from then on.
        from redis.exceptions import RedisError

        now = time.monotonic()
        if now < _down_until.get(self._location, 0):
            return fallback
        try:
            return call(*args, **kwargs)
        except (RedisError, OSError) as error:
            _down_until[self._location] = time.monotonic() + SKIP_SECONDS
            if now - _logged_at.get(self._location, -LOG_EVERY) >= LOG_EVERY:
                _logged_at[self._location] = now
                logger.error("Cache (Redis) unavailable, served without it: %s", error)
            return fallback

    def get(self, key, default=None, version=None):
        return self._guarded(default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._guarded({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._guarded(False, super().has_key, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._guarded(None, super().set, key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(False, super().add, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(list(data), super().set_many, data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._guarded(False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        self._guarded(None, super().delete_many, keys, version)

    def clear(self):
        return self._guarded(False, super().clear)

    def incr(self, key, delta=1, version=None):
        # As for a key that is not there: callers of incr() already handle that.
        result = self._guarded(None, super().incr, key, delta, version)
        if result is None:
            raise ValueError(f"Key '{key}' not found.")
        return result
