"""A guest's delivered order, opened on a phone through the link of the delivery text: the buyer rates
the product and the stall with a photo, and the rating shows on the product card in search."""

import io
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from PIL import Image

from marketplace.demo_orders import buy
from marketplace.feedback.models import Review
from marketplace.feedback.services import review_create
from tests.factories import CommuneFactory, commune_member, make_product, seller_with_stall

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots17/feedback")  # noqa: S108 (screenshots to look at, nothing read back)
NARROW = {
    "viewport": {"width": 360, "height": 780},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{name} scrolls sideways ({width} px)"


def test_a_guest_reviews_a_delivered_order_from_the_texted_link(
    browser, live_server, make_storefront, outbox, tmp_path
):
    # given: a lychee farm delivered a guest's order, and the delivery text reached the buyer's phone
    commune = CommuneFactory(name="Xã Lục Ngạn")
    make_storefront()
    _seller, farm = seller_with_stall(commune=commune, partner__name="Vườn vải ông Thành")
    lychee = make_product(stall=farm, title="Vải thiều Lục Ngạn", price=65000)
    buy([(lychee, 2)], name="Trần Thị Mai", phone="0912 345 678")
    (text,) = [
        message.text for message in outbox if message.phone == "+84912345678" and "/khach/mo/" in message.text
    ]
    link = re.search(r"https?://\S+/khach/mo/\S+", text).group(0)
    photo = tmp_path / "vai.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (190, 40, 50)).save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())

    context = browser.new_context(locale="vi-VN", **NARROW)
    page = context.new_page()

    # when: the buyer opens the link, and reviews the product and the stall
    page.goto(live_server.url + urlsplit(link).path)
    shoot(page, "1-order-page")
    page.get_by_role("link", name="Đánh giá Vải thiều Lục Ngạn").click()
    page.locator("label[for=id_stars-5]").click()
    page.locator("label[for=id_stall_stars-4]").click()
    page.get_by_label("Kể cho người mua khác (không bắt buộc)").fill("Vải ngọt, quả to, đóng gói cẩn thận.")
    page.get_by_label("Ảnh (không bắt buộc, tối đa 3 ảnh)").set_input_files(str(photo))
    shoot(page, "2-review-form")
    page.get_by_role("button", name="Gửi đánh giá").click()

    # then: thanked on the order page, where the review now shows as done
    assert "Cảm ơn bạn! Đánh giá của bạn giúp người mua khác." in page.locator(".messages").inner_text()
    assert "Cảm ơn bạn đã đánh giá." in page.locator(".after-sale").inner_text()
    page.get_by_role("button", name="Rất hài lòng").click()
    assert "Cảm ơn bạn đã cho biết cảm nhận." in page.locator(".messages").inner_text()
    shoot(page, "3-order-page-reviewed")
    review = Review.objects.get()
    assert (review.stars, review.stall_stars, review.photos.count()) == (5, 4, 1)

    # and the rating is on the product card in search, and on the product page with the photo
    page.goto(f"{live_server.url}/search/?q=vai+thieu")
    card = page.locator("article.card", has_text="Vải thiều Lục Ngạn")
    assert "5,0" in card.locator(".rating").inner_text() and "(1 đánh giá)" in card.inner_text()
    count, box = card.locator(".rating .count").bounding_box(), card.bounding_box()
    assert count["x"] + count["width"] <= box["x"] + box["width"], "the count is cut off by the card"
    shoot(page, "4-search-card")
    page.locator("summary", has_text="Lọc").click()
    page.get_by_role("link", name=re.compile("Từ 4 sao trở lên")).click()
    assert page.locator("article.card", has_text="Vải thiều Lục Ngạn").count() == 1
    shoot(page, "4b-search-four-stars-and-up")
    page.goto(live_server.url + lychee.get_absolute_url())
    assert page.locator(".review-photos img").count() == 1
    shoot(page, "5-product-page")
    context.close()


def signed_in(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="vi-VN", **NARROW)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    host = urlsplit(live_server.url).hostname
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "domain": host, "path": "/"}]
    )
    return context, context.new_page()


def test_the_stall_answers_and_the_commune_hides_on_a_phone(browser, live_server, outbox):
    commune = CommuneFactory(name="Xã Lục Ngạn")
    seller, farm = seller_with_stall(commune=commune, partner__name="Vườn vải ông Thành")
    lychee = make_product(stall=farm, title="Vải thiều Lục Ngạn", price=65000)
    (payment,) = buy([(lychee, 1)], name="Trần Thị Mai")
    review = review_create(line=payment.order.lines.get(), stars=2, stall_stars=3, text="Vải bị dập vài quả.")

    context, page = signed_in(browser, live_server, seller)
    page.goto(f"{live_server.url}/ban-hang/gian-hang/{farm.pk}/danh-gia/")
    page.get_by_label("Câu trả lời của bạn").fill("Em xin lỗi chị, em sẽ gửi bù ạ.")
    page.get_by_role("button", name="Gửi câu trả lời").click()
    assert "Em xin lỗi chị, em sẽ gửi bù ạ." in page.locator(".review-answer").inner_text()
    assert page.get_by_role("button", name="Gửi câu trả lời").count() == 0  # once
    shoot(page, "6-stall-reviews")
    context.close()

    context, page = signed_in(browser, live_server, commune_member(commune=commune, role="commune_staff"))
    page.goto(f"{live_server.url}/ban-hang/xa/danh-gia/")
    page.get_by_label("Vì sao ẩn? Người mua sẽ được báo.").fill("Nhầm sản phẩm")
    page.get_by_role("button", name="Ẩn đánh giá này").click()
    assert "Đã ẩn: Nhầm sản phẩm" in page.locator(".review-list").inner_text()
    shoot(page, "7-commune-reviews")
    context.close()
    review.refresh_from_db()
    assert review.hidden_at is not None
    assert any("Nhầm sản phẩm" in message.text for message in outbox)
