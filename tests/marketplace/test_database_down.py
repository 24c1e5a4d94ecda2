"""The database away: unreachable, out of connections, or restarting. A page that needs it answers a short
503 "try again" page (Vietnamese, then English; Retry-After; no traceback), /healthz still answers, and
the site recovers by itself once PostgreSQL is back.

The real failures run the app in its own process (the test settings, DATABASE_* from the environment,
requests through django.test.Client), since a connection pool is set up from the settings at the first
connection; the handler's choice between 503 and 500 is also checked in this process."""

import json
import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test import RequestFactory
from django.urls import get_resolver
from psycopg import sql
from psycopg_pool import PoolTimeout

from marketplace.views import server_error
from tests.servers import database_url, free_port

ROOT = Path(__file__).resolve().parent.parent.parent

# Run in the app's process: Django's WSGI application behind a real server (wsgiref, one thread), so
# each request goes through the whole request cycle, the connection checks at its start and end included
# (the test Client skips those); answer(path) is what an HTTP client got.
PRELUDE = """
import json, os, sys, threading, time, urllib.error, urllib.request
from wsgiref.simple_server import WSGIRequestHandler, make_server

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings.test")
from django.core.wsgi import get_wsgi_application


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


server = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=QuietHandler)
threading.Thread(target=server.serve_forever, daemon=True).start()


def answer(path, headers=None):
    started = time.monotonic()
    request = urllib.request.Request(f"http://127.0.0.1:{server.server_port}{path}", headers=headers or {})
    try:
        response = urllib.request.urlopen(request, timeout=60)
    except urllib.error.HTTPError as error:
        response = error
    body = response.read().decode()
    return {
        "status": response.status,
        "retry_after": response.headers.get("Retry-After"),
        "cache_control": response.headers.get("Cache-Control"),
        "body": body if response.status in (500, 503) or path.endswith("z") else "",
        "seconds": round(time.monotonic() - started, 2),
    }


def report(**values):
    print("RESULT " + json.dumps(values))
"""


def run_app(script: str, *, before: str = "", **env) -> dict:
    """Run ``script`` after PRELUDE (and ``before`` before it) in a fresh process with ``env``; what it
    reported."""
    environment = {**os.environ, **env}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    code = textwrap.dedent(before) + PRELUDE + textwrap.dedent(script)
    result = subprocess.run(  # noqa: S603 (this interpreter, our own script)
        [sys.executable, "-c", code],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    assert result.returncode == 0 and lines, result.stderr[-3000:]
    return json.loads(lines[-1].removeprefix("RESULT "))


def admin_connection():
    """A connection of our own, outside the test's transaction and any pool, in autocommit."""
    return psycopg.connect(database_url(), autocommit=True)


def assert_try_again_page(answer: dict) -> None:
    assert answer["status"] == 503, answer
    assert answer["retry_after"] == "30"
    assert "no-store" in answer["cache_control"]
    body = answer["body"]
    assert "Xin thử lại sau ít phút" in body
    assert body.index("Xin thử lại sau ít phút") < body.index("Please try again in a moment")
    assert 'name="viewport"' in body
    for leak in ("Traceback", "OperationalError", "PoolTimeout", "psycopg", "127.0.0.1", "too many"):
        assert leak not in body


# The handler, in this process: which errors are "the database is away".


def handled(error: BaseException):
    request = RequestFactory().get("/shop/catalogue/")
    try:
        raise error
    except BaseException:
        return server_error(request)


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("sorry, too many clients already"),
        InterfaceError("connection already closed"),
        psycopg.errors.TooManyConnections("sorry, too many clients already"),
        PoolTimeout("couldn't get a connection after 5.00 sec"),
        psycopg.OperationalError("server closed the connection unexpectedly"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_the_database_away_is_a_503_that_says_to_try_again(error):
    # no django_db mark: rendering the page may not query (any query would raise)
    response = handled(error)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.content.decode()
    assert "Xin thử lại sau ít phút" in body and "Please try again in a moment" in body
    assert "/static/frontend/site.css" in body


def test_an_error_raised_while_handling_a_database_error_is_still_a_503():
    try:
        raise OperationalError("terminating connection due to administrator command")
    except OperationalError:
        try:
            raise ValueError("the template could not read the basket")  # noqa: TRY301
        except ValueError as error:
            wrapped = error
    assert handled(wrapped).status_code == 503


def test_any_other_error_is_the_ordinary_500_page():
    response = handled(ValueError("a bug"))

    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "a bug" not in response.content.decode()


def test_the_site_uses_this_handler():
    assert get_resolver().resolve_error_handler(500) is server_error


# The real failures, in the app's own process.


@pytest.mark.parametrize("pool_size", ["0", "2"])
def test_a_database_where_nothing_listens_gives_the_try_again_page(pool_size):
    port = free_port()

    found = run_app(
        """
        shop, home = answer("/shop/catalogue/"), answer("/")
        report(shop=shop, home=home, healthz=answer("/healthz"), readyz=answer("/readyz"))
        """,
        DATABASE_URL=f"postgresql://postgres@127.0.0.1:{port}/ocop",
        DATABASE_POOL_SIZE=pool_size,
        DATABASE_POOL_TIMEOUT="0.5",
    )

    assert_try_again_page(found["shop"])
    assert_try_again_page(found["home"])
    # the process itself is alive; it is not ready
    assert found["healthz"]["status"] == 200
    readyz = json.loads(found["readyz"]["body"])
    assert found["readyz"]["status"] == 503
    assert readyz["checks"]["database"]["status"] == "fail"
    assert "127.0.0.1" not in found["readyz"]["body"]  # the service's host (its port is no secret)
    assert readyz["checks"]["queues"]["error"] == "the database is unavailable"


@pytest.fixture
def role_without_connections(django_db_setup, django_db_blocker):
    """A role PostgreSQL refuses every connection to ("too many connections for role"), as it refuses
    every client past max_connections ("too many clients already")."""
    name = f"ocop_full_{uuid.uuid4().hex[:10]}"
    with django_db_blocker.unblock(), admin_connection() as admin:
        admin.execute(sql.SQL("CREATE ROLE {} LOGIN CONNECTION LIMIT 0").format(sql.Identifier(name)))
    yield name
    with django_db_blocker.unblock(), admin_connection() as admin:
        admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))


@pytest.mark.django_db
@pytest.mark.parametrize("pool_size", ["0", "1"])
def test_a_server_out_of_connections_gives_the_try_again_page(role_without_connections, pool_size):
    found = run_app(
        """
        report(shop=answer("/shop/catalogue/"), healthz=answer("/healthz"))
        """,
        DATABASE_URL=database_url(user=role_without_connections),
        DATABASE_POOL_SIZE=pool_size,
        DATABASE_POOL_TIMEOUT="0.5",
    )

    assert_try_again_page(found["shop"])
    assert found["healthz"]["status"] == 200


@pytest.mark.django_db
def test_a_request_that_finds_the_pool_busy_waits_then_gets_the_try_again_page():
    """Pool of one connection, held by another request: the next one waits DATABASE_POOL_TIMEOUT, then
    503; once the connection is back, pages open again."""
    found = run_app(
        """
        import threading
        from django.db import connection

        held, release = threading.Event(), threading.Event()

        def slow_request():
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                held.set()
                release.wait(30)
            connection.close()  # back to the pool, as at the end of a request

        thread = threading.Thread(target=slow_request)
        thread.start()
        held.wait(30)
        busy = answer("/shop/catalogue/")
        release.set()
        thread.join()
        report(busy=busy, after=answer("/shop/catalogue/"))
        """,
        DATABASE_URL=database_url(),
        DATABASE_POOL_SIZE="1",
        DATABASE_POOL_TIMEOUT="0.5",
    )

    assert_try_again_page(found["busy"])
    assert 0.4 < found["busy"]["seconds"] < 5
    assert found["after"]["status"] == 200


# A TCP proxy in front of PostgreSQL, in the app's process, set up before the settings are read: "down"
# cuts every connection and closes new ones at once (a server restarting), "up" forwards again.
PROXY = """
import os, socket, threading


class Proxy:
    def __init__(self, upstream):
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.is_up = True
        self.ends = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _connect(self):
        if self.upstream.startswith("/"):
            upstream = socket.socket(socket.AF_UNIX)
            upstream.connect(self.upstream)
            return upstream
        host, port = self.upstream.rsplit(":", 1)
        return socket.create_connection((host, int(port)))

    def _accept(self):
        while True:
            client, _ = self.listener.accept()
            if not self.is_up:
                client.close()
                continue
            upstream = self._connect()
            self.ends += [client, upstream]
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source, target):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        for end in (source, target):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def down(self):
        self.is_up = False
        for end in self.ends:
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.ends = []

    def up(self):
        self.is_up = True


proxy = Proxy(os.environ["UPSTREAM"])
os.environ["DATABASE_URL"] = os.environ["DATABASE_URL"].replace("PROXY_PORT", str(proxy.port))
"""


@pytest.mark.django_db
@pytest.mark.parametrize("pool_size", ["0", "2"])
def test_the_site_recovers_by_itself_after_a_restart_and_an_outage(pool_size):
    params = connection.settings_dict
    host, port = params["HOST"] or "localhost", params["PORT"] or 5432
    application = f"ocop-recovery-{uuid.uuid4().hex[:8]}"

    found = run_app(
        """
        import psycopg

        # A visitor with a session: the page is read from the database (never a cached page).
        session = {"Cookie": "sessionid=someone"}
        first = answer("/shop/catalogue/", session)
        cached = answer("/shop/catalogue/")  # a visitor without cookies: now in the page cache
        # What a PostgreSQL restart does to the app's open connections: the server ends them.
        with psycopg.connect(os.environ["ADMIN_URL"], autocommit=True) as admin:
            ended = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = %s",
                [os.environ["APPLICATION"]],
            ).fetchone()[0]
        after_restart = answer("/shop/catalogue/", session)
        # Then the server away for a while, and back.
        proxy.down()
        down = answer("/shop/catalogue/", session)
        cached_while_down = answer("/shop/catalogue/")
        healthz = answer("/healthz")
        proxy.up()
        up_at = time.monotonic()
        recovered_after = None
        while time.monotonic() - up_at < 40:
            if answer("/shop/catalogue/", session)["status"] == 200:
                recovered_after = round(time.monotonic() - up_at, 2)
                break
            time.sleep(0.2)
        report(
            first=first, cached=cached, ended=ended, after_restart=after_restart, down=down,
            cached_while_down=cached_while_down, healthz=healthz, recovered_after=recovered_after,
        )
        """,
        before=PROXY,
        UPSTREAM=f"{host}/.s.PGSQL.{port}" if host.startswith("/") else f"{host}:{port}",
        DATABASE_URL=database_url(host="127.0.0.1", port="PROXY_PORT", application_name=application),
        ADMIN_URL=database_url(),
        APPLICATION=application,
        DATABASE_POOL_SIZE=pool_size,
        DATABASE_POOL_TIMEOUT="5",
    )

    assert found["first"]["status"] == 200
    assert found["ended"] >= 1
    assert found["after_restart"]["status"] == 200, found["after_restart"]
    assert_try_again_page(found["down"])
    # A page in the cache needs no database: visitors without cookies still browse it.
    assert found["cached"]["status"] == 200 and found["cached_while_down"]["status"] == 200
    assert found["healthz"]["status"] == 200
    # without a pool at once; a pool's retries back off, but never past a few seconds (RECONNECT_SECONDS)
    assert found["recovered_after"] is not None and found["recovered_after"] < 12
