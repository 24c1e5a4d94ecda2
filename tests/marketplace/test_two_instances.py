"""Two instances, one truth: two gunicorn instances (production settings, two processes each) on different
ports, on the same PostgreSQL, Redis and OpenSearch, as two machines behind a load balancer.

What one instance learns or changes, the other serves at once: a recall made on A is on B's next trace
page (B had the page cached), a price changed is on both product pages, the tracking limit counts the
lookups sent to both, and a search engine that hangs for A makes B fall back too, without B waiting."""

import re
import uuid
from urllib.parse import urlsplit

import pytest
import redis
import requests
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from ground.cache import cache_config
from search.engine_search import EngineBackend
from sellers.models import Stall
from tests.conftest import OPENSEARCH_URL, REDIS_URL, reachable_engine, redis_answers, require_service
from tests.factories import make_lot, make_product, seller_with_stall
from tests.servers import HOST, SECRET_KEY, HangingProxy, production_server
from traceability import services
from traceability.selectors import stamp_url_for

pytestmark = pytest.mark.django_db(transaction=True)
HTTPS = {"Host": HOST, "X-Forwarded-Proto": "https"}  # as the TLS proxy in front of both sends
CACHE_URL = f"{REDIS_URL}/3"  # the instances' cache: a database of the test Redis of their own


class Instance:
    """One instance, seen by a browser behind the TLS proxy: its cookies are Secure, so they are kept
    here and sent by hand (an http:// client would otherwise drop them)."""

    def __init__(self, base: str):
        self.base = base
        self.cookies: dict[str, str] = {}

    def _send(self, method: str, path: str, **kwargs) -> requests.Response:
        # a browser's Accept: the resolver answers it with the trace page itself
        headers = {**HTTPS, "Accept": "text/html,*/*;q=0.8", **kwargs.pop("headers", {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        response = requests.request(
            method, self.base + path, headers=headers, allow_redirects=False, timeout=30, **kwargs
        )
        self.cookies.update(response.cookies.get_dict())
        return response

    def get(self, path: str) -> requests.Response:
        return self._send("GET", path)

    def post(self, path: str, data: dict, *, csrf_from: str) -> requests.Response:
        form = self.get(csrf_from).text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        headers = {"Origin": f"https://{HOST}", "Referer": f"https://{HOST}{csrf_from}"}
        return self._send("POST", path, data={**data, "csrfmiddlewaretoken": token}, headers=headers)


@pytest.fixture(scope="module")
def instances(tmp_path_factory):
    """A and B, started once for this module (each test's data is its own: the database is emptied
    between tests, the shared cache too)."""
    require_service(redis_answers(REDIS_URL), f"Redis at {REDIS_URL} (services/redis/redis.sh start)")
    opensearch = reachable_engine(OPENSEARCH_URL)
    require_service(
        opensearch is not None, f"OpenSearch at {OPENSEARCH_URL} (services/opensearch/opensearch.sh start)"
    )
    index = EngineBackend(opensearch, f"test-products-{uuid.uuid4().hex[:10]}")
    index.ensure_index()
    engine = HangingProxy(upstream=("127.0.0.1", urlsplit(OPENSEARCH_URL).port))
    env = {
        "CACHE_URL": CACHE_URL,
        "SEARCH_URL": f"opensearch+{engine.url}",  # through the proxy that can make it hang
        "SEARCH_INDEX": index.alias,
    }
    logs = tmp_path_factory.mktemp("instances")
    try:
        with (
            production_server(workers=2, threads=2, extra_env=env, log=logs / "a.log") as a,
            production_server(workers=2, threads=2, extra_env=env, log=logs / "b.log", collect=False) as b,
        ):
            yield Instance(a), Instance(b), engine, index
    finally:
        engine.close()
        index.drop()


@pytest.fixture(autouse=True)
def _shared(instances, settings):
    """This process indexes where the instances search and uses their cache (what it changes renews
    their cached pages, as a third instance's would); each test starts with an empty cache."""
    _a, _b, engine, index = instances
    engine.hanging = False
    settings.SEARCH_URL, settings.SEARCH_INDEX = OPENSEARCH_URL, index.alias
    settings.CACHES = {
        "default": cache_config(CACHE_URL),
        "pages": cache_config(CACHE_URL, key_prefix="pages"),
    }
    redis.Redis.from_url(CACHE_URL).flushdb()
    # The database is emptied between tests: so is the index (its counts would hold earlier products).
    index.engine.call("delete_by_query", index=index.alias, body={"query": {"match_all": {}}}, refresh=True)


@pytest.fixture
def cooperative(make_storefront, settings):
    make_storefront()
    manager, stall = seller_with_stall(kind=Stall.Kind.COOPERATIVE, partner__name="HTX Lục Ngạn Xanh")
    lot = make_lot(stall=stall)
    run = services.stamp_run_create(lot=lot, count=2, actor=manager)
    services.stamps_activate(run=run, actor=manager)
    settings.SECRET_KEY = SECRET_KEY  # the instances' key: the session below is valid there
    seller = Client()
    seller.force_login(manager)
    return (
        stall,
        lot,
        run.stamps.order_by("number").first(),
        seller.cookies[settings.SESSION_COOKIE_NAME].value,
    )


def test_a_recall_made_on_one_instance_is_on_the_other_instances_next_trace_page(instances, cooperative):
    a, b, _engine, _index = instances
    stall, lot, stamp, session = cooperative
    trace = stamp_url_for(stamp).removeprefix(django_settings.STAMP_BASE_URL)
    reason = "Dư lượng thuốc bảo vệ thực vật vượt mức cho phép"
    for _ in range(3):  # B has the lot's page cached in every process (in Redis)
        assert b.get(trace).status_code == 200 and reason not in b.get(trace).text

    a.cookies[django_settings.SESSION_COOKIE_NAME] = session
    lot_page = reverse("sellers:trace-lot", kwargs={"stall_pk": stall.pk, "lot_pk": lot.pk})
    recalled = a.post(
        reverse("sellers:trace-recall", kwargs={"stall_pk": stall.pk, "lot_pk": lot.pk}),
        {"reason": reason},
        csrf_from=lot_page,
    )
    assert recalled.status_code == 302, recalled.text[:500]

    page = b.get(trace)
    assert page.status_code == 200
    assert reason in page.text  # the recall, with its reason, on B's very next page
    assert "@@" not in page.text  # no slot left unfilled by a shell another process rendered


def test_a_price_change_shows_on_both_instances_product_pages(instances, make_storefront):
    a, b, _engine, _index = instances
    make_storefront()
    product = make_product(title="Bưởi Diễn nhà bà Tư", price=65000)
    path = product.get_absolute_url()
    assert "65.000" in a.get(path).text and "65.000" in b.get(path).text

    stockrecord = product.stockrecords.get()
    stockrecord.price = 72000
    stockrecord.save()

    for instance in (a, b):
        page = instance.get(path).text
        assert "72.000" in page and "65.000" not in page


def test_the_tracking_limit_counts_lookups_sent_to_both_instances(instances, make_storefront):
    from marketplace.payments.services import TRACKING_LIMIT  # the limit under test

    a, b, _engine, _index = instances
    make_storefront()
    answers = [
        (a if n % 2 else b)
        .post("/shop/track/", {"number": f"1000{n:02d}", "phone": "0912345678"}, csrf_from="/shop/track/")
        .status_code
        for n in range(TRACKING_LIMIT + 2)
    ]
    assert answers[:TRACKING_LIMIT] == [404] * TRACKING_LIMIT  # nothing matched, each counted once
    assert answers[TRACKING_LIMIT:] == [429, 429]  # the 11th, whichever instance it reached


def test_an_engine_that_hangs_for_one_instance_makes_both_use_postgresql(instances, make_storefront):
    a, b, engine, index = instances
    make_storefront()
    make_product(title="Bưởi Diễn nhà bà Tư")  # indexed as it commits
    index.engine.refresh(index.alias)  # searchable now, not at the engine's next refresh
    for instance in (a, b):  # the engine answers both
        assert "Bưởi Diễn nhà bà Tư" in instance.get("/search/?q=buoi+dien").text

    engine.hanging = True
    page = a.get("/search/?q=buoi")  # not cached yet: A waits for the engine (1 s), then PostgreSQL answers
    assert page.status_code == 200 and "Bưởi Diễn nhà bà Tư" in page.text
    assert engine.hung_sends >= 1
    sent = engine.hung_sends

    for path in ("/search/?q=buoi+dien", "/search/?q=vai+thieu", "/search/?q=dien", "/search/suggest?q=bu"):
        assert b.get(path).status_code == 200
    assert b.get("/search/?q=buoi+dien").text.count("Bưởi Diễn nhà bà Tư") >= 1
    assert engine.hung_sends == sent  # B never asked the hung engine: A's finding is shared


def cards(page: str) -> list[str]:
    """The product titles of a list page, in order."""
    return re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', page)


def test_a_price_change_and_a_suspension_are_on_the_next_list_of_every_process(instances, make_storefront):
    a, b, _engine, index = instances
    make_storefront()
    _seller, lan = seller_with_stall(partner__name="Vườn cô Lan")
    _seller, tu = seller_with_stall(partner__name="Nhà bà Tư")
    make_product(stall=lan, title="Bưởi da xanh", price=65000)
    make_product(stall=tu, title="Bưởi Diễn", price=80000)
    index.engine.refresh(index.alias)
    cheapest = "/shop/catalogue/?sort=price"
    for instance in (a, b, a, b):  # cached now, in Redis, for every process of both
        page = instance.get(cheapest).text
        assert cards(page) == ["Bưởi da xanh", "Bưởi Diễn"] and "65.000" in page

    record = tu.partner.stockrecords.get()
    record.price = 52000
    record.save()  # committed: indexed, and every cached page renewed

    page = b.get(cheapest).text
    assert cards(page) == ["Bưởi Diễn", "Bưởi da xanh"]  # re-sorted by the new price
    assert "52.000" in page and "80.000" not in page

    tu.status = Stall.Status.SUSPENDED
    tu.save()

    for instance in (a, b):
        page = instance.get(cheapest).text
        assert cards(page) == ["Bưởi da xanh"] and "<h2>1 sản phẩm</h2>" in page
        assert "Bưởi Diễn" not in instance.get("/search/?q=buoi").text
