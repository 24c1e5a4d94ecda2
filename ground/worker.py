"""The background worker as production runs it: ``manage.py db_worker --queue-name stamps`` (one process
per queue), on top of django-tasks-db's worker, with what that one lacks:

- **a heartbeat**: each worker writes ``WorkerHeartbeat.beat_at`` every ``TASK_HEARTBEAT_SECONDS`` from
  a thread of its own;
- **lost tasks recovered**: a task left RUNNING by a worker that stopped beating (SIGKILL, out of
  memory, machine gone) is queued again, at most ``TASK_MAX_ATTEMPTS`` runs in all, then failed (and
  ``task_finished`` sent, so e.g. the stamp run says "failed, try again");
- **a time limit per queue** (``TASK_QUEUES``): a task that overruns is stopped and failed;
- **a bounded stop**: on SIGTERM the running task gets ``TASK_STOP_GRACE`` seconds to finish, then it
  is interrupted and queued again, so a deploy never waits on a 100,000-stamp sheet.

Time limits and stops raise in the main thread from SIGALRM: the tasks are Python code (segno, the
PDF writer, database calls), where a signal handler runs between two bytecodes or interrupts a wait.
"""

import contextlib
import logging
import os
import signal
import socket
import sys
import threading
import time
from datetime import timedelta
from types import FrameType

from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections, connection, transaction
from django.utils import timezone
from django_tasks.base import TaskContext, TaskResultStatus
from django_tasks.signals import task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from ground.models import WorkerHeartbeat

logger = logging.getLogger("django_tasks_db")
DATABASE_RETRY_SECONDS = 2


class WorkerStopping(BaseException):  # noqa: N818 (not an error: the worker is asked to stop)
    """Raised in a running task when the worker must stop: the task is queued again."""


class TaskTimeLimitExceeded(BaseException):
    """Raised in a task that ran past its queue's time limit: the task fails."""


class WorkerLost(Exception):  # noqa: N818 (the name says what happened to the task)
    """Stored on a task failed because every worker that ran it died."""


def time_limit(queue_name: str) -> float:
    queues = settings.TASK_QUEUES
    return float(queues.get(queue_name, queues["default"]))


def stale_after() -> timedelta:
    """A worker silent for this long is taken for dead (a few missed beats: a busy database is slow)."""
    return timedelta(seconds=settings.TASK_HEARTBEAT_SECONDS * 4)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


def dead_worker_ids() -> set[str]:
    """Workers that stopped beating, and workers of this machine whose process is gone (at once)."""
    stale = timezone.now() - stale_after()
    dead = set(WorkerHeartbeat.objects.filter(beat_at__lt=stale).values_list("worker_id", flat=True))
    here = WorkerHeartbeat.objects.filter(hostname=socket.gethostname()).values_list("worker_id", "pid")
    dead.update(worker_id for worker_id, pid in here if not _pid_alive(pid))
    return dead


def recover_lost_tasks() -> tuple[int, int]:
    """Queue again (or fail, after TASK_MAX_ATTEMPTS runs) the tasks that dead workers left RUNNING.

    Returns (queued again, failed). Safe to run from every worker at once: the rows are locked."""
    dead = dead_worker_ids()
    # What each live worker says it is running (a task it no longer runs, e.g. its result could not be
    # saved while the database restarted, is lost too).
    running_now = dict(
        WorkerHeartbeat.objects.exclude(worker_id__in=dead).values_list("worker_id", "task_id")
    )
    stale = timezone.now() - stale_after()
    requeued = failed = 0
    finished = []
    with transaction.atomic():
        running = DBTaskResult.objects.running().select_for_update(skip_locked=True)
        for result in running:
            owner = result.worker_ids[-1] if result.worker_ids else ""
            # Beyond a dead owner, an owner with no heartbeat row, or one running something else, is
            # trusted only for a few beats after the claim (its next beat names the task).
            settled = result.started_at is not None and result.started_at < stale
            lost = owner in dead or (settled and running_now.get(owner) != str(result.id))
            if not lost:
                continue
            if len(result.worker_ids) < settings.TASK_MAX_ATTEMPTS:
                result.status = TaskResultStatus.READY
                result.started_at = None
                result.save(update_fields=["status", "started_at"])
                requeued += 1
                logger.warning("Task id=%s lost with worker %s: queued again", result.id, owner)
            else:
                result.set_failed(WorkerLost(f"worker {owner} stopped while running it"))
                finished.append(result)
                failed += 1
                logger.error(
                    "Task id=%s lost with worker %s: failed after %s runs",
                    result.id,
                    owner,
                    len(result.worker_ids),
                )
        WorkerHeartbeat.objects.filter(worker_id__in=dead).delete()
    for result in finished:
        with contextlib.suppress(Exception):  # an unimportable task: nothing listens for it
            task_finished.send(sender=type(result.task.get_backend()), task_result=result.task_result)
    return requeued, failed


class HeartbeatWorker(Worker):
    """django-tasks-db's worker with a heartbeat, lost-task recovery, time limits and a bounded stop."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.stopping = False
        self.current_task_id = ""
        self._beating = threading.Event()

    # ------------------------------------------------------------------ heartbeat
    def _beat(self) -> None:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={
                "queues": ",".join(self.queue_names)[:200],
                "hostname": socket.gethostname(),
                "pid": os.getpid(),
                "beat_at": timezone.now(),
                "task_id": self.current_task_id,
            },
        )

    def _heartbeat_loop(self) -> None:
        beats = 0
        try:
            while not self._beating.wait(settings.TASK_HEARTBEAT_SECONDS):
                try:
                    self._beat()
                    beats += 1
                    if beats % 3 == 0:  # now and then, look for what dead workers left behind
                        recover_lost_tasks()
                except Exception:  # the database is away: keep trying, the worker keeps working
                    logger.exception("Worker %s: heartbeat failed", self.worker_id)
                    close_old_connections()
        finally:
            connection.close()

    def run(self) -> None:
        self._beat()
        recover_lost_tasks()
        beater = threading.Thread(target=self._heartbeat_loop, name="heartbeat", daemon=True)
        beater.start()
        try:
            while True:
                try:
                    super().run()
                    break
                except (OperationalError, InterfaceError) as error:  # PostgreSQL restarting: wait for it
                    if not self.running:
                        # Stopped (SIGTERM) while a query was on the wire: the handler's SystemExit left the
                        # connection mid-command, and the transaction's rollback raised this instead.
                        # The stop was asked for: end as a graceful stop does (exit status 0).
                        logger.info("Worker %s: stopped during a query (%s)", self.worker_id, error)
                        connection.close()
                        break
                    logger.warning(
                        "Worker %s: database unavailable (%s), trying again", self.worker_id, error
                    )
                    connection.close()
                    time.sleep(DATABASE_RETRY_SECONDS)
        finally:
            self._beating.set()
            beater.join(timeout=5)
            with contextlib.suppress(Exception):  # the database may be the reason we stop
                WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()

    # ------------------------------------------------------------------ signals
    def configure_signals(self) -> None:
        super().configure_signals()
        signal.signal(signal.SIGALRM, self._alarm)

    def _alarm(self, signum: int, frame: FrameType | None) -> None:
        if self.stopping:
            raise WorkerStopping
        raise TaskTimeLimitExceeded

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        if self.running and self.running_task:
            logger.warning(
                "Received %s - giving the task %ss to finish, then queueing it again.",
                signal.strsignal(signum),
                settings.TASK_STOP_GRACE,
            )
            self.running = False
            self.stopping = True
            remaining = signal.getitimer(signal.ITIMER_REAL)[0] or float("inf")
            signal.setitimer(signal.ITIMER_REAL, min(remaining, settings.TASK_STOP_GRACE))
            return
        super().shutdown(signum, frame)

    # ------------------------------------------------------------------ running a task
    def run_task(self, db_task_result: DBTaskResult) -> None:
        """Run the task under its queue's time limit; a stop interrupts it and queues it again."""
        if self.stopping:  # claimed as the stop arrived: leave it to the next worker
            self._requeue(db_task_result)
            return
        self.running_task = True
        self.current_task_id = str(db_task_result.id)
        signal.setitimer(signal.ITIMER_REAL, time_limit(db_task_result.queue_name))
        try:
            task = db_task_result.task
            task_result = db_task_result.task_result
            backend_type = type(task.get_backend())
            task_started.send(sender=backend_type, task_result=task_result)
            args, kwargs = task_result.args, task_result.kwargs
            if task.takes_context:
                return_value = task.call(TaskContext(task_result=task_result), *args, **kwargs)
            else:
                return_value = task.call(*args, **kwargs)
            signal.setitimer(signal.ITIMER_REAL, 0)  # done: no alarm while the result is saved
            db_task_result.set_successful(return_value)
            task_finished.send(sender=backend_type, task_result=db_task_result.task_result)
        except WorkerStopping:
            self._requeue(db_task_result)
        except SystemExit:  # a second SIGTERM or Ctrl+C: stop now, the task waits for the next worker
            self._requeue(db_task_result)
            raise
        except BaseException as error:  # the task's own failure, or its time limit
            signal.setitimer(signal.ITIMER_REAL, 0)
            if isinstance(error, TaskTimeLimitExceeded):
                logger.error(
                    "Task id=%s ran past the %ss limit of queue %s",
                    db_task_result.id,
                    time_limit(db_task_result.queue_name),
                    db_task_result.queue_name,
                )
            db_task_result.set_failed(error)
            with contextlib.suppress(Exception):  # an unimportable task: nothing listens for it
                task_finished.send(
                    sender=type(db_task_result.task.get_backend()), task_result=db_task_result.task_result
                )
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            self.running_task = False
            self.current_task_id = ""
            self._run_tasks += 1
        if self.stopping:
            sys.exit(0)

    def _requeue(self, db_task_result: DBTaskResult) -> None:
        DBTaskResult.objects.filter(pk=db_task_result.pk).update(
            status=TaskResultStatus.READY, started_at=None
        )
        logger.warning("Task id=%s interrupted by the stop: queued again", db_task_result.id)
