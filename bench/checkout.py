"""Placing orders under concurrent buyers: gunicorn with the production settings, on loopback.

    .venv/bin/python bench/checkout.py [--buyers 1 4 8] [--orders 60]

Each buyer is a browser session (cookies, CSRF) that puts one product of each of two stalls in its
basket and places the checkout (two orders, one per stall, cash on delivery). The time measured is
the checkout POST: locking the stock records, one Oscar order per stall, the redirect. Bench stalls
and their orders are deleted afterwards.
"""

import argparse
import os
import re
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.append(str(ROOT / "bench"))  # after the project: bench/search.py must not hide search/
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings.dev")

FORM = {
    "name": "Người mua thử",
    "phone": "0912345678",
    "delivery": "delivery",
    "province": "24",
    "commune": "7582",
    "address": "Thôn Kép 1",
}


def bench_stalls():
    from marketplace.demo import commune_from_registry
    from sellers.models import Stall
    from tests.factories import StallFactory, make_product

    commune = commune_from_registry(code=7582)
    stalls = [
        StallFactory(commune=commune, partner__name=f"Gian thử {n}", status=Stall.Status.VERIFIED)
        for n in (1, 2)
    ]
    products = [
        make_product(stall=stall, title=f"Hàng thử {n}", price=50000, stock=10**6)
        for n, stall in enumerate(stalls)
    ]
    return stalls, products


def drop(stalls, products) -> None:
    from oscar.core.loading import get_model

    from marketplace.payments.models import Checkout

    Order = get_model("order", "Order")
    Basket = get_model("basket", "Basket")
    orders = Order.objects.filter(lines__partner__in=[stall.partner for stall in stalls]).distinct()
    Checkout.objects.filter(payments__order__in=orders).delete()
    Order.objects.filter(pk__in=list(orders.values_list("pk", flat=True))).delete()
    Basket.objects.filter(lines__product__in=products).delete()
    for product in products:
        product.delete()
    for stall in stalls:
        partner = stall.partner
        stall.delete()
        partner.delete()


def _insecure(session) -> None:
    """Production cookies are Secure; the bench talks plain HTTP to gunicorn on loopback."""
    for cookie in session.cookies:
        cookie.secure = False


def buyer(base: str, products, stalls, count: int, timings: list[float], failures: list[str]) -> None:
    import requests

    for _ in range(count):
        session = requests.Session()
        # As behind the TLS proxy production expects: HTTPS said by the proxy, same-origin Referer.
        session.headers.update(
            {"Host": "cho-ocop.test", "X-Forwarded-Proto": "https", "Referer": "https://cho-ocop.test/"}
        )
        for product in products:
            page = session.get(f"{base}{product.get_absolute_url()}")
            _insecure(session)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
            session.post(
                f"{base}/shop/basket/add/{product.pk}/",
                {"csrfmiddlewaretoken": token, "product_id": product.pk, "quantity": 1},
                allow_redirects=False,
            )
            _insecure(session)
        page = session.get(f"{base}/shop/checkout/")
        _insecure(session)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        data = {**FORM, "csrfmiddlewaretoken": token, **{f"pay_{stall.pk}": "cod" for stall in stalls}}
        started = time.perf_counter()
        response = session.post(f"{base}/shop/checkout/", data, allow_redirects=False)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 302:
            failures.append(str(response.status_code))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--orders", type=int, default=60, help="checkouts per row (two orders each)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()

    import django

    django.setup()
    from oscar.core.loading import get_model
    from server import production_server

    Order = get_model("order", "Order")
    stalls, products = bench_stalls()
    rows = []
    try:
        with production_server(workers=args.workers, threads=2) as base:
            buyer(base, products, stalls, 3, [], [])  # warm-up
            for buyers in args.buyers:
                before = Order.objects.filter(lines__partner=stalls[0].partner).count()
                timings: list[float] = []
                failures: list[str] = []
                threads = [
                    threading.Thread(
                        target=buyer, args=(base, products, stalls, args.orders // buyers, timings, failures)
                    )
                    for _ in range(buyers)
                ]
                started = time.perf_counter()
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                elapsed = time.perf_counter() - started
                placed = Order.objects.filter(lines__partner=stalls[0].partner).count() - before
                rows.append((buyers, len(timings), elapsed, timings, failures, placed))
    finally:
        drop(stalls, products)

    print(f"{'buyers':>6} {'checkouts':>9} {'orders/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'failed':>6}")
    for buyers, count, elapsed, timings, failures, placed in rows:
        ordered = sorted(timings)
        p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
        # Each checkout places two orders (one per stall); the rate counts orders, over the whole
        # session (pages and basket included), so it is what a buyer population achieves.
        print(
            f"{buyers:>6} {count:>9} {2 * placed / elapsed:>8.1f} {statistics.median(timings):>7.1f} "
            f"{p95:>7.1f} {len(failures):>6}"
        )
    print(
        f"\ngunicorn ({args.workers} gthread workers × 2 threads), production settings, PostgreSQL on a Unix "
        f"socket, buyers as Python threads, all on the same {os.cpu_count()} cores. p50/p95: the checkout POST "
        "(lock stock, two orders, redirect); orders/s over whole buyer sessions (product pages, basket, checkout)."
    )


if __name__ == "__main__":
    main()
