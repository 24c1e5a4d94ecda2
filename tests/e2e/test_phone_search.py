"""On a small phone, a search shows products first: the filters wait behind one closed "Lọc"."""

import pytest

from marketplace.demo import demo_seed

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_on_a_small_phone_a_product_is_on_the_first_screen(browser, live_server):
    demo_seed(with_images=False)
    context = browser.new_context(
        locale="vi-VN", viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/search/?q=vai+thieu")
    first_card = page.locator(".card").first.bounding_box()
    closed_filters = page.locator("details:not([open]) > summary", has_text="Lọc").count()
    wide = page.evaluate("document.documentElement.scrollWidth")
    context.close()

    assert first_card is not None and first_card["y"] < 640, f"the first product starts at {first_card}"
    assert closed_filters == 1, "the filters wait behind one closed “Lọc”"
    assert wide <= 360, "no sideways scrolling"
