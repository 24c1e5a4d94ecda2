"""python manage.py search_index --rebuild: every public product from PostgreSQL into the search
indexes (the database's and the engine's), with a progress bar. The engine's index is built beside
the live one and the alias moves at the end, so search keeps working during a rebuild."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from search import indexing
from search.backends import engine_backend
from search.engines import EngineError


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="rebuild the indexes from PostgreSQL")

    def handle(self, *args, rebuild: bool = False, **options):
        if not rebuild:
            raise CommandError("Nothing to do: use --rebuild.")
        try:
            engine = engine_backend()
        except EngineError as error:
            raise CommandError(f"The search engine is not reachable: {error}") from error
        self.stdout.write(
            f"Search engine: {engine.engine.kind} at {engine.engine.url}"
            if engine
            else "Search: PostgreSQL only"
        )
        started = time.perf_counter()
        try:
            counts = indexing.rebuild(progress=self._bar)
        except EngineError as error:
            raise CommandError(f"Rebuilding failed: {error}") from error
        seconds = time.perf_counter() - started
        for name, count in counts.items():
            self.stdout.write(self.style.SUCCESS(f"{name}: {count} products"))
        self.stdout.write(f"{seconds:.1f} s")

    def _bar(self, name: str, total: int):
        stream = sys.stderr
        width = 30

        def show(done: int) -> None:
            filled = width * done // total if total else width
            stream.write(f"\r{name:>13} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
            if done >= total:
                stream.write("\n")
            stream.flush()

        return show
