"""/healthz and /readyz (marketplace/health.py): what each reports, when readiness fails, and that
neither leaks a secret, sets a cookie or is cached."""

import datetime
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from ground.models import WorkerHeartbeat
from marketplace import health
from marketplace.health import describe
from tests.conftest import moto_client
from tests.servers import free_port

ROOT = Path(__file__).resolve().parent.parent.parent
BUCKET = "cho-ocop-readyz-test"


@pytest.fixture
def silent_port():
    """A port that accepts connections (the kernel's backlog) and never answers: a hung service."""
    server = socket.create_server(("127.0.0.1", 0), backlog=16)
    yield server.getsockname()[1]
    server.close()


@pytest.fixture
def ready_env(settings, monkeypatch):
    """Nothing configured but the database and the in-memory cache: what a developer runs."""
    settings.SEARCH_URL = ""
    settings.AWS_STORAGE_BUCKET_NAME = ""
    monkeypatch.delenv("READYZ_REQUIRE_WORKERS", raising=False)
    monkeypatch.delenv("READY_TASK_MAX_AGE", raising=False)


def readyz(**headers):
    health._last = None  # a fresh check: each test changes what it finds
    response = Client().get("/readyz", **headers)
    assert response["Content-Type"] == "application/json"
    return response, response.json()


def queued_task(queue: str, *, waited: datetime.timedelta) -> DBTaskResult:
    """A ready task of ``queue`` that has been waiting for ``waited``."""
    task = DBTaskResult.objects.create(
        task_path="traceability.tasks.render_stamp_run",
        args_kwargs={"args": [], "kwargs": {}},
        queue_name=queue,
        backend_name="default",
        run_after=get_date_max(),
        exception_class_path="",
        traceback="",
    )
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=timezone.now() - waited)
    return task


def heartbeat(queues: str, *, age: float = 0.0, worker_id: str | None = None) -> WorkerHeartbeat:
    return WorkerHeartbeat.objects.create(
        worker_id=worker_id or uuid.uuid4().hex,
        queues=queues,
        hostname="worker-1",
        pid=4242,
        beat_at=timezone.now() - datetime.timedelta(seconds=age),
    )


# /healthz


def test_healthz_answers_without_the_database_a_session_or_a_cache():
    # given no database access allowed at all (no django_db mark: any query would raise)
    # when a load balancer probes
    response = Client().get("/healthz")
    # then the process says it is alive, for nobody to keep
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies


def test_the_probes_are_exact_paths_and_only_read():
    # a path without a slash is not redirected to one (APPEND_SLASH)
    assert Client().get("/healthz").status_code == 200
    # nothing but GET (and HEAD)
    assert Client().post("/healthz").status_code == 405
    assert Client().head("/healthz").status_code == 200


def test_production_answers_the_probes_over_plain_http_and_redirects_the_rest():
    """A load balancer probes the app over plain HTTP: the probes are exempt from the HTTPS redirect,
    every other path still redirects (production settings, in their own process)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings.production",
        "SECRET_KEY": "test-only-" + uuid.uuid4().hex,
        "DATABASE_URL": f"postgresql://nobody@127.0.0.1:{free_port()}/nothing",
        "ALLOWED_HOSTS": "testserver",
    }
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "client = Client()\n"
        "print(client.get('/healthz').status_code, client.get('/shop/').status_code,"
        " client.get('/shop/')['Location'])\n"
    )
    result = subprocess.run(  # noqa: S603 (this interpreter, our own script)
        [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["200", "301", "https://testserver/shop/"]


# /readyz


@pytest.mark.django_db
def test_readyz_is_ok_when_everything_answers(ready_env):
    response, body = readyz()

    assert response.status_code == 200
    assert body["status"] == "ok"
    checks = body["checks"]
    assert set(checks) == {"database", "cache", "search", "storage", "queues", "workers"}
    assert checks["database"]["status"] == "ok" and checks["database"]["ms"] >= 0
    assert checks["cache"]["status"] == "ok"
    assert checks["search"]["status"] == "ok"
    assert checks["search"]["engine"] == "not configured (PostgreSQL searches)"
    assert checks["storage"]["backend"] == "local files"
    assert checks["queues"]["queues"]["stamps"] == {"ready": 0, "oldest_seconds": 0.0}
    # no worker at all: reported, not required unless READYZ_REQUIRE_WORKERS=1
    assert checks["workers"]["status"] == "fail" and checks["workers"]["required"] is False
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies


@pytest.mark.django_db
def test_readyz_fails_when_a_queue_has_waited_too_long(ready_env, monkeypatch):
    monkeypatch.setenv("READY_TASK_MAX_AGE", "600")
    queued_task("search", waited=datetime.timedelta(seconds=30))
    queued_task("stamps", waited=datetime.timedelta(minutes=11))
    queued_task("stamps", waited=datetime.timedelta(minutes=1))

    response, body = readyz()

    assert response.status_code == 503
    assert body["status"] == "fail"
    queues = body["checks"]["queues"]
    assert queues["status"] == "fail"
    assert queues["queues"]["stamps"]["ready"] == 2
    assert 655 < queues["queues"]["stamps"]["oldest_seconds"] < 700
    assert queues["queues"]["search"]["ready"] == 1
    assert queues["error"] == "tasks waiting longer than 600 s in: stamps"


@pytest.mark.django_db
def test_a_task_due_later_has_not_waited_yet(ready_env):
    # queued an hour ago to run in ten minutes: not ready, not late
    task = queued_task("messages", waited=datetime.timedelta(hours=1))
    DBTaskResult.objects.filter(pk=task.pk).update(run_after=timezone.now() + datetime.timedelta(minutes=10))

    response, body = readyz()

    assert response.status_code == 200
    assert body["checks"]["queues"]["queues"]["messages"] == {"ready": 0, "oldest_seconds": 0.0}


@pytest.mark.django_db
def test_readyz_requires_a_live_worker_for_every_queue_when_asked(ready_env, monkeypatch, settings):
    monkeypatch.setenv("READYZ_REQUIRE_WORKERS", "1")
    settings.TASK_HEARTBEAT_SECONDS = 5

    # no worker at all
    response, body = readyz()
    assert response.status_code == 503
    workers = body["checks"]["workers"]
    assert workers["required"] is True and workers["status"] == "fail"
    assert workers["error"] == "no live worker for: stamps, search, messages, default"

    # one worker for stamps, one silent for 30 s (more than 4 beats of 5 s) for the others
    heartbeat("stamps", worker_id="stamps-1")
    heartbeat("search,messages,default", age=30, worker_id="others-1")
    response, body = readyz()
    assert response.status_code == 503
    workers = body["checks"]["workers"]
    assert workers["error"] == "no live worker for: search, messages, default"
    by_id = {worker["worker_id"]: worker for worker in workers["workers"]}
    assert by_id["others-1"]["alive"] is False and 29 < by_id["others-1"]["seconds_since_beat"] < 40
    stamps = by_id["stamps-1"]
    assert (stamps["queues"], stamps["hostname"], stamps["alive"]) == (["stamps"], "worker-1", True)

    # a fresh worker serving every queue
    heartbeat("*", age=2)
    response, body = readyz()
    assert response.status_code == 200, body
    assert body["checks"]["workers"]["queues"]["stamps"] == {"live_workers": 2}
    assert body["checks"]["workers"]["queues"]["search"] == {"live_workers": 1}


@pytest.mark.django_db
def test_readyz_fails_with_a_short_reason_when_the_search_engine_is_down(ready_env, settings):
    port = free_port()
    settings.SEARCH_URL = f"opensearch+http://search-admin:hunter22@127.0.0.1:{port}"

    response, body = readyz()

    assert response.status_code == 503
    search = body["checks"]["search"]
    assert search["status"] == "fail"
    assert search["error"].startswith("EngineError: opensearch cluster.health")
    assert len(search["error"]) <= 200
    for secret in ("hunter22", "search-admin", f"127.0.0.1:{port}"):
        assert secret not in response.content.decode()


@pytest.mark.django_db
def test_a_hung_search_engine_fails_within_the_short_timeout(ready_env, settings, silent_port):
    settings.SEARCH_URL = f"opensearch+http://127.0.0.1:{silent_port}"
    settings.SEARCH_TIMEOUT = 0.5
    settings.SEARCH_INDEX_TIMEOUT = 30

    started = time.monotonic()
    response, body = readyz()

    assert time.monotonic() - started < 5
    assert response.status_code == 503
    assert body["checks"]["search"]["status"] == "fail"


@pytest.mark.django_db
def test_readyz_reports_the_search_engine_that_answers(ready_env, settings, opensearch):
    response, body = readyz()

    assert response.status_code == 200, body
    assert body["checks"]["search"]["engine"] == "opensearch"
    assert body["checks"]["search"]["cluster"] in ("green", "yellow")


@pytest.mark.django_db
def test_readyz_fails_when_the_cache_loses_what_was_set(ready_env, settings):
    # a cache that drops every write, as the shared cache does while Redis is away
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

    response, body = readyz()

    assert response.status_code == 503
    assert body["checks"]["cache"] == {
        **body["checks"]["cache"],
        "status": "fail",
        "error": "the cache did not return what was just set",
    }


def s3_settings(settings, endpoint: str, bucket: str) -> None:
    settings.AWS_STORAGE_BUCKET_NAME = bucket
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": endpoint,
                "region_name": "ap-southeast-1",
                "access_key": "test",
                "secret_key": "test",  # noqa: S106
            },
        },
    }


@pytest.mark.django_db
def test_readyz_checks_the_bucket(ready_env, settings, moto_endpoint):
    client = moto_client(moto_endpoint)
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-southeast-1"})
    try:
        s3_settings(settings, moto_endpoint, BUCKET)
        response, body = readyz()
        assert response.status_code == 200, body
        assert body["checks"]["storage"]["backend"] == "s3"

        # a bucket that is not there
        s3_settings(settings, moto_endpoint, "no-such-bucket-here")
        response, body = readyz()
        assert response.status_code == 503
        assert body["checks"]["storage"]["error"].startswith("ClientError")
    finally:
        client.delete_bucket(Bucket=BUCKET)


@pytest.mark.django_db
def test_readyz_fails_quickly_when_the_storage_does_not_answer(ready_env, settings, silent_port):
    s3_settings(settings, f"http://127.0.0.1:{silent_port}", BUCKET)

    started = time.monotonic()
    response, body = readyz()

    assert time.monotonic() - started < 8  # one try, connect and read bounded by 2 s each
    assert response.status_code == 503
    storage = body["checks"]["storage"]
    assert storage["status"] == "fail"
    assert str(silent_port) not in storage["error"]


def test_error_messages_are_short_and_carry_no_secret(settings):
    settings.SEARCH_URL = "https://search-admin:s3cret-pass@search.internal.example:9200"
    error = ConnectionError(
        "Connection to https://search-admin:s3cret-pass@search.internal.example:9200/_cluster/health "
        "refused; retried at postgresql://app:pw-db-123@db.internal.example:5432/ocop\n" + "x" * 400
    )

    text = describe(error)

    assert text.startswith("ConnectionError: Connection to https://***@")
    assert len(text) == 200 and text.endswith("…")
    for secret in ("s3cret-pass", "search-admin", "search.internal.example", "pw-db-123", "\n"):
        assert secret not in text


@pytest.mark.django_db
def test_readyz_tells_strangers_only_ok_or_not(ready_env, monkeypatch):
    monkeypatch.setenv("READYZ_TOKEN", "operators-only")
    from_outside = {"REMOTE_ADDR": "113.160.1.2"}  # a phone on a Vietnamese network

    stranger, stranger_body = readyz(**from_outside)
    operator, operator_body = readyz(**from_outside, HTTP_X_READYZ_TOKEN="operators-only")
    guesser, guesser_body = readyz(**from_outside, HTTP_X_READYZ_TOKEN="operators")
    inside, inside_body = readyz(REMOTE_ADDR="10.1.2.3")  # the load balancer's network

    assert stranger.status_code == 200 and stranger_body == {"status": "ok"}
    assert guesser_body == {"status": "ok"}
    assert "checks" in operator_body and "checks" in inside_body


@pytest.mark.django_db
def test_readyz_probed_in_a_loop_checks_the_services_once_every_few_seconds(ready_env, monkeypatch):
    checked = []
    original = health.check_database
    monkeypatch.setattr(health, "check_database", lambda: checked.append(1) or original())
    readyz()  # fresh

    for _ in range(20):
        assert Client().get("/readyz").status_code == 200

    assert len(checked) == 1
