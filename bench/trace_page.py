"""Trace page scans under concurrent load: gunicorn with the production settings, on loopback.

    .venv/bin/python bench/trace_page.py [--stamps 2000] [--duration 20] [--connections 16]

Issues a bench lot of fresh, activated stamps for the demo's lychee (each package is scanned a few
times, as in real life), then scans them round-robin with wrk (a compiled load generator, so the
client takes little of the two cores from the server), and checks that every scan was logged
(rows in traceability_scan before and after). The bench lot is deleted afterwards. Needs wrk
(Debian package `wrk`; `make bench` installs it).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.append(str(ROOT / "bench"))  # after the project: bench/search.py must not hide search/
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings.dev")

WRK_SCRIPT = """
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
local counter = 1
local threads = {}
function setup(thread)
  thread:set("offset", #threads * 997)
  table.insert(threads, thread)
end
function init(args)
  counter = offset or 0
end
function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1], {
    ["Host"] = "cho-ocop.test",
    ["X-Forwarded-Proto"] = "https",  -- behind TLS, as production runs (else a 301 to https)
    ["User-Agent"] = "Mozilla/5.0 (Linux; Android 14) Mobile",
    ["Accept"] = "text/html",
  })
end
function done(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%.2f %%.2f %%.2f %%.2f\\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


def bench_lot(count: int, code: str = "BENCH-SCANS"):
    """A lot of ``count`` activated stamps for the demo's lychee, made through the services."""
    from django.conf import settings  # Django is set up by then
    from django.test import override_settings  # the same

    from catalogue.models import Product
    from sellers.models import Stall
    from traceability import services
    from traceability.models import HarvestLot

    cooperative = Stall.objects.get(slug="htx-luc-ngan-xanh")
    product = Product.objects.get(gtin="08938536000015")
    lot = HarvestLot.objects.create(
        product=product,
        owner=cooperative,
        code=code,
        harvest_date=time.strftime("%Y-%m-%d"),
        quantity=count,
        unit="hộp",
        created_by=cooperative.owner,
    )
    # No printable sheet: the bench only scans.
    dummy = {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": list(settings.TASK_QUEUES)}
    with override_settings(TASKS={"default": dummy}):
        run = services.stamp_run_create(lot=lot, count=count, actor=cooperative.owner)
    services.stamps_activate(run=run, actor=cooperative.owner)
    return lot


def drop_lot(lot) -> None:
    from traceability.models import Stamp, StampRun

    Stamp.objects.filter(lot=lot).delete()  # and their scans
    StampRun.objects.filter(lot=lot).delete()
    lot.delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stamps", type=int, default=2000)
    parser.add_argument("--duration", type=int, default=20, help="seconds of load")
    parser.add_argument("--connections", type=int, nargs="+", default=[8, 16], help="one run per value")
    # One worker per core: the page is CPU-bound, and more workers only queue behind each other.
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: `apt-get install wrk` (or run `make bench`).")

    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "seed_demo", "--no-images"], check=True, capture_output=True
    )
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from server import production_server

    from traceability.models import HarvestLot, Scan
    from traceability.selectors import stamp_url_for

    for stale in HarvestLot.objects.filter(code="BENCH-SCANS"):  # left by an interrupted run
        drop_lot(stale)
    lot = bench_lot(args.stamps)
    workdir = Path(tempfile.mkdtemp(prefix="trace-bench-"))
    try:
        stamps = lot.stamps.select_related("lot__product")
        (workdir / "paths.txt").write_text(
            "\n".join(stamp_url_for(s).removeprefix(settings.STAMP_BASE_URL) for s in stamps) + "\n"
        )
        (workdir / "scan.lua").write_text(WRK_SCRIPT % {"paths": workdir / "paths.txt"})
        with production_server(workers=args.workers, threads=args.threads) as target:
            wrk = ["wrk", "--script", str(workdir / "scan.lua"), "--latency"]
            # Warm-up: imports, database connections, the lot's cached page in every worker.
            subprocess.run([*wrk, "-t1", "-c4", "-d3s", target], check=True, capture_output=True)
            results = []
            for connections in args.connections:
                before = Scan.objects.count()
                output = subprocess.run(
                    [*wrk, "-t2", f"-c{connections}", f"-d{args.duration}s", target],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
                time.sleep(1)  # requests in flight when wrk stopped still finish and log their scan
                row = re.search(r"RESULT (.*)", output).group(1).split()
                results.append((connections, row, Scan.objects.count() - before))
        connection.close()
    finally:
        drop_lot(lot)
        shutil.rmtree(workdir, ignore_errors=True)

    print(
        f"{'responses':>9} {'conn.':>5} {'workers':>7} {'scans/s':>8} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'p99 ms':>7} {'errors':>6} {'rows logged':>11}"
    )
    lost = False
    for connections, (requests, errors, seconds, p50, p95, p99), logged in results:
        requests, seconds = int(requests), float(seconds)
        print(
            f"{requests:>9} {connections:>5} {f'{args.workers}×{args.threads}':>7} {requests / seconds:>8.0f} "
            f"{float(p50):>7.1f} {float(p95):>7.1f} {float(p99):>7.1f} {errors:>6} {logged:>11}"
        )
        lost = lost or logged < requests
    print(
        f"\n{args.stamps} fresh stamps scanned round-robin for {args.duration} s per row by wrk (2 threads, "
        f"keep-alive). gunicorn gthread workers, production settings, PostgreSQL on a Unix socket, all on "
        f"the same {os.cpu_count()} cores. Rows logged includes the requests still in flight when wrk "
        "stopped, so it can exceed responses."
    )
    if lost:
        sys.exit("Some scans were not logged.")


if __name__ == "__main__":
    main()
