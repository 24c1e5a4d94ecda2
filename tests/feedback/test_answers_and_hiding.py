"""The stall answers each of its reviews once; commune staff of the stall's commune hide one with a
reason (logged, the author told by text, the averages without it); nobody else can."""

import pytest
from django.test import Client

from ground.images import clean_photo
from marketplace.demo_orders import buy
from marketplace.feedback.models import Review
from marketplace.feedback.services import review_create
from sellers.models import StallAuditEntry
from tests.factories import CommuneFactory, commune_member, make_product, seller_with_stall

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(delivered):
    return review_create(line=delivered.line, stars=1, stall_stars=2, text="Vải bị dập nhiều")


def answer_url(review) -> str:
    return f"/ban-hang/gian-hang/{review.stall_id}/danh-gia/{review.pk}/tra-loi/"


def hide_url(review) -> str:
    return f"/ban-hang/xa/danh-gia/{review.pk}/an/"


def test_the_stall_answers_once_and_the_answer_shows_under_the_review(client, review, delivered):
    client.force_login(delivered.seller)

    client.post(answer_url(review), {"answer": "Xin lỗi chị, lần sau em đóng kỹ hơn."})
    second = client.post(answer_url(review), {"answer": "Trả lời lần hai"}, follow=True)

    review.refresh_from_db()
    assert review.answer == "Xin lỗi chị, lần sau em đóng kỹ hơn."
    assert "Đánh giá này đã có câu trả lời của bạn" in second.content.decode()
    page = Client().get(delivered.product.get_absolute_url()).content.decode()
    assert "Vải bị dập nhiều" in page and "Xin lỗi chị, lần sau em đóng kỹ hơn." in page


def test_another_stall_cannot_answer(client, review, delivered):
    other_seller, other_stall = seller_with_stall(commune=delivered.commune)
    client.force_login(other_seller)

    through_own = client.post(
        f"/ban-hang/gian-hang/{other_stall.pk}/danh-gia/{review.pk}/tra-loi/", {"answer": "Chen ngang"}
    )
    through_theirs = client.post(answer_url(review), {"answer": "Chen ngang"})
    listing = client.get(f"/ban-hang/gian-hang/{delivered.stall.pk}/danh-gia/")

    assert (through_own.status_code, through_theirs.status_code, listing.status_code) == (404, 404, 404)
    review.refresh_from_db()
    assert review.answer == ""


def test_staff_of_another_commune_cannot_hide(client, review):
    elsewhere = commune_member(commune=CommuneFactory(), role="commune_staff")
    client.force_login(elsewhere)

    response = client.post(hide_url(review), {"reason": "Không phù hợp"})

    assert response.status_code == 404
    assert "Vải bị dập nhiều" not in client.get("/ban-hang/xa/danh-gia/").content.decode()
    review.refresh_from_db()
    assert review.hidden_at is None


def test_commune_staff_hide_a_review_the_author_is_told_and_the_average_drops_it(
    client, review, delivered, outbox, committed
):
    staff = commune_member(commune=delivered.commune, role="commune_staff")
    client.force_login(staff)
    assert "Vải bị dập nhiều" in client.get("/ban-hang/xa/danh-gia/").content.decode()

    with committed():
        client.post(hide_url(review), {"reason": "Lời lẽ xúc phạm"})

    review.refresh_from_db()
    assert review.hidden_by == staff and review.hidden_reason == "Lời lẽ xúc phạm"
    (text,) = [message for message in outbox if message.phone == "+84912345678"]
    assert "Lời lẽ xúc phạm" in text.text and "Vải thiều Lục Ngạn" in text.text
    assert StallAuditEntry.objects.filter(stall=delivered.stall, action="review_hidden", actor=staff).exists()
    delivered.product.refresh_from_db()
    delivered.stall.refresh_from_db()
    assert (delivered.product.rating, delivered.product.rating_count) == (None, 0)
    assert (delivered.stall.rating, delivered.stall.rating_count) == (None, 0)
    assert "Vải bị dập nhiều" not in Client().get(delivered.product.get_absolute_url()).content.decode()


def test_a_hide_without_a_reason_is_refused(client, review, delivered):
    client.force_login(commune_member(commune=delivered.commune, role="commune_staff"))

    client.post(hide_url(review), {"reason": ""})

    review.refresh_from_db()
    assert review.hidden_at is None


def test_the_stall_review_list_query_count_is_bounded(client, delivered, django_assert_max_num_queries):
    for n in range(6):
        product = make_product(stall=delivered.stall, title=f"Bưởi {n}")
        (payment,) = buy([(product, 1)], phone=f"0912 000 00{n}")
        review_create(line=payment.order.lines.get(), stars=n % 5 + 1, stall_stars=5, text=f"Lần {n}")
    client.force_login(delivered.seller)
    url = f"/ban-hang/gian-hang/{delivered.stall.pk}/danh-gia/"
    client.get(url)

    with django_assert_max_num_queries(12):
        response = client.get(url)

    assert response.content.decode().count('class="review"') == 6
    assert Review.objects.count() == 6


def test_a_hidden_reviews_photos_are_deleted_with_their_thumbnails(client, delivered, committed):
    from django.core.files.storage import default_storage
    from sorl.thumbnail import get_thumbnail

    from tests.feedback.conftest import photo as upload

    (payment,) = buy([(delivered.product, 1)], phone="0912 000 777")
    photo = clean_photo(upload())
    review = review_create(line=payment.order.lines.get(), stars=1, stall_stars=1, photos=[photo])
    image = review.photos.get().image
    thumbnail = get_thumbnail(image, "240x180", crop="center")
    assert default_storage.exists(image.name) and default_storage.exists(thumbnail.name)
    client.force_login(commune_member(commune=delivered.commune, role="commune_staff"))

    with committed():
        client.post(hide_url(review), {"reason": "Ảnh không phù hợp"})

    assert not default_storage.exists(image.name) and not default_storage.exists(thumbnail.name)
    assert not review.photos.exists()
