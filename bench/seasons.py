"""Sale windows under load: a burst of buyers racing for one window, and campaign pages listing many open
windows. gunicorn with the production settings, on loopback.

    .venv/bin/python bench/seasons.py [--buyers 8 32 100] [--windows 5 50 200] [--runs 20]

1. The race. B buyers (browser sessions with cookies and CSRF, one phone each, as Python threads) each
   put 1 kg of one sale window of capacity C = B/2 in their basket (POST /dat-truoc/<window>/), open the
   checkout, wait for one another, then all place it at once: half cash on delivery, half VietQR with the
   window's 30 % deposit. Exactly C orders must be placed, the window full (reserved == capacity) and
   closed as full, every refusal a page saying why in Vietnamese (no 5xx). The same burst on an
   in-stock product with stock C (the existing stock path) sits beside it: the window lock's cost.
2. A campaign page (marketplace/campaigns CampaignPage, one "open pre-orders" block) of a commune with
   5, 50 and 200 open windows: queries (in the bench process, Django's test client) and server time
   over HTTP (median of --runs requests to gunicorn, uncached: a session cookie makes the page render).

Its commune, site, stalls, products, windows, orders and pages are deleted afterwards.
"""

import argparse
import html
import os
import re
import statistics
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.append(str(ROOT / "bench"))  # after the project: bench/search.py must not hide search/
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings.dev")

from checkout import FORM, _insecure, drop  # noqa: E402 (bench/checkout.py: its buyer's form and cleanup)

HOST = "cho-ocop.test"  # tests/servers.py: the host the production server is told it is
CAMPAIGN_HOST = "mua-vu.cho-ocop.test"  # the bench commune's storefront (a Wagtail Site of its own)
COMMUNE_CODE = 99_019  # and the next: outside the national list, the bench's own communes, deleted after
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PRICE, DEPOSIT_PERCENT = 60_000, 30
_phones = iter(range(10**6))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else float("nan")


# ------------------------------------------------------------------------------------------------ data


class BenchData:
    """Everything the bench makes, in its own commune; ``drop`` deletes it all."""

    def __init__(self):
        # Django is set up by then (main)
        from sellers.models import Stall
        from tests.factories import CommuneFactory, StallFactory

        self.commune = CommuneFactory(
            code=COMMUNE_CODE, name="Xã Thử Mùa Vụ", slug=f"xa-thu-mua-vu-{COMMUNE_CODE}"
        )
        # The campaign's stalls live in a commune of their own: the race's full windows stay off its page.
        self.campaign_commune = CommuneFactory(
            code=COMMUNE_CODE + 1, name="Xã Thử Chiến Dịch", slug=f"xa-thu-chien-dich-{COMMUNE_CODE + 1}"
        )
        self.stalls, self.products, self.windows = [], [], []
        self.pages, self.site = [], None
        self.stall = StallFactory(
            commune=self.commune,
            slug="bench-mua-vu-htx",
            partner__name="HTX thử mùa vụ",
            status=Stall.Status.VERIFIED,
            bank_bin="970436",  # a payout account: VietQR is offered
            bank_account_number="0011001234567",
            bank_account_name="HTX THU MUA VU",
        )
        self.stalls.append(self.stall)

    def product(self, *, stall=None, stock: int = 0):
        # Django is set up by then (main)
        from tests.factories import make_product

        n = len(self.products)
        product = make_product(
            stall=stall or self.stall, title=f"Vải thử {n}", price=PRICE, stock=stock, upc=f"BENCH-MV-{n}"
        )
        self.products.append(product)
        return product

    def window(self, *, stall=None, capacity: int, max_per_buyer=None):
        # Django is set up by then (main)
        from tests.factories import make_window

        stall = stall or self.stall
        window = make_window(
            stall=stall,
            product=self.product(stall=stall),
            capacity=capacity,
            price=PRICE,
            deposit_percent=DEPOSIT_PERCENT,
            max_per_buyer=max_per_buyer,
        )
        self.windows.append(window)
        return window

    def stall_of_village(self, n: int):
        # Django is set up by then (main)
        from tests.factories import StallFactory

        stall = StallFactory(
            commune=self.campaign_commune,
            slug=f"bench-mua-vu-{n}",
            partner__name=f"Vườn thử {n}",
            village=f"Thôn {n}",
        )
        self.stalls.append(stall)
        return stall

    def campaign_page(self):
        """A commune storefront (its own Site) with a campaign page holding one open-windows block."""
        # Django is set up by then (main)
        from django.utils import timezone
        from wagtail.models import Page, Site

        from ground.models import HomePage
        from marketplace.campaigns.models import CampaignPage

        home = HomePage(slug="bench-mua-vu", title="Chợ OCOP xã Thử Mùa Vụ")
        Page.get_first_root_node().add_child(instance=home)
        home.communes.set([self.campaign_commune])
        home.save_revision().publish()
        self.pages.append(home)
        self.site = Site.objects.create(hostname=CAMPAIGN_HOST, port=443, root_page=home, site_name="thử")
        today = timezone.localdate()
        page = CampaignPage(
            title="Mùa vải thử",
            slug="mua-vai-thu",
            starts_on=today,
            ends_on=today + timedelta(days=90),
            intro="Đặt trước vải thiều.",
            body=[("windows", {"heading": "Đang nhận đặt trước", "products": []})],
        )
        home.add_child(instance=page)
        page.save_revision().publish()
        return f"/{page.slug}/"

    def drop(self) -> None:
        # Django is set up by then (main)
        from django.contrib.auth.models import Group
        from oscar.core.loading import get_model
        from wagtail.models import Collection

        from marketplace.campaigns.models import EditorGroup
        from seasons.models import PreOrder, SaleWindow

        for home in self.pages:
            editors = EditorGroup.objects.filter(home=home).first()
            if self.site is not None:
                self.site.delete()
                self.site = None
            home.delete()  # and its campaign page
            if editors is not None:
                Group.objects.filter(pk=editors.group_id).delete()
                Collection.objects.filter(pk=editors.collection_id).delete()
        Order = get_model("order", "Order")
        orders = Order.objects.filter(lines__product__in=self.products).values_list("pk", flat=True)
        PreOrder.objects.filter(order__in=list(orders)).delete()  # before the windows they hold
        SaleWindow.objects.filter(pk__in=[w.pk for w in self.windows]).delete()
        drop(self.stalls, self.products)  # orders, checkouts, baskets, products, stalls
        self.commune.delete()
        self.campaign_commune.delete()


# ------------------------------------------------------------------------------------------------ race


class Buyer(threading.Thread):
    """One browser: the product page, the pre-order (or basket) POST, the checkout page; then waits for
    every other buyer and places the checkout (the timed POST)."""

    def __init__(self, base: str, *, product, stall, add: dict, method: str, barrier: threading.Barrier):
        super().__init__()
        self.base, self.product, self.stall, self.add, self.method = base, product, stall, add, method
        self.barrier = barrier
        self.phone = f"091{next(_phones):07d}"
        self.status, self.body, self.error = None, "", ""
        self.started = self.ended = self.ms = None

    def run(self) -> None:
        # the benches' HTTP client
        import requests

        try:
            session = requests.Session()
            session.headers.update(
                {"Host": HOST, "X-Forwarded-Proto": "https", "Referer": f"https://{HOST}/"}
            )
            page = session.get(self.base + self.product.get_absolute_url())
            _insecure(session)
            token = CSRF.search(page.text).group(1)
            added = session.post(
                self.base + self.add["path"],
                {"csrfmiddlewaretoken": token, **self.add["data"]},
                allow_redirects=False,  # the cookies it sets are Secure: made plain before the next request
            )
            _insecure(session)
            if added.status_code != 302:
                raise RuntimeError(f"adding answered {added.status_code}")
            page = session.get(f"{self.base}/shop/checkout/")
            _insecure(session)
            token = CSRF.search(page.text).group(1)
            data = {**FORM, "phone": self.phone, "csrfmiddlewaretoken": token}
            data[f"pay_{self.stall.pk}"] = self.method
            data[f"deposit_{self.stall.pk}"] = "deposit"  # the default choice (ignored for cash)
        except Exception as error:  # noqa: BLE001 (reported in the table, the burst goes on)
            self.error = f"before the burst: {error!r}"
            self.barrier.abort()
            return
        try:
            self.barrier.wait(timeout=600)
            self.started = time.perf_counter()
            response = session.post(f"{self.base}/shop/checkout/", data, allow_redirects=False)
            self.ended = time.perf_counter()
        except (threading.BrokenBarrierError, requests.RequestException) as error:
            self.error = f"the burst: {error!r}"
            return
        self.ms = (self.ended - self.started) * 1000
        self.status, self.body = response.status_code, html.unescape(response.text)


def race(base: str, data: BenchData, buyers: int, *, window: bool) -> dict:
    # Django is set up by then (main)
    from django.utils import translation
    from django.utils.translation import gettext
    from oscar.core.loading import get_model

    from marketplace.payments.models import OrderPayment

    Order = get_model("order", "Order")
    capacity = max(buyers // 2, 1)
    if window:
        sale = data.window(capacity=capacity)
        product = sale.product
        add = {"path": f"/dat-truoc/{sale.pk}/", "data": {"quantity": 1}}
        refusal = "Pre-orders for %(product)s are closed."
    else:
        product = data.product(stock=capacity)
        add = {"path": f"/shop/basket/add/{product.pk}/", "data": {"product_id": product.pk, "quantity": 1}}
        refusal = "Sold out: %(product)s."
    with translation.override("vi"):
        message = gettext(refusal) % {"product": product.get_title()}
    barrier = threading.Barrier(buyers)
    methods = [OrderPayment.Method.COD, OrderPayment.Method.VIETQR]
    threads = [
        Buyer(base, product=product, stall=data.stall, add=add, method=methods[n % 2], barrier=barrier)
        for n in range(buyers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done = [t for t in threads if t.status is not None]
    statuses: dict[int, int] = {}
    for thread in done:
        statuses[thread.status] = statuses.get(thread.status, 0) + 1
    refused = [t for t in done if t.status != 302]
    orders = Order.objects.filter(lines__product=product).distinct()
    payments = OrderPayment.objects.filter(order__in=orders)
    # A transfer asks the window's deposit now (nothing for in-stock goods), cash nothing.
    deposit = PRICE * DEPOSIT_PERCENT // 100 if window else 0
    wrong_deposits = payments.exclude(method=OrderPayment.Method.VIETQR, deposit=deposit)
    wrong_deposits = wrong_deposits.exclude(method=OrderPayment.Method.COD, deposit=0).count()
    row = {
        "path": "window" if window else "stock",
        "buyers": buyers,
        "capacity": capacity,
        "placed": orders.count(),
        "statuses": statuses,
        "explained": sum(message in t.body for t in refused),
        "refused": len(refused),
        "errors": [t.error for t in threads if t.error],
        "p50": statistics.median([t.ms for t in done]) if done else float("nan"),
        "p95": percentile([t.ms for t in done], 0.95),
        "wall": (max(t.ended for t in done) - min(t.started for t in done)) if done else float("nan"),
        "wrong_deposits": wrong_deposits,
        "message": message,
    }
    if window:
        sale.refresh_from_db()
        row["left"] = sale.capacity - sale.reserved
        row["state"] = f"{sale.state}/{sale.closed_because or '-'}"
    else:
        record = product.stockrecords.get()
        row["left"] = record.net_stock_level
        row["state"] = "-"
    row["ok"] = (
        row["placed"] == capacity
        and row["left"] == 0
        and (not window or row["state"] == "closed/full")
        and row["refused"] == row["explained"] == buyers - capacity
        and not row["errors"]
        and not any(status >= 500 for status in statuses)
        and not wrong_deposits
    )
    return row


# -------------------------------------------------------------------------------------------- campaign


def session_key() -> str:
    # Django is set up by then (main)
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session["bench"] = "seasons"
    session.create()
    return session.session_key


def campaign_in_process(path: str, cookie: str) -> dict:
    # Django is set up by then (main)
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_HOST=CAMPAIGN_HOST)
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie
    first = client.get(path, secure=True)  # warm
    queries = []  # counted by a wrapper: the query log of a long-lived connection may be full

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(path, secure=True)
    return {"status": (first.status_code, response.status_code), "queries": len(queries)}


def campaign_over_http(base: str, path: str, cookie: str, runs: int) -> dict:
    # the benches' HTTP client
    import requests
    from django.conf import settings

    session = requests.Session()
    session.headers.update({"Host": CAMPAIGN_HOST, "X-Forwarded-Proto": "https"})
    session.cookies.set(settings.SESSION_COOKIE_NAME, cookie)
    first = session.get(base + path, allow_redirects=False)  # warm this worker's caches
    timings, statuses = [], {first.status_code}
    for _ in range(runs):
        started = time.perf_counter()
        response = session.get(base + path, allow_redirects=False)
        timings.append((time.perf_counter() - started) * 1000)
        statuses.add(response.status_code)
    body = first.text
    return {
        "statuses": statuses,
        "cards": body.count('class="sale-window"'),
        "kb": len(first.content) / 1024,
        "median": statistics.median(timings),
        "p95": percentile(timings, 0.95),
    }


# ---------------------------------------------------------------------------------------------- report


def print_race(rows: list[dict], command: str, args) -> None:
    # Django is set up by then (main)
    from ground.money import format_vnd

    print(f"\n$ {command}")
    print(
        f"Race: B buyers each pre-order 1 kg from one window of capacity C = B/2 (half cash, half VietQR with a "
        f"{DEPOSIT_PERCENT} % deposit), all checkouts POSTed at once; 'stock': the same on an in-stock product "
        "with stock C."
    )
    head = (
        f"{'path':<6} {'B':>4} {'C':>4} {'placed':>6} {'left':>4} {'window':<11} {'refusals (status×n)':<20} "
        f"{'said why':>8} {'p50 ms':>7} {'p95 ms':>7} {'wall s':>6} {'ok':>3}"
    )
    print(head)
    print("-" * len(head))
    for row in rows:
        refusals = " ".join(f"{s}×{n}" for s, n in sorted(row["statuses"].items()) if s != 302) or "-"
        print(
            f"{row['path']:<6} {row['buyers']:>4} {row['capacity']:>4} {row['placed']:>6} {row['left']:>4} "
            f"{row['state']:<11} {refusals:<20} {row['explained']:>4}/{row['refused']:<3} {row['p50']:>7.0f} "
            f"{row['p95']:>7.0f} {row['wall']:>6.2f} {'yes' if row['ok'] else 'NO':>3}"
        )
        for error in row["errors"][:3]:
            print(f"       {error}")
        if row["wrong_deposits"]:
            print(f"       {row['wrong_deposits']} payments with a wrong deposit")
    messages = {row["path"]: row["message"] for row in rows}
    print(
        f"\nsaid why: refusal pages with the message ({'; '.join(f'{k}: «{v}»' for k, v in messages.items())}).\n"
        "p50/p95: the checkout POST (basket, stock record and window row locks, one order, redirect); wall: "
        "from the barrier's release to the last answer.\n"
        f"ok: placed == C, nothing left, window closed as full, every refusal explained, no 5xx, deposits "
        f"right (VietQR {format_vnd(PRICE * DEPOSIT_PERCENT // 100)} on a pre-order, cash 0)."
    )


def print_campaign(rows: list[dict], command: str, args) -> None:
    print(f"\n$ {command}")
    print(
        "Campaign page (one 'open pre-orders' block) of a commune with N open windows, each its own product; "
        f"server time over HTTP, median and p95 of {args.runs} requests with a session cookie (no page cache)."
    )
    head = f"{'windows':>7} {'cards':>5} {'queries':>7} {'HTML KB':>7} {'median ms':>9} {'p95 ms':>7} {'status':>7}"
    print(head)
    print("-" * len(head))
    for row in rows:
        statuses = ",".join(str(s) for s in sorted(row["statuses"] | set(row["in_process"])))
        print(
            f"{row['windows']:>7} {row['cards']:>5} {row['queries']:>7} {row['kb']:>7.0f} {row['median']:>9.1f} "
            f"{row['p95']:>7.1f} {statuses:>7}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, nargs="+", default=[8, 32, 100])
    parser.add_argument("--windows", type=int, nargs="+", default=[5, 50, 200])
    parser.add_argument("--runs", type=int, default=20, help="requests per campaign page size")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    command = " ".join([".venv/bin/python", "bench/seasons.py", *sys.argv[1:]])

    import django

    django.setup()
    # set up just above
    from django.conf import settings
    from server import production_server

    settings.DEBUG = False  # the in-process page as production renders it (no debug context)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, CAMPAIGN_HOST]
    data = BenchData()
    races, campaigns = [], []
    try:
        path = data.campaign_page()
        cookie = session_key()
        extra = {"ALLOWED_HOSTS": f"{HOST},{CAMPAIGN_HOST}"}
        with production_server(workers=args.workers, threads=args.threads, extra_env=extra) as base:
            race(base, data, 4, window=True)  # warm-up: every worker's first requests
            for buyers in args.buyers:
                for window in (True, False):
                    print(f"  race: {buyers} buyers, {'window' if window else 'stock'} ...", flush=True)
                    races.append(race(base, data, buyers, window=window))
            made = 0
            for size in sorted(args.windows):
                print(f"  campaign page: {size} open windows ...", flush=True)
                while made < size:  # a stall per ten windows, one product per window
                    stall = data.stall_of_village(made // 10) if made % 10 == 0 else data.stalls[-1]
                    data.window(stall=stall, capacity=500, max_per_buyer=50)
                    made += 1
                row = {"windows": size, **campaign_over_http(base, path, cookie, args.runs)}
                in_process = campaign_in_process(path, cookie)
                row["queries"], row["in_process"] = in_process["queries"], set(in_process["status"])
                campaigns.append(row)
    finally:
        data.drop()
    print_race(races, command, args)
    print_campaign(campaigns, command, args)
    load = os.getloadavg()
    print(
        f"\ngunicorn ({args.workers} gthread workers × {args.threads} threads), production settings, PostgreSQL "
        f"on a Unix socket, buyers as Python threads, all on the same {os.cpu_count()} cores; load average "
        f"at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}."
    )


if __name__ == "__main__":
    main()
