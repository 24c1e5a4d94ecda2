"""Reviews come only from the buyer of a delivered line, once, with stars, bounded words and up to
three clean photos; the averages follow."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import Client

from marketplace.demo_orders import buy
from marketplace.feedback.models import Review
from marketplace.feedback.services import annotate, review_create
from marketplace.payments.buyers import remember_checkout
from marketplace.payments.services import checkout_payments
from tests.factories import burst, make_product
from tests.feedback.conftest import open_link, photo, review_url

pytestmark = pytest.mark.django_db


def test_the_buyer_reviews_a_delivered_line_with_a_photo(buyer, delivered):
    # when
    response = buyer.post(
        review_url(delivered.line),
        {
            "stars": "5",
            "stall_stars": "4",
            "text": "Vải ngọt, quả to, đóng gói cẩn thận.",
            "photos": [photo()],
        },
    )

    # then
    assert response.status_code == 302
    review = Review.objects.get()
    assert (review.stars, review.stall_stars, review.author_display) == (5, 4, "Mai")
    stored = review.photos.get().image.name
    assert stored.startswith("reviews/") and stored.endswith(".jpg") and "vai" not in stored
    delivered.product.refresh_from_db()
    delivered.stall.refresh_from_db()
    assert (delivered.product.rating, delivered.product.rating_count) == (5.0, 1)
    assert (delivered.stall.rating, delivered.stall.rating_count) == (4.0, 1)


@pytest.mark.parametrize("until", ["confirm", "ship"])
def test_no_review_before_delivery(client, farm, until):
    (payment,) = buy([(farm.product, 1)], until=until)
    open_link(client, payment)

    response = client.post(review_url(payment.order.lines.get()), {"stars": "5", "stall_stars": "5"})

    assert response.status_code == 404
    assert not Review.objects.exists()


def test_another_buyer_and_a_guest_without_the_link_get_404(client, delivered, farm):
    (theirs,) = buy([(farm.product, 1)], name="Lê Văn Nam", phone="0987 654 321")
    open_link(client, theirs)  # holds their own order, not Mai's

    for someone in (client, Client()):
        response = someone.post(review_url(delivered.line), {"stars": "1", "stall_stars": "1"})
        assert response.status_code == 404
        assert someone.get(review_url(delivered.line)).status_code == 404
    assert client.get(review_url(delivered.line).replace(str(delivered.line.pk), "999999")).status_code == 404
    assert not Review.objects.exists()


def test_a_second_review_of_the_same_line_is_refused(buyer, delivered):
    buyer.post(review_url(delivered.line), {"stars": "5", "stall_stars": "5"})

    response = buyer.post(
        review_url(delivered.line),
        {"stars": "1", "stall_stars": "1", "next": delivered.product.get_absolute_url()},
        follow=True,
    )

    assert "Bạn đã đánh giá sản phẩm này rồi" in response.content.decode()
    assert Review.objects.get().stars == 5


@pytest.mark.django_db(transaction=True)
def test_a_double_submit_burst_makes_one_review(farm):
    (payment,) = buy([(farm.product, 1)])
    line = payment.order.lines.get()

    def submit(i):
        try:
            review_create(line=line, stars=i % 5 + 1, stall_stars=5)
            return "made"
        except Exception as error:  # the loser is refused
            return type(error).__name__
        finally:
            connection.close()

    results = burst(submit, 4)

    assert results.count("made") == 1 and results.count("ReviewRefused") == 3
    farm.product.refresh_from_db()
    assert farm.product.rating_count == 1


def test_an_empty_rating_is_a_clear_error_and_the_words_stay(buyer, delivered):
    response = buyer.post(review_url(delivered.line), {"stall_stars": "4", "text": "Quả hơi nhỏ"})

    html = response.content.decode()
    assert response.status_code == 400
    assert "Hãy chạm vào một ngôi sao" in html
    assert "Quả hơi nhỏ" in html and 'value="4" checked' in html
    assert not Review.objects.exists()


def test_a_30_mb_photo_gets_the_clear_message(buyer, delivered):
    huge = photo(padding=30 * 1024 * 1024)

    response = buyer.post(review_url(delivered.line), {"stars": "5", "stall_stars": "5", "photos": [huge]})

    assert "Ảnh quá lớn (30 MB)" in response.content.decode()
    assert not Review.objects.exists()


def test_four_photos_are_refused(buyer, delivered):
    photos = [photo(f"{n}.jpg") for n in range(4)]

    response = buyer.post(review_url(delivered.line), {"stars": "5", "stall_stars": "5", "photos": photos})

    assert "Tối đa 3 ảnh" in response.content.decode()
    assert not Review.objects.exists()


def test_over_long_words_are_refused(buyer, delivered):
    response = buyer.post(
        review_url(delivered.line), {"stars": "5", "stall_stars": "5", "text": "ngọt " * 300}
    )

    assert response.status_code == 400
    assert not Review.objects.exists()


def test_out_of_range_stars_are_an_empty_rating(buyer, delivered):
    response = buyer.post(review_url(delivered.line), {"stars": "6", "stall_stars": "0"})

    assert response.status_code == 400
    assert not Review.objects.exists()


def test_the_order_page_offers_the_review_and_satisfaction(buyer, delivered):
    page = buyer.get(f"/khach/don-hang/{delivered.payment.checkout.reference}/")

    html = page.content.decode()
    assert review_url(delivered.line) in html
    assert "Rất hài lòng" in html and "Chưa hài lòng" in html

    buyer.post(review_url(delivered.line), {"stars": "4", "stall_stars": "4"})
    html = buyer.get(f"/khach/don-hang/{delivered.payment.checkout.reference}/").content.decode()
    assert review_url(delivered.line) not in html
    assert "Cảm ơn bạn đã đánh giá" in html


def test_the_order_page_actions_cost_the_same_queries_for_many_lines(rf, farm, django_assert_max_num_queries):
    products = [make_product(stall=farm.stall, title=f"Bưởi {n}") for n in range(5)]
    (payment,) = buy([(product, 1) for product in products])
    request = rf.get("/")
    request.session, request.user = SessionStore(), AnonymousUser()
    remember_checkout(request, payment.checkout.reference)
    payments = checkout_payments(payment.checkout)

    with django_assert_max_num_queries(2):
        annotate(payments, request)

    assert len(payments[0].feedback["lines"]) == 5


def test_the_way_back_never_leaves_the_site(buyer, delivered):
    response = buyer.post(
        review_url(delivered.line), {"stars": "5", "stall_stars": "5", "next": "https://evil.example/"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/khach/don-hang/{delivered.payment.checkout.reference}/"
