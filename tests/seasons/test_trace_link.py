"""The trace page of a lot (by its stamp, its lot or its product) links to the stall's next season:
"Đang nhận đặt trước" while a window is open, "Mùa sau: đặt trước từ …" for one to come, nothing
otherwise; read from the product the page reads anyway (no query more), and public (the cached shell)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import StallFactory, make_lot, make_window
from traceability import services

pytestmark = pytest.mark.django_db

G = "08930000000017"


@pytest.fixture
def lot(make_storefront):
    make_storefront()
    return make_lot(gtin=G, best_before=timezone.localdate() + timedelta(days=10))


@pytest.fixture
def stamp(lot):
    run = services.stamp_run_create(lot=lot, count=1, actor=lot.created_by)
    services.stamps_activate(run=run, actor=lot.created_by)
    return run.stamps.get()


def pages(lot, stamp) -> dict[str, str]:
    """A scanner's first visit (the cached shell), the lot's page, the product's."""
    client = Client()
    return {
        "stamp": client.get(f"/truy-xuat/tem/{stamp.serial}/").content.decode(),
        "lot": client.get(f"/truy-xuat/lo/{G}/{lot.code}/").content.decode(),
        "product": client.get(f"/truy-xuat/sp/{G}/").content.decode(),
    }


def test_an_open_window_is_offered_on_every_trace_page(lot, stamp):
    today = timezone.localdate()
    window = make_window(stall=lot.owner, product=lot.product, closes_on=today + timedelta(days=20))
    until = (today + timedelta(days=20)).strftime("%d/%m/%Y")

    for name, html in pages(lot, stamp).items():
        assert f"Đang nhận đặt trước đến {until}" in html, name
        assert f'{lot.product.get_absolute_url()}#window-{window.pk}"' in html, name
        assert stamp.serial not in html.split('class="next-season"')[1][:400], name


def test_next_season_of_this_stall_with_its_dates(lot, stamp):
    today = timezone.localdate()
    # Another stall's window of the same product, open now: not this lot's stall.
    make_window(stall=StallFactory(), product=lot.product)
    next_season = make_window(
        stall=lot.owner,
        product=lot.product,
        opens_on=today + timedelta(days=90),
        closes_on=today + timedelta(days=180),
    )
    start = (today + timedelta(days=90)).strftime("%d/%m/%Y")
    end = (today + timedelta(days=180)).strftime("%d/%m/%Y")

    found = pages(lot, stamp)

    for name in ("stamp", "lot"):
        assert f"Mùa sau: đặt trước từ {start} đến {end}" in found[name], name
        assert f'{lot.product.get_absolute_url()}#window-{next_season.pk}"' in found[name], name
    assert "Đang nhận đặt trước" in found["product"]  # the product's page: any stall's window


def test_no_window_no_link_and_no_query_more(lot, stamp):
    today = timezone.localdate()
    make_window(  # closed yesterday: no longer a next season
        stall=lot.owner,
        product=lot.product,
        opens_on=today - timedelta(days=9),
        closes_on=today - timedelta(days=1),
    )
    for name, html in pages(lot, stamp).items():
        assert "next-season" not in html and "đặt trước" not in html.lower(), name

    with CaptureQueriesContext(connection) as without:
        Client().get(f"/truy-xuat/lo/{G}/{lot.code}/")
    make_window(stall=lot.owner, product=lot.product)
    with CaptureQueriesContext(connection) as with_window:
        html = Client().get(f"/truy-xuat/lo/{G}/{lot.code}/").content.decode()

    assert "Đang nhận đặt trước" in html
    assert len(with_window) == len(without)
