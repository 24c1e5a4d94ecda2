"""manage.py backup and restore, on the test PostgreSQL server: a backup is restored into a new, empty
database by a separate process, as an operator would after losing the server."""

import io
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import sql

from marketplace.management.commands.backup import pg_tool
from tests.conftest import moto_client, require_service
from tests.factories import make_lot, make_product, place_order
from tests.servers import database_url
from traceability import services

ROOT = Path(__file__).resolve().parent.parent.parent
BUCKET = "cho-ocop-backups-test"


@pytest.fixture
def pg_tools():
    try:
        for tool in ("pg_dump", "pg_restore"):
            pg_tool(tool)
    except CommandError:
        require_service(False, "pg_dump and pg_restore (PostgreSQL client tools, or PG_BIN_DIR)")


def server(database: str) -> psycopg.Connection:
    """A connection to another database of the test server, with the test connection's settings."""
    db = connection.settings_dict
    return psycopg.connect(
        dbname=database,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        autocommit=True,
    )


@pytest.fixture
def fresh_database():
    """A new, empty database on the same server, dropped afterwards."""
    name = f"restore_test_{uuid.uuid4().hex[:10]}"
    with server("postgres") as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield name
    with server("postgres") as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def restore(source, database: str, *flags: str) -> subprocess.CompletedProcess:
    """``manage.py restore`` in its own process, configured for ``database`` as an operator's would be."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(name=database),
        "DJANGO_SETTINGS_MODULE": "marketplace.settings.test",
    }
    return subprocess.run(  # noqa: S603 (our own manage.py)
        [sys.executable, "manage.py", "restore", str(source), *flags],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def backup(to) -> tuple[str, str]:
    out = io.StringIO()
    call_command("backup", to=to, stdout=out)
    where = out.getvalue().splitlines()[0].removeprefix("Backup written to ")
    return where, out.getvalue()


def shop_activity():
    """An order, a lot with five stamps (and their printed sheet), and six scans of two stamps."""
    order = place_order((make_product(title="Mật ong bạc hà"), 2))
    lot = make_lot()
    run = services.stamp_run_create(lot=lot, count=5, actor=lot.created_by)
    stamps = list(run.stamps.order_by("number"))
    for stamp in stamps[:2]:
        for n in range(3):
            services.scan_record(stamp_id=stamp.pk, region="Bắc Ninh", network=f"net-{n}", agent="phone")
    run.refresh_from_db()
    return order, run, stamps


def restored(database: str) -> dict:
    with server(database) as db:
        return {
            "orders": [row[0] for row in db.execute("SELECT number FROM order_order ORDER BY number")],
            "stamps": dict(
                db.execute(
                    "SELECT s.serial, count(c.id) FROM traceability_stamp s "
                    "LEFT JOIN traceability_scan c ON c.stamp_id = s.id GROUP BY s.serial"
                ).fetchall()
            ),
        }


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_an_empty_database_and_never_over_one_without_force(
    tmp_path, pg_tools, fresh_database
):
    order, run, stamps = shop_activity()

    where, printed = backup(tmp_path)

    folder = Path(where)
    assert folder.parent == tmp_path and {path.name for path in folder.iterdir()} == {
        "database.dump",
        "media.json",
        "backup.json",
    }
    assert "database.dump:" in printed and "private storage:" in printed
    info = json.loads((folder / "backup.json").read_text())
    assert info["counts"] == {"orders": 1, "stamps": 5, "scans": 6}
    assert info["database"] == connection.settings_dict["NAME"]
    assert info["migrations"]["traceability"] and info["pg_dump_version"].startswith("pg_dump (PostgreSQL)")
    media = json.loads((folder / "media.json").read_text())
    (sheet,) = [item for item in media["private"] if item["name"] == run.pdf.name]
    assert sheet["size"] == run.pdf.size and len(sheet["sha256"]) == 64

    # when restored by another process into a new database
    result = restore(folder, fresh_database)

    assert result.returncode == 0, result.stderr
    assert "Database restored: 1 orders, 5 stamps, 6 scans." in result.stdout
    expected = {
        "orders": [str(order.number)],
        "stamps": {s.serial: 3 if s in stamps[:2] else 0 for s in stamps},
    }
    assert restored(fresh_database) == expected

    # a database with tables is refused, with the way out; --force replaces its data
    again = restore(folder, fresh_database)
    assert again.returncode != 0
    assert f'The database "{fresh_database}" already has' in again.stderr and "--force" in again.stderr
    forced = restore(folder, fresh_database, "--force")
    assert forced.returncode == 0, forced.stderr
    assert restored(fresh_database) == expected


@pytest.mark.django_db
def test_restore_reports_media_objects_missing_or_changed_since_the_backup(tmp_path, pg_tools):
    media = storages["default"]
    for name in ("photos/kept.jpg", "photos/gone.jpg", "photos/changed.jpg"):
        media.save(name, ContentFile(b"original"))
    where, _ = backup(tmp_path)
    media.delete("photos/gone.jpg")
    media.delete("photos/changed.jpg")
    media.save("photos/changed.jpg", ContentFile(b"replaced"))  # same size, other bytes
    media.save("photos/new.jpg", ContentFile(b"later"))

    out = io.StringIO()
    call_command("restore", where, media_only=True, stdout=out)

    report = out.getvalue()
    assert "default storage: 3 objects in the backup, 1 missing, 1 different, 1 not in the backup." in report
    assert "  Missing: photos/gone.jpg" in report and "  Different: photos/changed.jpg" in report
    with pytest.raises(CommandError, match="missing or different"):
        call_command("restore", where, media_only=True, strict=True, stdout=io.StringIO())
    # the folder of all backups is not a backup: its backups are named
    with pytest.raises(CommandError, match=Path(where).name):
        call_command("restore", tmp_path, stdout=io.StringIO())


@pytest.fixture
def s3_backups(moto_endpoint, monkeypatch):
    """A bucket on moto's S3 server, and the AWS_* variables that reach it (for the restore process too)."""
    variables = {
        "AWS_S3_ENDPOINT_URL": moto_endpoint,
        "AWS_S3_REGION_NAME": "ap-southeast-1",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
    }
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    client = moto_client(moto_endpoint)
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-southeast-1"})
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def media_on_s3(settings, endpoint: str) -> None:
    """Media in the bucket as production keeps them with no private bucket: private under "private/"."""
    options = {
        "bucket_name": BUCKET,
        "endpoint_url": endpoint,
        "region_name": "ap-southeast-1",
        "access_key": "test",
        "secret_key": "test",
    }
    backend = "storages.backends.s3.S3Storage"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": backend, "OPTIONS": options},
        "private": {"BACKEND": backend, "OPTIONS": {**options, "location": "private"}},
    }


@pytest.mark.django_db(transaction=True)
def test_a_backup_to_s3_restores_from_s3(pg_tools, fresh_database, s3_backups, settings, moto_endpoint):
    order = place_order((make_product(), 1))
    media_on_s3(settings, moto_endpoint)
    storages["default"].save("photos/vai.jpg", ContentFile(b"jpeg"))
    storages["private"].save("stamps/sheet.pdf", ContentFile(b"%PDF-1.7"))

    where, _ = backup(f"s3://{BUCKET}/nightly")

    assert where.startswith(f"s3://{BUCKET}/nightly/")
    stamp = where.rsplit("/", 1)[1]
    listing = s3_backups.list_objects_v2(Bucket=BUCKET, Prefix="nightly/")["Contents"]
    assert {item["Key"] for item in listing} == {
        f"nightly/{stamp}/{name}" for name in ("database.dump", "media.json", "backup.json")
    }
    media = json.loads(s3_backups.get_object(Bucket=BUCKET, Key=f"nightly/{stamp}/media.json")["Body"].read())
    # each object once, under its own storage, though the private prefix is inside the public bucket
    assert [(item["name"], item["size"]) for item in media["default"]] == [("photos/vai.jpg", 4)]
    assert [(item["name"], item["size"]) for item in media["private"]] == [("stamps/sheet.pdf", 8)]
    with pytest.raises(CommandError, match=stamp):  # the prefix of all backups names them
        call_command("restore", f"s3://{BUCKET}/nightly", media_only=True, stdout=io.StringIO())

    result = restore(where, fresh_database)

    assert result.returncode == 0, result.stderr
    assert "Database restored: 1 orders, 0 stamps, 0 scans." in result.stdout
    assert restored(fresh_database)["orders"] == [str(order.number)]
