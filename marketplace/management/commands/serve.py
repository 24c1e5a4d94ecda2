"""``manage.py serve``: the site as production runs it, on one machine: gunicorn (``WEB_CONCURRENCY``
processes, default one per core, a few threads each) and one ``db_worker`` per task queue, each with its
log under ``var/log/``. A process that dies is started again (as systemd or Kubernetes would); SIGTERM or
Ctrl+C stops them all, the workers finishing or re-queueing their task. `make demo` runs it.
"""

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

# The task workers: stamp sheets alone (long), search indexing alone (freshness), texts with the rest.
WORKER_QUEUES = {"stamps": "stamps", "search": "search", "messages": "messages,default"}
# Background work yields the cores to the web (a sheet's QR encoders use them all): on a shared
# machine, a buyer's page waits for no stamp sheet. Niceness added to each process's.
NICENESS = {"web": 0, "worker-stamps": 10, "worker-search": 5, "worker-messages": 0}
RESTART_PAUSE = 1.0  # seconds between a crash and the restart (a crash loop does not spin the CPU)
STOP_WAIT = 15  # seconds for everything to stop after SIGTERM before SIGKILL


@dataclass
class Child:
    name: str
    command: list[str]
    log: Path
    process: subprocess.Popen | None = None
    restarts: int = 0
    exited_at: float | None = None


class Command(BaseCommand):
    help = "Serve the site with gunicorn and one background worker per queue (logs in var/log/)"

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000")
        web_processes = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 1))
        parser.add_argument("--workers", type=int, default=web_processes)
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument("--log-dir", default=str(Path(settings.BASE_DIR) / "var" / "log"))
        parser.add_argument("--run-dir", default=str(Path(settings.BASE_DIR) / "var" / "run"))
        parser.add_argument("--no-task-workers", action="store_true", help="Only the web processes")

    def handle(self, *, bind, workers, threads, log_dir, run_dir, no_task_workers, **options):
        self.log_dir, self.run_dir = Path(log_dir), Path(run_dir)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
        children = [
            Child(
                "web",
                [
                    *(sys.executable, "-m", "gunicorn", "marketplace.wsgi"),
                    *("--bind", bind, "--workers", str(workers), "--worker-class", "gthread"),
                    *("--threads", str(threads), "--timeout", "60", "--graceful-timeout", "10"),
                    *("--access-logfile", "-", "--error-logfile", "-", "--log-level", "info"),
                ],
                self.log_dir / "web.log",
            )
        ]
        if not no_task_workers:
            children += [
                Child(
                    f"worker-{name}",
                    [*manage, "db_worker", "--queue-name", queues, "--interval", "1", "--no-reload"],
                    self.log_dir / f"worker-{name}.log",
                )
                for name, queues in WORKER_QUEUES.items()
            ]
        self.stopping = False
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        for child in children:
            self._start(child)
        queues = "" if no_task_workers else f" and workers for {', '.join(WORKER_QUEUES)}"
        processes = f"{workers} web processes x {threads} threads{queues}"
        self.stdout.write(f"Serving http://{bind} with {processes}; logs in {self.log_dir}")
        try:
            self._supervise(children)
        finally:
            self._stop_all(children)

    def _start(self, child: Child) -> None:
        with child.log.open("ab") as log:
            niceness = NICENESS.get(child.name, 0)
            child.process = subprocess.Popen(  # noqa: S603 (our own command lines)
                child.command,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=settings.BASE_DIR,
                preexec_fn=(lambda: os.nice(niceness)) if niceness else None,  # noqa: PLW1509 (no threads here)
            )
        (self.run_dir / f"{child.name}.pid").write_text(str(child.process.pid))

    def _supervise(self, children: list[Child]) -> None:
        while not self.stopping:
            for child in children:
                code = child.process.poll()
                if code is None or self.stopping:
                    continue
                if child.exited_at is None:
                    child.exited_at = time.monotonic()
                    self.stderr.write(f"{child.name} exited ({code}); starting it again")
                if time.monotonic() - child.exited_at >= RESTART_PAUSE:
                    child.restarts += 1
                    child.exited_at = None
                    self._start(child)
            time.sleep(0.2)

    def _stop(self, signum, frame) -> None:
        self.stopping = True

    def _stop_all(self, children: list[Child]) -> None:
        running = [c for c in children if c.process and c.process.poll() is None]
        for child in running:
            child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_WAIT
        for child in running:
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait()
            (self.run_dir / f"{child.name}.pid").unlink(missing_ok=True)
        self.stdout.write("Stopped.")
