"""A buyer on a phone: the storefront is accessible, light, and works without JavaScript."""

import pytest
from oscar.core.loading import get_model

from marketplace.demo import demo_seed
from tests.e2e.conftest import assert_accessible

Product = get_model("catalogue", "Product")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MAX_PAGE_BYTES = 300 * 1024  # before product images


@pytest.fixture
def demo(live_server):
    demo_seed(with_images=True)
    return live_server.url


def storefront_pages(base: str) -> dict[str, str]:
    from django.conf import settings

    from traceability.models import Stamp
    from traceability.selectors import stamp_url_for

    lychee = Product.objects.get(upc="LNX-VAI")
    stamp = Stamp.objects.select_related("lot__product").filter(lot__product=lychee).first()
    return {
        "trace": base + stamp_url_for(stamp).removeprefix(settings.STAMP_BASE_URL),
        "home": f"{base}/",
        "catalogue": f"{base}/shop/catalogue/",
        "product": f"{base}{lychee.get_absolute_url()}",
        "search": f"{base}/search/?q=vai+thieu",
        "basket": f"{base}/shop/basket/",
    }


def test_pages_pass_the_accessibility_check(phone, demo):
    for name, url in storefront_pages(demo).items():
        phone.goto(url)
        assert_accessible(phone, name)


def test_pages_weigh_under_300_kb_before_images_and_lazy_load_photos(phone, demo):
    for name, url in storefront_pages(demo).items():
        weights: dict[str, int] = {}

        def record(response, weights=weights):
            if response.request.resource_type != "image":
                weights[response.url] = len(response.body())

        phone.on("response", record)
        phone.goto(url, wait_until="networkidle")
        phone.remove_listener("response", record)
        assert 0 < sum(weights.values()) <= MAX_PAGE_BYTES, f"{name}: {weights}"

    phone.goto(f"{demo}/")
    card_images = phone.locator(".card img")
    assert card_images.count() >= 8
    for index in range(card_images.count()):
        image = card_images.nth(index)
        assert image.get_attribute("loading") == "lazy"
        assert "320w" in image.get_attribute("srcset")


def test_tap_targets_are_large(phone, demo):
    phone.goto(f"{demo}/")
    for selector in (".site-nav a", ".site-nav button", ".search-form button", ".search-form input"):
        targets = phone.locator(selector)
        for index in range(targets.count()):
            assert targets.nth(index).bounding_box()["height"] >= 48, selector

    # the whole product card is one tap target: tapping its photo opens the product
    card = phone.locator(".card").first
    title = card.locator("h3").inner_text()
    photo = card.locator("img")
    photo.scroll_into_view_if_needed()
    box = photo.bounding_box()
    phone.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    phone.wait_for_load_state()
    assert phone.locator("h1").inner_text() == title


def test_browse_search_and_fill_the_basket_without_javascript(phone_without_js, demo):
    page = phone_without_js
    # a buyer searches without diacritics from the header
    page.goto(f"{demo}/")
    page.get_by_label("Tìm sản phẩm").fill("vai thieu luc ngan")
    page.get_by_role("button", name="Tìm", exact=True).click()
    page.get_by_role("link", name="Vải thiều Lục Ngạn").first.click()
    assert page.locator("h1").inner_text() == "Vải thiều Lục Ngạn"
    assert "65.000 ₫" in page.locator(".buy-box .price").inner_text()

    # puts 2 kg in the basket
    page.get_by_label("Số lượng").fill("2")
    page.get_by_role("button", name="Thêm vào giỏ").click()

    # and sees the basket with the line and the total, in đồng
    page.get_by_role("link", name="Giỏ hàng").click()
    assert "Vải thiều Lục Ngạn" in page.locator(".basket-lines").inner_text()
    assert "130.000 ₫" in page.locator(".totals").inner_text()

    # then changes the quantity to 3
    page.get_by_label("Số lượng").fill("3")
    page.get_by_role("button", name="Cập nhật giỏ hàng").click()
    assert "195.000 ₫" in page.locator(".totals").inner_text()


def test_the_search_box_suggests_while_typing_on_the_real_engine(phone, opensearch, live_server):
    demo_seed(with_images=False)  # indexed after commit, into OpenSearch and PostgreSQL
    opensearch.refresh()
    phone.goto(f"{live_server.url}/")

    box = phone.get_by_label("Tìm sản phẩm")
    box.press_sequentially("vai th", delay=60)
    suggestion = phone.locator('#search-suggestions option[value="Vải thiều Lục Ngạn"]')
    suggestion.wait_for(state="attached", timeout=5000)
    box.fill("vai thieu")
    box.press("Enter")
    phone.wait_for_load_state()

    assert "Vải thiều Lục Ngạn" in phone.locator("main").inner_text()
    phone.locator("summary", has_text="Lọc").click()  # on a phone the filters wait behind "Lọc"
    phone.get_by_role("link", name="Bắc Ninh").first.click()
    assert "Bỏ Bắc Ninh" in phone.content()
    assert_accessible(phone, "search with facets")
