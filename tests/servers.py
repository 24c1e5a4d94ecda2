"""Real servers for the tests and benchmarks that must see the site as production runs it: gunicorn with
the production settings on loopback (several processes, several instances), and a TCP proxy that can
make a service hang, as a stuck search engine or a cut network does."""

import contextlib
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
HOST = "cho-ocop.test"  # send it as Host (ALLOWED_HOSTS of the servers started here)
SECRET_KEY = "servers-only-" + "x" * 40  # the same in every instance, as in one deployment


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, *, seconds: float = 60, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited ({process.returncode}) before listening on {port}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port} after {seconds} s")


def database_url(*, name: str | None = None, user: str | None = None, host=None, port=None, **query) -> str:
    """The current (test or bench) database as a DATABASE_URL for another process: or another database
    of its server (``name``), as another role without a password (``user``), through another host and
    port; ``query`` adds connection parameters."""
    from django.db import connection  # the caller has set Django up

    params = connection.settings_dict
    password = f":{quote(params['PASSWORD'], safe='')}" if params["PASSWORD"] and not user else ""
    user = quote(user or params["USER"] or "", safe="")
    host = host or params["HOST"] or "localhost"
    if host.startswith("/"):  # a Unix socket's directory (the embedded server) goes in the query
        query["host"] = host
        netloc = f"{user}{password}@"
    else:
        netloc = f"{user}{password}@{host}:{port or params['PORT'] or 5432}"
    tail = "&".join(f"{key}={quote(str(value))}" for key, value in query.items())
    return f"postgresql://{netloc}/{name or params['NAME']}" + (f"?{tail}" if tail else "")


def production_env(extra_env: dict | None = None) -> dict:
    """The environment of a production process on the current (test or bench) database."""
    from django.conf import settings  # the caller has set Django up

    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings.production",
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": database_url(),
        "ALLOWED_HOSTS": HOST,
        "STATIC_ROOT": str(ROOT / "var" / "servers-static"),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        **(extra_env or {}),
    }


def collect_static(env: dict) -> None:
    """Production serves hashed static files from a manifest: build it (incremental after the first)."""
    subprocess.run(  # noqa: S603 (our own command line)
        [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v0"],
        env=env,
        check=True,
        capture_output=True,
    )


@contextlib.contextmanager
def production_server(
    *,
    workers: int,
    threads: int = 1,
    extra_env: dict | None = None,
    log: Path | None = None,
    collect: bool = True,
):
    """gunicorn with the production settings; yields its base URL (send ``Host: cho-ocop.test`` and
    ``X-Forwarded-Proto: https``); stops it afterwards."""
    env = production_env(extra_env)
    if collect:
        collect_static(env)
    port = free_port()
    output = log.open("ab") if log else subprocess.DEVNULL
    server = subprocess.Popen(  # noqa: S603 (our own command line)
        [
            *(sys.executable, "-m", "gunicorn", "marketplace.wsgi"),
            *("--bind", f"127.0.0.1:{port}", "--workers", str(workers)),
            *("--worker-class", "gthread", "--threads", str(threads)),
            *("--keep-alive", "30", "--log-level", "warning"),
        ],
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for_port(port, process=server)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        if log:
            output.close()


class HangingProxy:
    """A TCP proxy to ``upstream`` (host, port) that can be told to hang: it then swallows what clients
    send and never answers, as an engine stuck in garbage collection or a half-open network does.
    ``hung_sends`` counts the sends it swallowed (a client that asks nothing adds nothing)."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.hanging = False
        self.hung_sends = 0
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.port = self._listener.getsockname()[1]
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._pipe, args=(client,), daemon=True).start()

    def _pipe(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.upstream, timeout=5)
        except OSError:
            client.close()
            return
        with client, upstream:
            while not self._closed:
                try:
                    readable, _, _ = select.select([client, upstream], [], [], 0.5)
                    for source in readable:
                        data = source.recv(65536)
                        if not data:
                            return
                        if self.hanging:  # swallowed: the client waits for an answer that never comes
                            self.hung_sends += source is client
                            continue
                        (upstream if source is client else client).sendall(data)
                except OSError:
                    return

    def close(self) -> None:
        self._closed = True
        self._listener.close()
