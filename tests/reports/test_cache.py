"""The figures are added up once for everyone who asks within REPORTS_CACHE_SECONDS: the page, its CSV,
XLSX and PDF, and a colleague's page hold the same numbers, and the second asker costs no SQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from marketplace.demo_orders import buy
from marketplace.reports import figures
from marketplace.reports.periods import this_month
from marketplace.reports.tables import Scope
from tests.factories import CommuneFactory, make_product, seller_with_stall

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept_for_five_minutes(settings):
    settings.REPORTS_CACHE_SECONDS = 300
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache  # the fresh cache of these settings

    cache.clear()
    yield
    cache.clear()


def _orders(report) -> int:
    return report.table("orders-by-place").total["orders"]


def test_a_second_asker_gets_the_same_figures_without_sql(kept_for_five_minutes):
    commune = CommuneFactory()
    _seller, stall = seller_with_stall(commune=commune)
    buy([(make_product(stall=stall), 1)], name="Chị Mai", phone="0912 000 111")
    scope, period = Scope("Xã Thử", (commune.pk,)), this_month()

    first = figures.report(scope, period)
    buy([(make_product(stall=stall), 1)], name="Anh Hùng", phone="0912 000 222")
    with CaptureQueriesContext(connection) as queries:
        again = figures.report(Scope("Another label, the same communes", (commune.pk,)), period)

    assert len(queries) == 0
    assert _orders(first) == _orders(again) == 1
    assert again.computed_at == first.computed_at
    assert again.scope.label == "Another label, the same communes"
    # Other communes, other days or another language are added up on their own.
    assert _orders(figures.report(Scope("Cả nền tảng", None), period)) == 2
    with translation.override("en"):
        english = figures.report(scope, period)
        assert _orders(english) == 2 and str(english.panels[0].title) == "Stalls and households"


def test_without_the_setting_every_report_is_added_up_again(settings):
    settings.REPORTS_CACHE_SECONDS = 0
    commune = CommuneFactory()
    _seller, stall = seller_with_stall(commune=commune)
    scope = Scope("Xã Thử", (commune.pk,))

    assert _orders(figures.report(scope, this_month())) == 0
    buy([(make_product(stall=stall), 1)], name="Chị Mai", phone="0912 000 111")
    assert _orders(figures.report(scope, this_month())) == 1
