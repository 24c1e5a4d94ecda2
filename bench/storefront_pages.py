"""Storefront pages on the demo data: weight before images, SQL queries and server time.

    make bench        (or: .venv/bin/python bench/storefront_pages.py [--runs 30])

Uses the development database (seeded with `manage.py seed_demo`, run here first) and
Django's test client, so the time is the server's own work: no network, no browser.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings.dev")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.staticfiles import finders  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.signals import request_finished, request_started  # noqa: E402
from django.db import close_old_connections, connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from oscar.core.loading import get_model  # noqa: E402

Product = get_model("catalogue", "Product")
HOST = "127.0.0.1:8000"


def pages(client: Client) -> dict[str, str]:
    lychee = Product.objects.get(upc="LNX-VAI")
    client.post(f"/shop/basket/add/{lychee.pk}/", {"product_id": lychee.pk, "quantity": 2}, HTTP_HOST=HOST)
    return {
        "home (platform)": "/",
        "catalogue": "/shop/catalogue/",
        "product": lychee.get_absolute_url(),
        "search 'vai thieu'": "/search/?q=vai+thieu",
        "basket (1 line)": "/shop/basket/",
    }


def stylesheet_bytes() -> int:
    return Path(finders.find("frontend/site.css")).stat().st_size


def measure(client: Client, path: str, runs: int) -> dict:
    client.get(path, HTTP_HOST=HOST)  # warm thumbnails and caches
    reset_queries()  # the query log is a bounded deque: a full one would capture nothing
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, HTTP_HOST=HOST)
    query_count = len(queries)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(path, HTTP_HOST=HOST)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "status": response.status_code,
        "html": len(response.content),
        "queries": query_count,
        "median": statistics.median(timings),
        "p90": timings[int(len(timings) * 0.9) - 1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    settings.DEBUG = False
    # Keep one connection across requests, as the test client does, so queries can be counted.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    request_started.disconnect(reset_queries)
    client = Client()
    css = stylesheet_bytes()
    header = ("page", "status", "HTML KB", "+CSS KB", "queries", "median ms", "p90 ms")
    print("{:<22} {:>6} {:>8} {:>8} {:>8} {:>10} {:>8}".format(*header))
    for name, path in pages(client).items():
        row = measure(client, path, args.runs)
        total = (row["html"] + css) / 1024
        print(
            f"{name:<22} {row['status']:>6} {row['html'] / 1024:>8.1f} {total:>8.1f} {row['queries']:>8} "
            f"{row['median']:>10.1f} {row['p90']:>8.1f}"
        )
    print(f"\n{args.runs} runs per page after one warm-up; JavaScript: none; images excluded.")


if __name__ == "__main__":
    main()
