"""Trace page scans under concurrent load: gunicorn with the production settings, on loopback.

    make bench-trace      (or: .venv/bin/python bench/trace_page.py [--requests 4000] [--concurrency 16])

Scans the demo's 48 lychee stamps round-robin over keep-alive connections, then checks that every
scan was logged (rows in traceability_scan before and after). Bounded: a fixed number of
requests, a time limit, loopback only.
"""

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings.dev")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def client(
    host: str, port: int, paths: list[str], count: int, latencies: list[float], statuses: list[int]
):
    reader, writer = await asyncio.open_connection(host, port)
    for index in range(count):
        path = paths[index % len(paths)]
        request = (
            f"GET {path} HTTP/1.1\r\nHost: cho-ocop.test\r\nUser-Agent: Mozilla/5.0 (Linux; Android 14) Mobile\r\n"
            "Accept: text/html\r\nAccept-Language: vi\r\nConnection: keep-alive\r\n\r\n"
        )
        started = time.perf_counter()
        writer.write(request.encode())
        await writer.drain()
        status_line = await reader.readline()
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await reader.readexactly(length)
        latencies.append((time.perf_counter() - started) * 1000)
        statuses.append(int(status_line.split()[1]))
    writer.close()


async def load(port: int, paths: list[str], requests: int, concurrency: int):
    latencies: list[float] = []
    statuses: list[int] = []
    per_client = requests // concurrency
    started = time.perf_counter()
    await asyncio.wait_for(
        asyncio.gather(
            *(
                client("127.0.0.1", port, paths[i:] + paths[:i], per_client, latencies, statuses)
                for i in range(concurrency)
            )
        ),
        timeout=300,
    )
    return time.perf_counter() - started, latencies, statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2)
    args = parser.parse_args()

    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "seed_demo", "--no-images"], check=True, capture_output=True
    )
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from traceability.models import Scan, Stamp
    from traceability.selectors import stamp_url_for

    stamps = list(Stamp.objects.filter(lot__code="LN2026-06A").select_related("lot__product"))
    paths = [stamp_url_for(stamp).removeprefix(settings.STAMP_BASE_URL) for stamp in stamps]
    database = settings.DATABASES["default"]
    url = f"postgresql://{database['USER']}@/{database['NAME']}?host={database['HOST']}"
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings.production",
        "SECRET_KEY": "bench-only-" + "x" * 40,
        "DATABASE_URL": url,
        "ALLOWED_HOSTS": "cho-ocop.test",
        "STATIC_ROOT": str(ROOT / "var" / "bench-static"),
    }
    # Production serves hashed static files from a manifest: build it first.
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput"],
        env=env,
        check=True,
        capture_output=True,
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "marketplace.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            "gthread",
            "--threads",
            "2",
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        asyncio.run(load(port, paths, 200, 4))  # warm-up: imports, connections, templates
        before = Scan.objects.count()
        elapsed, latencies, statuses = asyncio.run(load(port, paths, args.requests, args.concurrency))
        connection.close()
        after = Scan.objects.count()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))]

    print(
        f"{'requests':>8} {'conc.':>5} {'workers':>7} {'scans/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'non-200':>7} {'rows logged':>11}"
    )
    print(
        f"{len(latencies):>8} {args.concurrency:>5} {args.workers:>7} {len(latencies) / elapsed:>8.0f} {statistics.median(latencies):>7.1f} "
        f"{pct(0.95):>7.1f} {pct(0.99):>7.1f} {sum(s != 200 for s in statuses):>7} {after - before:>11}"
    )
    print(
        f"\ngunicorn (gthread workers, 2 threads each), production settings, PostgreSQL on a Unix socket; load client on the same {os.cpu_count()} cores."
    )


if __name__ == "__main__":
    main()
