"""``manage.py db_worker``: django-tasks-db's command (same options), run by ground/worker.py's
HeartbeatWorker: a heartbeat, lost tasks recovered, a time limit per queue and a bounded stop.
Production runs one per queue: ``--queue-name stamps``, ``--queue-name search``,
``--queue-name messages,default`` (see README, "Running in production")."""

import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from ground.worker import HeartbeatWorker


class Command(db_worker.Command):
    help = "Run a background worker for the named queues (heartbeat, time limits, lost-task recovery)"

    def handle(self, *, verbosity, queue_name, interval, batch, reload, **options) -> None:
        self.configure_logging(verbosity)
        worker = HeartbeatWorker(
            queue_names=queue_name.split(","),
            interval=interval,
            batch=batch,
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
        )
        if reload and not batch:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":  # only the reloaded child handles signals
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
