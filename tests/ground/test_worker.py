"""The background workers as production runs them: `manage.py db_worker --queue-name <queue>` as
subprocesses with the production settings, on the test database and the test OpenSearch index.

The rest of the suite runs tasks inline (ImmediateBackend); these tests are the ones that would
have seen the stamp worker deadlock, the single queue and the tasks lost with a killed worker."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from ground.models import WorkerHeartbeat
from ground.worker import HeartbeatWorker, TaskTimeLimitExceeded, recover_lost_tasks
from search.requests import SearchRequest
from sellers.models import Stall
from tests.factories import make_lot, seller_with_stall
from tests.servers import production_env
from traceability import services
from traceability.models import StampRun

ROOT = Path(__file__).resolve().parents[2]
DATABASE_TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": list(django_settings.TASK_QUEUES)}
}
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queued(settings):
    """Tasks go to the database queue, as in production, instead of running inline."""
    settings.TASKS = DATABASE_TASKS


class Workers:
    """Starts `manage.py db_worker` processes (production settings) and stops them at the end."""

    def __init__(self, tmp_path: Path, search_url: str = "", search_index: str = ""):
        self.private_media = tmp_path / "private"
        self.logs = tmp_path
        self.env = production_env(
            {
                "PRIVATE_MEDIA_ROOT": str(self.private_media),
                "SEARCH_URL": search_url,
                "SEARCH_INDEX": search_index,
                "TASK_HEARTBEAT_SECONDS": "0.5",
            }
        )
        self.processes: list[subprocess.Popen] = []

    def start(self, queue: str, **env) -> subprocess.Popen:
        log = open(self.logs / f"worker-{queue}-{len(self.processes)}.log", "w")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(  # noqa: S603 (our own command line)
            [sys.executable, "manage.py", "db_worker", "--queue-name", queue, "--interval", "0.2"]
            + ["--no-reload", "--no-startup-delay", "--verbosity", "2"],
            cwd=ROOT,
            env={**self.env, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: SIGKILL reaches the QR encoders too
        )
        self.processes.append(process)
        return process

    def log(self) -> str:
        return "\n".join(path.read_text() for path in sorted(self.logs.glob("worker-*.log")))

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture
def workers(tmp_path, queued):
    pool = Workers(tmp_path)
    yield pool
    pool.stop_all()


def wait_for(condition, *, seconds: float, what: str, workers: Workers):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"{what} did not happen within {seconds} s. Worker logs:\n{workers.log()}")


def run_status(run: StampRun) -> str:
    return StampRun.objects.values_list("status", flat=True).get(pk=run.pk)


def sheet_task() -> DBTaskResult:
    return DBTaskResult.objects.get(queue_name="stamps")


def stamp_pages(run: StampRun, workers: Workers) -> int:
    from pypdf import PdfReader  # only these tests open the sheet

    run.refresh_from_db()
    return len(PdfReader(workers.private_media / run.pdf.name).pages)


def test_each_queue_has_its_own_worker_the_sheet_prints_search_refreshes_and_sigterm_stops_them(
    tmp_path, queued, opensearch
):
    workers = Workers(tmp_path, search_url=django_settings.SEARCH_URL, search_index=opensearch.alias)
    try:
        lot = make_lot()
        run = services.stamp_run_create(lot=lot, count=2000, actor=lot.created_by)
        lot.product.title = "Vải thiều Thanh Hà loại một"  # a product change: a reindex task
        lot.product.save()
        assert set(DBTaskResult.objects.values_list("queue_name", flat=True)) == {"stamps", "search"}

        stamp_worker, search_worker = workers.start("stamps"), workers.start("search")

        wait_for(
            lambda: run_status(run) == StampRun.Status.READY, seconds=180, what="The sheet", workers=workers
        )
        assert stamp_pages(run, workers) == 84  # 2,000 labels, 24 on an A4 sheet
        found = wait_for(
            lambda: opensearch.search(SearchRequest(text="thanh ha loai mot")).total,
            seconds=60,
            what="The reindex",
            workers=workers,
        )
        assert found == 1
        ran_by = dict(DBTaskResult.objects.values_list("queue_name", "worker_ids"))
        assert ran_by["stamps"] != ran_by["search"]  # two processes, one per queue
        assert WorkerHeartbeat.objects.count() == 2

        for process in (stamp_worker, search_worker):
            process.send_signal(signal.SIGTERM)
        assert [p.wait(timeout=10) for p in (stamp_worker, search_worker)] == [0, 0], workers.log()
        assert not WorkerHeartbeat.objects.exists()  # they said goodbye
    finally:
        workers.stop_all()


def test_a_worker_killed_mid_sheet_leaves_a_run_that_completes_after_a_restart(workers):
    lot = make_lot()
    run = services.stamp_run_create(lot=lot, count=2000, actor=lot.created_by)
    first = workers.start("stamps")
    wait_for(lambda: run_status(run) == StampRun.Status.RUNNING, seconds=60, what="Printing", workers=workers)

    os.killpg(first.pid, signal.SIGKILL)  # the worker and its QR encoders, as the OOM killer would
    first.wait()
    assert run_status(run) == StampRun.Status.RUNNING
    assert sheet_task().status == TaskResultStatus.RUNNING

    workers.start("stamps")  # the restarted worker finds the task its dead predecessor held

    wait_for(lambda: run_status(run) == StampRun.Status.READY, seconds=180, what="The sheet", workers=workers)
    assert stamp_pages(run, workers) == 84
    result = sheet_task()
    assert result.status == TaskResultStatus.SUCCESSFUL and len(result.worker_ids) == 2


def test_sigterm_mid_sheet_queues_the_sheet_again_and_the_next_worker_prints_it(workers):
    lot = make_lot()
    run = services.stamp_run_create(lot=lot, count=2000, actor=lot.created_by)
    first = workers.start("stamps", TASK_STOP_GRACE="0.1")  # a short grace: the sheet cannot finish in it
    wait_for(lambda: run_status(run) == StampRun.Status.RUNNING, seconds=60, what="Printing", workers=workers)

    first.send_signal(signal.SIGTERM)

    assert first.wait(timeout=10) == 0, workers.log()
    assert run_status(run) == StampRun.Status.PENDING  # waiting again, not "printing" forever
    assert sheet_task().status == TaskResultStatus.READY
    workers.start("stamps")
    wait_for(lambda: run_status(run) == StampRun.Status.READY, seconds=180, what="The sheet", workers=workers)
    assert stamp_pages(run, workers) == 84


def test_a_task_whose_worker_keeps_dying_fails_and_its_run_offers_a_retry(
    workers, settings, client, make_storefront
):
    make_storefront()
    manager, stall = seller_with_stall(kind=Stall.Kind.COOPERATIVE, partner__name="HTX Lục Ngạn Xanh")
    lot = make_lot(stall=stall)
    run = services.stamp_run_create(lot=lot, count=2000, actor=lot.created_by)
    for attempt in range(settings.TASK_MAX_ATTEMPTS):
        worker = workers.start("stamps")
        wait_for(
            lambda runs=attempt + 1: (
                run_status(run) == StampRun.Status.RUNNING
                and sheet_task().status == TaskResultStatus.RUNNING
                and len(sheet_task().worker_ids) == runs
            ),
            seconds=60,
            what=f"Printing (attempt {attempt + 1})",
            workers=workers,
        )
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()

    workers.start("search")  # any worker clears up what the dead left behind

    wait_for(lambda: run_status(run) == StampRun.Status.FAILED, seconds=30, what="Giving up", workers=workers)
    assert sheet_task().status == TaskResultStatus.FAILED
    client.force_login(manager)
    page = client.get(reverse("sellers:trace-lot", kwargs={"stall_pk": stall.pk, "lot_pk": lot.pk}))
    html = page.content.decode()
    assert "Không in được tờ tem" in html and "In lại" in html  # says so, with the retry button


@task(queue_name="messages")
def sleep_for(seconds: float) -> str:
    time.sleep(seconds)
    return "woke up"


def test_a_task_past_its_queue_time_limit_is_stopped_and_failed(queued, settings):
    settings.TASK_QUEUES = {**settings.TASK_QUEUES, "messages": 0.3}
    result = sleep_for.enqueue(30)
    worker = HeartbeatWorker(
        queue_names=["messages"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="time-limit-test",
    )
    handled = (signal.SIGALRM, signal.SIGTERM, signal.SIGINT)
    previous = {number: signal.getsignal(number) for number in handled}
    worker.configure_signals()
    try:
        worker.run()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == f"{TaskTimeLimitExceeded.__module__}.{TaskTimeLimitExceeded.__name__}"


QR_WITH_A_GRACEFUL_HANDLER = textwrap.dedent(
    """
    import signal
    from traceability.qr import qr_rasters
    # The worker's handler: SIGTERM only asks to finish gracefully (it does not exit).
    signal.signal(signal.SIGTERM, lambda *args: None)
    codes = qr_rasters((f"https://cho.vn/t/{n:012d}" for n in range(5000)), processes=2)
    next(codes)
    codes.close()  # stops the pool early: Pool.terminate() sends SIGTERM to its children
    print("stopped")
    """
)


@pytest.mark.django_db(transaction=False)
def test_stopping_the_qr_encoders_early_does_not_hang_under_a_graceful_sigterm_handler():
    done = subprocess.run(  # noqa: S603 (our own script)
        [sys.executable, "-c", QR_WITH_A_GRACEFUL_HANDLER],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip() == "stopped", done.stderr


@pytest.mark.parametrize(
    ("says_running", "started_seconds_ago", "expected"),
    [
        (True, 600, TaskResultStatus.RUNNING),  # its live worker still runs it: left alone
        (False, 600, TaskResultStatus.READY),  # its live worker moved on (its result was never saved)
        (False, 0, TaskResultStatus.RUNNING),  # claimed a moment ago: the worker's next beat will name it
    ],
)
def test_a_task_its_live_worker_no_longer_runs_is_queued_again(
    queued, says_running, started_seconds_ago, expected
):
    result = sleep_for.enqueue(1)
    started = timezone.now() - timedelta(seconds=started_seconds_ago)
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, started_at=started, worker_ids=["alive"]
    )
    WorkerHeartbeat.objects.create(
        worker_id="alive",
        queues="messages",
        hostname="elsewhere",
        pid=1,
        beat_at=timezone.now(),
        task_id=str(result.id) if says_running else "",
    )

    recover_lost_tasks()

    assert DBTaskResult.objects.get(pk=result.id).status == expected


def test_a_sigterm_during_the_workers_own_query_still_stops_it_gracefully(monkeypatch):
    """A SIGTERM while the worker looks for a task (a query on the wire): the stop's SystemExit leaves the
    connection mid-command, and leaving the transaction raises OperationalError ("another command is
    already in progress") instead. Seen once in CI: the worker ended with a traceback and status 1."""
    from django.db import OperationalError  # noqa: PLC0415 (only this test raises it)
    from django_tasks_db.models import DBTaskResultQuerySet  # noqa: PLC0415 (only this test patches it)

    worker = HeartbeatWorker(
        queue_names=["messages"],
        interval=0,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="sigterm-in-query",
    )

    def interrupted(queryset):
        worker.running = False  # what the SIGTERM handler does before it raises SystemExit
        raise OperationalError("sending query failed: another command is already in progress")

    monkeypatch.setattr(DBTaskResultQuerySet, "get_locked", interrupted)

    worker.run()  # returns: no exception, so `manage.py db_worker` exits with status 0

    assert not WorkerHeartbeat.objects.filter(worker_id="sigterm-in-query").exists()
