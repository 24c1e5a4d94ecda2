"""Issue #16 on a phone: a buyer scans a package and buys the same again; a cooperative records a plot
where it stands."""

import pytest
from django.conf import settings as django_settings
from django.test import Client
from oscar.core.loading import get_model
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE
from tests.factories import UserFactory, make_lot
from traceability import services
from traceability.models import FarmPlot
from traceability.selectors import stamp_url_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
Basket = get_model("basket", "Basket")
SMALL_PHONE = {**PHONE, "viewport": {"width": 360, "height": 640}}


def no_sideways_scrolling(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_buyer_scans_a_stamp_sees_the_plot_and_buys_the_same_again(
    browser, live_server, make_storefront, settings
):
    settings.STAMP_BASE_URL = live_server.url
    make_storefront()
    lot = make_lot(gtin="08938536000015")
    lot.plots.add(
        FarmPlot.objects.create(
            owner=lot.owner,
            commune=lot.owner.commune,
            name="Đồi vải Kép 1",
            latitude="21.3811",
            longitude="106.6124",
        )
    )
    run = services.stamp_run_create(lot=lot, count=1, actor=lot.created_by)
    services.stamps_activate(run=run, actor=lot.created_by)
    context = browser.new_context(locale="vi-VN", **SMALL_PHONE)
    page = context.new_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(stamp_url_for(run.stamps.get()))

    assert no_sideways_scrolling(page)
    assert page.locator("svg.plot-map").is_visible()
    assert page.get_by_text("21.3811° N, 106.6124° E").is_visible()
    assert page.get_by_role("link", name="Mở bản đồ").get_attribute("href") == "geo:21.38110,106.61240"
    assert all(url.startswith(live_server.url) for url in requested), "nothing loaded from another site"

    page.get_by_role("button", name="Mua lại ở gian hàng này").click()

    assert page.url.endswith("/basket/")
    assert "Vải thiều Lục Ngạn" in page.content()
    [line] = Basket.objects.get().lines.all()
    assert (line.product_id, line.stockrecord.partner_id) == (lot.product_id, lot.owner.partner_id)
    context.close()


def test_cooperative_fills_a_plot_s_position_from_the_phone(browser, live_server, make_storefront):
    make_storefront()
    lot = make_lot()
    manager = UserFactory()
    lot.owner.owner = manager
    lot.owner.save(update_fields=["owner"])
    client = Client()
    client.force_login(manager)
    context = browser.new_context(
        locale="vi-VN",
        geolocation={"latitude": 21.38112, "longitude": 106.61243},
        permissions=["geolocation"],
        **SMALL_PHONE,
    )
    context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/ban-hang/gian-hang/{lot.owner_id}/truy-xuat/")
    page.get_by_text("Thêm vườn", exact=True).click()

    page.get_by_role("button", name="Dùng vị trí của tôi").click()

    expect(page.locator("#id_plot-latitude")).to_have_value("21.38112")
    expect(page.locator("#id_plot-longitude")).to_have_value("106.61243")
    assert no_sideways_scrolling(page)
    context.close()
