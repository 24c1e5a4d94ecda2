"""``manage.py restore``: a backup of ``manage.py backup`` into the configured database, then a check
of the storages against the backup's list of media objects."""

import json
import tempfile
from pathlib import Path

from botocore.exceptions import ClientError
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor

from marketplace.management.commands.backup import (
    DUMP,
    INFO,
    KEY_TABLES,
    MEDIA,
    database_settings,
    list_storage,
    parse_s3,
    quote_table,
    run_pg,
    s3_client,
    s3_key,
    sha256_of,
)

LISTED = 20  # names printed per kind of problem; the rest are counted


class Command(BaseCommand):
    help = (
        "Restore a backup (a folder made by manage.py backup, or s3://bucket/prefix/<timestamp>) into "
        "the configured database, then check the storages against the backup's list of media objects."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="The backup's folder, or s3://bucket/prefix/<timestamp>.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Restore even if the database already has tables (the backup's tables replace them).",
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Exit with an error when a media object of the backup is missing or different.",
        )
        parser.add_argument(
            "--media-only",
            action="store_true",
            help="Leave the database alone: only check the storages against the backup's media list.",
        )

    def handle(self, *args, source, force=False, strict=False, media_only=False, **options):
        source = str(source)
        with tempfile.TemporaryDirectory(prefix="restore-") as scratch:
            folder = self.fetch(source, Path(scratch), with_dump=not media_only)
            info = json.loads((folder / INFO).read_text())
            self.stdout.write(f"Backup of {info['created_at']} (database {info['database']}).")
            if sha256_of(folder / MEDIA) != info["media_sha256"]:
                raise CommandError(f"{MEDIA} does not match {INFO}: the copy is damaged or incomplete.")
            if not media_only:
                if sha256_of(folder / DUMP) != info["dump"]["sha256"]:
                    raise CommandError(f"{DUMP} does not match {INFO}: the copy is damaged or incomplete.")
                self.restore_database(folder / DUMP, info, force=force)
            problems = self.check_media(json.loads((folder / MEDIA).read_text()))
        if problems and strict:
            raise CommandError(f"{problems} media objects of the backup are missing or different (--strict).")

    # Where the backup is ------------------------------------------------------------------------

    def fetch(self, source: str, scratch: Path, *, with_dump: bool) -> Path:
        """The backup's folder: the given one, or a download of the S3 one into ``scratch``."""
        names = [INFO, MEDIA, DUMP] if with_dump else [INFO, MEDIA]
        if not source.startswith("s3://"):
            folder = Path(source)
            if not (folder / INFO).exists():
                found = sorted(path.parent.name for path in folder.glob(f"*/{INFO}"))
                raise CommandError(self.not_a_backup(source, found))
            missing = [name for name in names if not (folder / name).exists()]
            if missing:
                raise CommandError(f"{source} has no {', '.join(missing)}: the backup is incomplete.")
            return folder
        bucket, prefix = parse_s3(source)
        client = s3_client()
        for name in names:
            try:
                client.download_file(bucket, s3_key(prefix, name), str(scratch / name))
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") not in {"404", "NoSuchKey"}:
                    raise CommandError(f"Could not read {source}: {error}") from error
                if name == INFO:
                    raise CommandError(
                        self.not_a_backup(source, self.s3_backups(client, bucket, prefix))
                    ) from None
                raise CommandError(f"{source} has no {name}: the backup is incomplete.") from None
        return scratch

    @staticmethod
    def s3_backups(client, bucket: str, prefix: str) -> list[str]:
        """The backups directly under an S3 prefix (the operator may have given the parent)."""
        found = []
        start = f"{prefix}/" if prefix else ""
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=start):
            for item in page.get("Contents", []):
                parts = item["Key"][len(start) :].split("/")
                if len(parts) == 2 and parts[1] == INFO:
                    found.append(parts[0])
        return sorted(found)

    @staticmethod
    def not_a_backup(source: str, found: list[str]) -> str:
        if found:
            listed = "\n".join(f"  {name}" for name in found[-LISTED:])
            return f"{source} holds backups, not one backup. Give one of its folders (newest last):\n{listed}"
        return f"There is no backup at {source} (no {INFO})."

    # Database -----------------------------------------------------------------------------------

    def restore_database(self, dump: Path, info: dict, *, force: bool) -> None:
        name = database_settings()["NAME"]
        connection = connections[DEFAULT_DB_ALIAS]
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_catalog.pg_tables "
                    "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
                )
                tables = cursor.fetchone()[0]
        except DatabaseError as error:
            raise CommandError(
                f'Could not connect to the database "{name}": {error}\n'
                "Create it first (an empty database owned by the site's user), then run this again."
            ) from error
        if tables and not force:
            raise CommandError(
                f'The database "{name}" already has {tables} tables. Restoring would replace their data. '
                "Restore into a new, empty database, or run again with --force if replacing is intended."
            )
        connection.close()  # no session of ours in the way of pg_restore's
        self.stdout.write(f'Restoring into the database "{name}"...')
        run_pg(
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--no-password",
            f"--dbname={name}",
            str(dump),
        )
        self.check_counts(info["counts"])
        self.check_migrations(info["migrations"])

    def check_counts(self, expected: dict) -> None:
        """The restored key tables hold what the backup counted in the dumped snapshot."""
        found = {}
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            for key, table in KEY_TABLES.items():
                cursor.execute(f"SELECT count(*) FROM {quote_table(table)}")  # noqa: S608 (model tables)
                found[key] = cursor.fetchone()[0]
        wrong = {key: count for key, count in found.items() if count != expected.get(key)}
        if wrong:
            details = ", ".join(
                f"{key}: {count} (the backup had {expected.get(key)})" for key, count in wrong.items()
            )
            raise CommandError(f"The restored database does not hold what the backup counted: {details}.")
        self.stdout.write(
            "Database restored: " + ", ".join(f"{count} {key}" for key, count in found.items()) + "."
        )

    def check_migrations(self, heads: dict[str, list[str]]) -> None:
        """Whether this code and the restored schema agree, from the heads backup.json recorded."""
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        newer = [
            f"{app}.{name}"
            for app, names in heads.items()
            for name in names
            if (app, name) not in executor.loader.disk_migrations
        ]
        if newer:
            self.stdout.write(
                "The backup was made by a newer version of the site (this code lacks the migrations "
                f"{', '.join(newer[:LISTED])}): deploy that version before serving this database."
            )
        elif pending:
            self.stdout.write(
                f"This code has {len(pending)} migrations the backup does not: run `manage.py migrate`."
            )

    # Media --------------------------------------------------------------------------------------

    def check_media(self, manifest: dict) -> int:
        """Compare each storage with the backup's list; the number of missing or different objects."""
        problems = 0
        for alias, items in manifest.items():
            present = {item["name"]: item for item in list_storage(alias)}
            missing, different = [], []
            for item in items:
                now = present.get(item["name"])
                if now is None:
                    missing.append(item["name"])
                elif now["size"] != item["size"] or (
                    "sha256" in now and "sha256" in item and now["sha256"] != item["sha256"]
                ):
                    different.append(item["name"])
            extra = len(present.keys() - {item["name"] for item in items})
            self.stdout.write(
                f"{alias} storage: {len(items)} objects in the backup, {len(missing)} missing, "
                f"{len(different)} different, {extra} not in the backup."
            )
            for label, names in (("Missing", missing), ("Different", different)):
                for name in names[:LISTED]:
                    self.stdout.write(f"  {label}: {name}")
                if len(names) > LISTED:
                    self.stdout.write(f"  ... and {len(names) - LISTED} more {label.lower()}.")
            problems += len(missing) + len(different)
        if problems:
            self.stdout.write(
                "Restore the missing objects from the storage's own copies (bucket versioning, a synced "
                "copy) before serving the site: the database may refer to them."
            )
        else:
            self.stdout.write("Every media object of the backup is in its storage.")
        return problems
