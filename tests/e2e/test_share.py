"""On a small phone (360 px): sharing a product where the browser has no share sheet (copy the link,
or Zalo), with the phone's share sheet, and "Báo cho tôi khi có hàng" on a sold-out product."""

from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from marketplace.restock.models import RestockAlert
from sellers.services import stall_page_publish
from tests.factories import StallFactory, make_lot, make_product
from traceability.services import stamp_run_create, stamps_activate

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots17/comeback")  # noqa: S108 (screenshots to look at, nothing read back)
SMALL_PHONE = {
    "viewport": {"width": 360, "height": 640},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
GTIN = "08938536000015"
NO_SHARE_SHEET = "delete Navigator.prototype.share; delete Navigator.prototype.canShare;"
# A share sheet that only remembers what it was given.
SHARE_SHEET = "navigator.share = (data) => { window.__shared = data; return Promise.resolve(); };"


@pytest.fixture
def shop(live_server, make_storefront):
    stall = StallFactory(partner__name="Vườn bưởi nhà bà Tư")
    make_storefront(communes=[stall.commune])
    return {
        "url": live_server.url,
        "in_stock": make_product(stall=stall, title="Vải thiều Lục Ngạn", stock=20),
        "sold_out": make_product(stall=stall, title="Bưởi da xanh", stock=0),
    }


def phone_page(browser, origin: str, script: str):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(locale="vi-VN", **SMALL_PHONE)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
    context.add_init_script(script)
    return context, context.new_page()


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_without_a_share_sheet_the_link_is_copied_and_zalo_carries_it(browser, shop):
    context, page = phone_page(browser, shop["url"], NO_SHARE_SHEET)
    url = shop["url"] + shop["in_stock"].get_absolute_url()
    page.goto(url)

    assert not page.get_by_role("button", name="Chia sẻ", exact=True).is_visible()
    zalo = page.get_by_role("link", name="Chia sẻ qua Zalo")
    assert zalo.get_attribute("href") == f"https://sp.zalo.me/share_inline?url={quote(url, safe='')}"
    page.get_by_role("button", name="Sao chép", exact=True).tap()

    expect(page.get_by_role("status")).to_have_text("Đã sao chép")
    assert page.evaluate("navigator.clipboard.readText()") == url
    no_sideways_scroll(page)
    page.locator(".share").scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / "product-share-fallback-360.png", full_page=True)
    context.close()


def test_with_a_share_sheet_one_big_button_opens_it(browser, shop):
    context, page = phone_page(browser, shop["url"], SHARE_SHEET)
    url = shop["url"] + shop["in_stock"].get_absolute_url()
    page.goto(url)

    button = page.get_by_role("button", name="Chia sẻ", exact=True)
    assert button.bounding_box()["height"] >= 48
    assert not page.get_by_role("link", name="Chia sẻ qua Zalo").is_visible()
    button.tap()

    page.wait_for_function("window.__shared")
    assert page.evaluate("window.__shared") == {
        "title": "Vải thiều Lục Ngạn",
        "text": "Vải thiều Lục Ngạn",
        "url": url,
    }
    page.screenshot(path=SHOTS / "product-share-sheet-360.png", full_page=True)
    context.close()


def test_a_buyer_asks_to_be_texted_when_a_sold_out_product_is_back(browser, shop):
    context, page = phone_page(browser, shop["url"], NO_SHARE_SHEET)
    page.goto(shop["url"] + shop["sold_out"].get_absolute_url())
    page.screenshot(path=SHOTS / "sold-out-form-360.png", full_page=True)
    no_sideways_scroll(page)

    page.get_by_label("Số điện thoại di động của bạn").fill("0912 34")
    page.get_by_role("button", name="Báo cho tôi khi có hàng").tap()
    expect(page.get_by_text("Hãy nhập số di động Việt Nam, ví dụ 0912 345 678.")).to_be_visible()
    page.screenshot(path=SHOTS / "sold-out-form-error-360.png", full_page=True)
    no_sideways_scroll(page)

    page.get_by_label("Số điện thoại di động của bạn").fill("0912 345 678")
    page.get_by_role("button", name="Báo cho tôi khi có hàng").tap()

    expect(page.get_by_text("Cảm ơn bạn. Chúng tôi sẽ nhắn một tin đến 0912 345 678")).to_be_visible()
    assert page.url == shop["url"] + shop["sold_out"].get_absolute_url()
    page.screenshot(path=SHOTS / "sold-out-thanks-360.png", full_page=True)
    assert RestockAlert.objects.get().phone == "+84912345678"
    context.close()


def test_the_stall_and_a_stamps_trace_page_share_at_360_without_the_serial(
    browser, live_server, make_storefront
):
    lot = make_lot(gtin=GTIN)
    make_storefront(communes=[lot.owner.commune])
    stall_page = stall_page_publish(stall=lot.owner)
    run = stamp_run_create(lot=lot, count=1, actor=lot.created_by)
    stamps_activate(run=run, actor=lot.created_by)
    stamp = run.stamps.get()
    context, page = phone_page(browser, live_server.url, NO_SHARE_SHEET)

    page.goto(live_server.url + stall_page.url)
    assert page.locator("#share-link").input_value() == live_server.url + stall_page.url
    no_sideways_scroll(page)
    page.screenshot(path=SHOTS / "stall-share-360.png", full_page=True)

    page.goto(f"{live_server.url}/truy-xuat/tem/{stamp.serial}/")
    assert page.locator("#share-link").input_value() == f"{live_server.url}/truy-xuat/lo/{GTIN}/{lot.code}/"
    assert stamp.serial not in page.locator("head").inner_html()
    no_sideways_scroll(page)
    page.screenshot(path=SHOTS / "trace-share-360.png", full_page=True)
    context.close()
