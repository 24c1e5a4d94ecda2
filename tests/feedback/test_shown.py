"""The averages and counts on product cards, the product page and the stall page; the latest visible
reviews with their photos and the stall's answer; bounded queries; Oscar's own review URLs answer plainly."""

import pytest
from django.test import Client

from marketplace.demo_orders import buy
from marketplace.feedback.services import review_answer, review_create
from search import indexing
from sellers.services import stall_page_publish
from tests.feedback.conftest import photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed(delivered, make_storefront):
    make_storefront(communes=[delivered.commune])
    first = review_create(
        line=delivered.line, stars=5, stall_stars=5, text="Vải ngọt lịm, giao nhanh.", photos=[photo()]
    )
    review_answer(
        review=first, stall=delivered.stall, text="Cảm ơn chị Mai đã ủng hộ!", actor=delivered.seller
    )
    (second,) = buy([(delivered.product, 1)], name="Lê Văn Nam", phone="0987 654 321")
    review_create(line=second.order.lines.get(), stars=4, stall_stars=3, text="Quả hơi nhỏ")
    indexing.reindex_products([delivered.product.pk])
    return delivered


def test_the_product_page_shows_average_count_reviews_photos_and_answer(client, reviewed):
    html = Client().get(reviewed.product.get_absolute_url()).content.decode()

    assert "4,5" in html and "(2 đánh giá)" in html
    assert "Vải ngọt lịm, giao nhanh." in html and "Quả hơi nhỏ" in html
    assert "Cảm ơn chị Mai đã ủng hộ!" in html
    assert 'alt="Ảnh của người mua"' in html
    assert "0912" not in html  # the buyer's phone is never shown


def test_the_product_card_in_lists_and_search_shows_the_rating(client, reviewed):
    for url in ("/shop/catalogue/", "/search/?q=vai+thieu"):
        html = Client().get(url).content.decode()
        card = html.split("Vải thiều Lục Ngạn</a>")[1].split("</article>")[0]
        assert "4,5" in card and "(2 đánh giá)" in card, url


def test_the_stall_page_shows_the_stall_average_and_latest_reviews(reviewed):
    page = stall_page_publish(stall=reviewed.stall)

    html = Client().get(page.get_url()).content.decode()

    assert "4,0" in html and "(2 đánh giá)" in html  # the stall's stars: 5 and 3
    assert "Vải ngọt lịm, giao nhanh." in html and "Cảm ơn chị Mai đã ủng hộ!" in html


def test_the_product_page_query_count_is_bounded(client, reviewed, django_assert_max_num_queries):
    url = reviewed.product.get_absolute_url()
    client.cookies["sessionid"] = "x"  # not served from the page cache
    client.get(url)

    with django_assert_max_num_queries(20):
        response = client.get(url)

    assert "Quả hơi nhỏ" in response.content.decode()


@pytest.mark.urls("tests.feedback.urls")
def test_oscar_review_urls_send_to_the_product_page_with_a_plain_word(client, reviewed):
    product = reviewed.product
    base = f"/shop/catalogue/{product.slug}_{product.pk}/reviews/"

    for url in (base, f"{base}add/", f"{base}1/"):
        response = client.get(url, follow=True)
        assert response.redirect_chain[0][0] == product.get_absolute_url()
        assert "hãy mở đơn hàng của bạn để đánh giá" in response.content.decode()


def test_the_stall_page_query_count_is_bounded(client, reviewed, django_assert_max_num_queries):
    url = stall_page_publish(stall=reviewed.stall).get_url()
    client.get(url)

    with django_assert_max_num_queries(16):  # the stall page's 14, plus the reviews and their photos
        response = client.get(url)

    assert "Quả hơi nhỏ" in response.content.decode()
