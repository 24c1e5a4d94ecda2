"""What a buyer reads on the catalogue's pages (issue #16): Vietnamese that reads naturally, totals with
delivery, stalls one tap away, each product once on the home, and the season of what is sold."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from search import indexing
from sellers.services import stall_page_publish
from tests.factories import CommuneFactory, StallFactory, make_product

pytestmark = pytest.mark.django_db

# Oscar's own Vietnamese, as a buyer saw it on our pages.
BROKEN_PHRASES = [
    "Your basket total is now",
    "tối đa của",
    "sao chép từ",
    "sao chép của",
    "Trong kho (",
    "có sẵn)",
    "Không sẵn có",
    "Trang Chủ",
]


def text_of(html: str) -> str:
    """The page as words: tags dropped, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(" :", ":")


def section(html: str, css_class: str) -> str:
    match = re.search(rf'<(\w+) class="{css_class}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, f"no .{css_class} on the page"
    return match.group(2)


def add(client, product, quantity: int):
    return client.post(
        reverse("basket:add", kwargs={"pk": product.pk}),
        {"product_id": product.pk, "quantity": quantity},
        follow=True,
    )


def other_month(months_away: int) -> int:
    return (timezone.localdate().month - 1 + months_away) % 12 + 1


@pytest.fixture
def stall(make_storefront):
    commune = CommuneFactory(name="Xã Lục Ngạn")
    stall = StallFactory(commune=commune, partner__name="Vườn bưởi nhà bà Tư", delivery_fee=30000)
    make_storefront(communes=[commune])
    stall_page_publish(stall=stall)
    return stall


def test_adding_to_the_basket_says_so_in_vietnamese_with_buttons(client, stall):
    product = make_product(stall=stall, title="Bưởi Diễn nhà bà Tư", price=65000)

    html = add(client, product, 2).content.decode()

    messages = section(html, "messages")
    assert "Your basket total" not in messages
    assert "Đã thêm 2 kg Bưởi Diễn nhà bà Tư vào giỏ hàng." in text_of(messages)
    assert "130.000 ₫" in messages
    # the two ways on are real links styled as buttons, not words run into the message
    assert re.search(r'<a class="btn[^"]*" href="/shop/basket/">Xem giỏ</a>', messages)
    assert re.search(r'<a class="btn[^"]*" href="/shop/checkout/">Đặt hàng</a>', messages)


def test_the_basket_total_includes_delivery(client, stall):
    other = StallFactory(commune=stall.commune, delivery_fee=30000)
    add(client, make_product(stall=stall, title="Bưởi Diễn", price=65000), 2)
    add(client, make_product(stall=other, title="Vải thiều", price=115000), 1)

    totals = text_of(section(client.get(reverse("basket:summary")).content.decode(), "totals"))

    assert "Tiền hàng: 245.000 ₫" in totals
    assert "Phí giao hàng: 60.000 ₫" in totals
    assert "Tổng cộng: 305.000 ₫" in totals


@pytest.mark.parametrize("language", ["vi", "en"])
def test_oscar_phrases_read_naturally_on_the_pages_a_buyer_sees(client, stall, language):
    client.cookies["django_language"] = language
    product = make_product(stall=stall, title="Bưởi Diễn nhà bà Tư", price=65000, stock=400)
    sold_out = make_product(stall=stall, title="Cam Canh", stock=0)
    pages = {
        "product": client.get(product.get_absolute_url()).content.decode(),
        "sold out": client.get(sold_out.get_absolute_url()).content.decode(),
        "after an add": add(client, product, 2).content.decode(),
        "basket": client.get(reverse("basket:summary")).content.decode(),
    }
    basket = client.get(reverse("basket:summary")).context["formset"]
    too_many = client.post(
        reverse("basket:summary"),
        {
            "form-TOTAL_FORMS": 1,
            "form-INITIAL_FORMS": 1,
            "form-0-id": basket.forms[0].instance.pk,
            "form-0-quantity": 500,
        },
        follow=True,
    )
    pages["quantity above stock"] = too_many.content.decode()
    client.logout()
    client.cookies["django_language"] = language
    pages["login"] = client.get(reverse("customer:login")).content.decode()

    for name, html in pages.items():
        for phrase in BROKEN_PHRASES:
            assert phrase not in html, f"{name}: {phrase!r}"
    if language == "vi":
        assert "Còn 400 kg" in text_of(pages["product"])
        assert "Hết hàng" in text_of(pages["sold out"])
        assert "Đã thêm 2 kg Bưởi Diễn nhà bà Tư vào giỏ hàng." in text_of(pages["after an add"])
        assert "Chỉ còn 400, không thể mua nhiều hơn." in text_of(pages["quantity above stock"])
        assert "Trang chủ" in pages["login"]
    else:
        assert "400 kg left" in text_of(pages["product"])
        assert "Sold out" in text_of(pages["sold out"])
        assert "Added 2 kg of Bưởi Diễn nhà bà Tư to your basket." in text_of(pages["after an add"])


def test_stall_names_on_the_home_and_the_product_page_link_to_the_stall(client, stall):
    product = make_product(stall=stall, title="Bưởi Diễn")
    stall_url = stall.page.url

    home = client.get("/").content.decode()
    product_page = client.get(product.get_absolute_url()).content.decode()

    link = f'<a href="{stall_url}">Vườn bưởi nhà bà Tư</a>'
    assert link in home
    assert link in product_page


def test_the_home_shows_each_product_once(client, stall):
    this_month = other_month(0)
    products = [
        make_product(stall=stall, title=f"Vải thiều {n}", is_featured=True, season_months=[this_month])
        for n in range(3)
    ]
    indexing.rebuild()  # what the reindex task does once the test's changes commit

    home = client.get("/").content.decode()

    for product in products:
        assert home.count(f'href="{product.get_absolute_url()}"') == 1, product.title


def test_the_header_or_footer_links_to_order_tracking(client, stall):
    html = client.get("/").content.decode()

    assert f'href="{reverse("track")}">Tra cứu đơn</a>' in html


@pytest.mark.parametrize(
    ("months_away", "preorder", "words"),
    [
        (0, False, "Đang mùa"),
        (4, False, "Hết mùa"),
        (4, True, "Hết mùa"),  # the old box is no sale window: nothing a buyer could pre-order
    ],
)
def test_product_page_and_cards_say_whether_it_is_in_season(client, stall, months_away, preorder, words):
    month = other_month(months_away)
    product = make_product(
        stall=stall, title="Vải thiều", season_months=[month], available_for_preorder=preorder
    )
    indexing.rebuild()  # what the reindex task does once the test's changes commit
    month_name = f"tháng {month}"

    for page in (product.get_absolute_url(), "/"):
        season = text_of(section(client.get(page).content.decode(), "season-row"))
        assert words in season, page
        assert month_name in season.lower(), page
        if words == "Hết mùa":
            assert "đặt trước" not in season, page
