"""English as a visitor who pressed the language button reads it: category names in English, one word
for the basket, "1 stamp" not "1 stamps", and dates day-first with a 24-hour clock (Vietnamese too)."""

import datetime
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation
from oscar.apps.catalogue.categories import create_from_sequence

from marketplace import demo
from sellers.models import Stall
from tests.factories import make_lot, make_product, seller_with_stall
from traceability import services
from traceability.models import LotEvent
from traceability.selectors import stamp_url_for

pytestmark = pytest.mark.django_db

BROWSER = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


def text_of(html: str) -> str:
    """What a reader sees: the page without its tags (so no URL or class name counts)."""
    body = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


# Category names


@pytest.fixture
def lychees():
    fruit, lychees = create_from_sequence(["Trái cây", "Vải thiều"])
    fruit.name_en, lychees.name_en = "Fruit", "Lychees"
    fruit.save()
    lychees.save()
    return lychees


def test_a_category_is_named_in_the_visitors_language(lychees):
    with translation.override("en"):
        assert (lychees.localized_name, str(lychees)) == ("Lychees", "Fruit > Lychees")
    with translation.override("vi"):
        assert (lychees.localized_name, str(lychees)) == ("Vải thiều", "Trái cây > Vải thiều")


def test_a_category_without_an_english_name_keeps_its_vietnamese_one():
    (rice,) = create_from_sequence(["Gạo"])
    with translation.override("en"):
        assert rice.localized_name == "Gạo"


def test_every_demo_category_has_an_english_name():
    categories = demo._categories()  # the seed's own step, without the rest of the demo

    with translation.override("en"):
        assert categories["vai-thieu"].localized_name == "Lychees"
        assert categories["dac-san"].localized_name == "Local specialities"
        assert all(c.name_en for c in categories.values())


def test_the_sellers_category_list_is_in_english_after_choosing_english(client, make_storefront, lychees):
    make_storefront()
    seller, stall = seller_with_stall()
    client.force_login(seller)

    html = english(client).get(f"/ban-hang/gian-hang/{stall.pk}/san-pham/moi/").content.decode()

    assert "Fruit &gt; Lychees" in html
    assert "Vải thiều" not in html


# The basket


def test_english_says_basket_in_the_header_and_on_the_page(client, make_storefront):
    make_storefront()
    product = make_product(title="Vải thiều Lục Ngạn")
    english(client)

    product_page = text_of(client.get(product.get_absolute_url()).content.decode())
    client.post(f"/shop/basket/add/{product.pk}/", {"product_id": product.pk, "quantity": 1})
    basket_page = text_of(client.get("/shop/basket/").content.decode())

    assert "Add to basket" in product_page
    assert " Basket " in basket_page and "Your basket" in basket_page
    for page in (product_page, basket_page):
        assert "cart" not in page.lower()


def test_our_english_is_our_own_not_oscars_american_english():
    """An English string left empty in our catalogue must read as written, not fall through to Oscar's
    en_US catalogue ("Cart", "Add to cart", "Your cart is empty.")."""
    with open(Path(settings.BASE_DIR) / "marketplace/locale/en/LC_MESSAGES/django.po", "rb") as handle:
        catalog = read_po(handle, locale="en")
    wrong = []
    with translation.override("en"):
        for message in catalog:
            for expected, shown in _english(message):
                if shown != expected:
                    wrong.append((expected, shown))
    assert wrong == []


def _english(message):
    """(what our catalogue says, what a page shows) for each form of a message."""
    if not message.id:
        return []
    context = message.context
    if isinstance(message.id, tuple):
        return [
            (
                message.string[n - 1] or message.id[n - 1],
                translation.npgettext(context, *message.id, n)
                if context
                else translation.ngettext(*message.id, n),
            )
            for n in (1, 2)
        ]
    shown = translation.pgettext(context, message.id) if context else translation.gettext(message.id)
    return [(message.string or message.id, shown)]


# Plurals


def test_a_stamp_run_of_one_says_one_stamp(client, make_storefront):
    make_storefront()
    manager, stall = seller_with_stall(kind=Stall.Kind.COOPERATIVE, partner__name="HTX Lục Ngạn Xanh")
    lot = make_lot(stall=stall)
    services.stamp_run_create(lot=lot, count=1, actor=manager)
    client.force_login(manager)

    html = text_of(
        english(client).get(f"/ban-hang/gian-hang/{stall.pk}/truy-xuat/lo/{lot.pk}/").content.decode()
    )

    assert "1 stamp, ordered" in html
    assert "1 stamps" not in html


# Dates


@pytest.fixture
def trace_page(make_storefront, settings):
    settings.STAMP_BASE_URL = "https://cho-ocop.vn"
    make_storefront()
    lot = make_lot(gtin="08938536000015", harvest_date=datetime.date(2026, 6, 12))
    LotEvent.objects.create(
        lot=lot,
        step="packing",
        place="Nhà sơ chế HTX",
        recorded_by=lot.created_by,
        occurred_at=timezone.make_aware(datetime.datetime(2026, 6, 12, 14, 30)),
    )
    run = services.stamp_run_create(lot=lot, count=1, actor=lot.created_by)
    services.stamps_activate(run=run, actor=lot.created_by)
    return stamp_url_for(run.stamps.get()).removeprefix("https://cho-ocop.vn")


def test_english_dates_are_day_first_with_a_24_hour_clock(trace_page):
    html = text_of(english(Client(**BROWSER)).get(trace_page).content.decode())

    assert "12/06/2026 14:30" in html
    assert "06/12/2026" not in html and "p.m." not in html


def test_vietnamese_dates_are_day_month_year_with_slashes(trace_page):
    html = text_of(Client(**BROWSER).get(trace_page).content.decode())

    assert "12/06/2026 14:30" in html
    assert "12-06-2026" not in html


def test_a_category_page_in_english(client, make_storefront, lychees):
    make_storefront()

    html = english(client).get(lychees.get_absolute_url()).content.decode()

    assert "<title>Lychees" in html and ">Fruit</a>" in html and "Vải thiều" not in html
