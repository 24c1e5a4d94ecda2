"""Health endpoints for load balancers, deploys and monitoring.

- ``GET /healthz``: the process is alive and answers requests. Touches nothing else (no database, no
  session): a load balancer may probe it every second.
- ``GET /readyz``: every service the site needs, each checked with a short bound: the database, the
  cache, the search engine and the object storage when configured, the task queues (how many tasks wait
  and for how long) and the background workers (when each last beat). 200 when every required check
  passes, else 503; the JSON says which failed and why, in a short line without secrets (no URL,
  password or service host name: only an exception's class and a truncated message).

``READY_TASK_MAX_AGE`` (seconds, default 600): a queue whose oldest ready task waited longer fails.
``READYZ_REQUIRE_WORKERS=1`` (the demo and production): a queue with no live worker fails; otherwise
it is only reported.
"""

import hmac
import ipaddress
import os
import re
import time
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import Case, Count, F, Min, When
from django.db.models.functions import Greatest
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_tasks_db.models import DBTaskResult, get_date_max

from ground.client import client_address
from ground.models import WorkerHeartbeat
from search.backends import engine_backend

MESSAGE_LIMIT = 200
STORAGE_TIMEOUT = 2.0  # seconds, to connect and to answer, one try: a probe must answer quickly


@never_cache
@require_safe
def healthz(request):
    """The process is alive (nothing else is touched)."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request):
    """Every service, checked at most once per READYZ_EVERY seconds per process (probing it in a loop
    cannot load the database, the engine or the bucket); the details only for the operators' networks
    (a loopback or private address, or ``READYZ_TOKEN`` in the ``X-Readyz-Token`` header): anyone else
    learns ok or not, not the workers' names, the queues' lengths or what failed."""
    global _last  # noqa: PLW0603 (one result per process, a few seconds old at most)
    if _last is None or time.monotonic() - _last[0] > READYZ_EVERY:
        _last = (time.monotonic(), *_readiness())
    _at, body, status = _last
    if not _operator(request):
        body = {"status": body["status"]}
    return JsonResponse(body, status=status)


READYZ_EVERY = 2.0
_last: tuple[float, dict, int] | None = None


def _operator(request) -> bool:
    token = os.environ.get("READYZ_TOKEN", "")
    if token and hmac.compare_digest(request.headers.get("X-Readyz-Token", ""), token):
        return True
    try:
        address = ipaddress.ip_address(client_address(request) or "")
    except ValueError:
        return False
    return address.is_loopback or address.is_private


def _readiness() -> tuple[dict, int]:
    checks = {
        "database": _timed(check_database),
        "cache": _timed(check_cache),
        "search": _timed(check_search),
        "storage": _timed(check_storage),
    }
    if checks["database"]["status"] == "ok":
        checks["queues"] = _timed(check_queues)
        checks["workers"] = _timed(check_workers)
    else:  # each would wait for the database again, to say the same
        away = {"status": "fail", "required": True, "error": "the database is unavailable"}
        checks["queues"] = dict(away)
        checks["workers"] = {**away, "required": workers_required()}
    failed = [name for name, check in checks.items() if check["status"] != "ok" and check["required"]]
    return {"status": "fail" if failed else "ok", "checks": checks}, 503 if failed else 200


def workers_required() -> bool:
    return os.environ.get("READYZ_REQUIRE_WORKERS", "") == "1"


def _timed(check) -> dict:
    """Run one check: its result with ``status``, ``required`` and ``ms``; an exception is a failure."""
    started = time.monotonic()
    try:
        result = check()
    except Exception as error:  # noqa: BLE001 (any failure is reported, never raised)
        result = {"status": "fail", "error": describe(error)}
    result.setdefault("required", True)
    result["ms"] = round((time.monotonic() - started) * 1000, 1)
    return result


# Redaction: what a message may carry that must not be published.


def _secrets() -> list[str]:
    """Configured URLs, passwords, user names and service host names, longest first."""
    found = set()
    database = settings.DATABASES["default"]
    for key in ("PASSWORD", "USER", "HOST"):
        found.add(str(database.get(key) or ""))
    urls = [
        os.environ.get("DATABASE_URL", ""),
        getattr(settings, "SEARCH_URL", ""),
        os.environ.get("CACHE_URL", ""),
        os.environ.get("AWS_S3_ENDPOINT_URL", ""),
    ]
    if settings.AWS_STORAGE_BUCKET_NAME:
        urls.append(getattr(default_storage, "endpoint_url", None) or "")
    for url in filter(None, urls):
        found.add(url)
        parts = urlsplit(url)
        found.update({parts.hostname or "", parts.password or "", parts.username or "", parts.netloc})
        found.add(url.split("+", 1)[-1])  # opensearch+http://... is called without its prefix
    found.update(
        str(value or "")
        for value in (os.environ.get("AWS_SECRET_ACCESS_KEY"), os.environ.get("AWS_ACCESS_KEY_ID"))
    )
    # Values of a few letters (a host "db") would blank ordinary words in the message: left alone.
    return sorted((value for value in found if len(value) >= 4), key=len, reverse=True)


USERINFO = re.compile(r"(\w[\w+.-]*://)[^/@\s]*@")


def describe(error: BaseException) -> str:
    """``ClassName: message``, one line, secrets replaced by "***", at most MESSAGE_LIMIT characters."""
    message = " ".join(str(error).split())
    message = USERINFO.sub(r"\1***@", message)
    for secret in _secrets():
        message = message.replace(secret, "***")
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 1] + "…"


# The checks. Each returns a dict with "status" ("ok" or "fail") and what it found.


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"status": "ok"}


def check_cache() -> dict:
    """A key set and read back. The shared cache treats Redis errors as misses: a miss is the failure."""
    key = f"readyz:{uuid.uuid4().hex}"
    value = uuid.uuid4().hex
    cache.set(key, value, 30)
    try:
        found = cache.get(key)
    finally:
        cache.delete(key)
    if found != value:
        return {"status": "fail", "error": "the cache did not return what was just set"}
    return {"status": "ok"}


def check_search() -> dict:
    if not settings.SEARCH_URL:
        return {"status": "ok", "engine": "not configured (PostgreSQL searches)"}
    engine = engine_backend().engine
    # A buyer's bound, not index management's (Engine.health() waits SEARCH_INDEX_TIMEOUT).
    health = engine.call("cluster.health", timeout=settings.SEARCH_TIMEOUT)["status"]
    result = {"status": "ok" if health in ("green", "yellow") else "fail", "engine": engine.kind}
    result["cluster"] = health
    if result["status"] != "ok":
        result["error"] = f"the cluster is {health}"
    return result


_storage_clients: dict = {}


def _short_client(storage):
    """An S3 client like the storage's own, but with a probe's bounds (one try, STORAGE_TIMEOUT)."""
    key = (storage.bucket_name, storage.endpoint_url)
    if key not in _storage_clients:
        import boto3  # only with a bucket configured (django-storages' S3 backend brings it)
        from botocore.config import Config  # the same

        session = boto3.session.Session(
            aws_access_key_id=storage.access_key,
            aws_secret_access_key=storage.secret_key,
            aws_session_token=storage.security_token,
        )
        bounds = Config(
            connect_timeout=STORAGE_TIMEOUT, read_timeout=STORAGE_TIMEOUT, retries={"total_max_attempts": 1}
        )
        config = storage.client_config.merge(bounds) if storage.client_config else bounds
        _storage_clients[key] = session.client(
            "s3",
            region_name=storage.region_name,
            endpoint_url=storage.endpoint_url,
            use_ssl=storage.use_ssl,
            verify=storage.verify,
            config=config,
        )
    return _storage_clients[key]


def check_storage() -> dict:
    if not settings.AWS_STORAGE_BUCKET_NAME:
        return {"status": "ok", "backend": "local files"}
    _short_client(default_storage).head_bucket(Bucket=default_storage.bucket_name)
    return {"status": "ok", "backend": "s3"}


def ready_task_max_age() -> float:
    return float(os.environ.get("READY_TASK_MAX_AGE", "600"))


def check_queues() -> dict:
    """Per queue: how many tasks are ready, and how long the oldest has waited (since it was queued, or
    since the time it was to run after)."""
    limit = ready_task_max_age()
    waiting_since = Case(
        When(run_after=get_date_max(), then=F("enqueued_at")),
        default=Greatest(F("enqueued_at"), F("run_after")),
    )
    rows = (
        DBTaskResult.objects.ready()
        .filter(queue_name__in=list(settings.TASK_QUEUES))
        .values("queue_name")
        .annotate(ready=Count("id"), since=Min(waiting_since))
        .order_by()
    )
    found = {row["queue_name"]: row for row in rows}
    now = timezone.now()
    queues, late = {}, []
    for name in settings.TASK_QUEUES:
        row = found.get(name)
        age = max(0.0, (now - row["since"]).total_seconds()) if row else 0.0
        queues[name] = {"ready": row["ready"] if row else 0, "oldest_seconds": round(age, 1)}
        if age > limit:
            late.append(name)
    result = {"status": "fail" if late else "ok", "max_age_seconds": limit, "queues": queues}
    if late:
        result["error"] = f"tasks waiting longer than {limit:g} s in: {', '.join(late)}"
    return result


def check_workers() -> dict:
    """Every worker's queues and the seconds since its last beat; per queue, whether a live worker
    serves it (beat within 4 heartbeats). A queue without one fails only with READYZ_REQUIRE_WORKERS=1."""
    now = timezone.now()
    live_within = 4 * settings.TASK_HEARTBEAT_SECONDS
    workers, live = [], []
    for beat in WorkerHeartbeat.objects.order_by("worker_id"):
        queues = [name.strip() for name in beat.queues.split(",") if name.strip()]
        age = max(0.0, (now - beat.beat_at).total_seconds())
        alive = age <= live_within
        workers.append(
            {
                "worker_id": beat.worker_id,
                "hostname": beat.hostname,
                "pid": beat.pid,
                "queues": queues,
                "seconds_since_beat": round(age, 1),
                "alive": alive,
                "task_id": beat.task_id,
            }
        )
        if alive:
            live.append(set(queues))
    queues = {}
    for name in settings.TASK_QUEUES:
        serving = sum(1 for served in live if name in served or "*" in served)
        queues[name] = {"live_workers": serving}
    unserved = [name for name, queue in queues.items() if not queue["live_workers"]]
    result = {
        "status": "fail" if unserved else "ok",
        "required": workers_required(),
        "live_within_seconds": live_within,
        "workers": workers,
        "queues": queues,
    }
    if unserved:
        result["error"] = f"no live worker for: {', '.join(unserved)}"
    return result
