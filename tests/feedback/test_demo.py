"""The demo's delivered orders get reviews (varied stars, one answered, one with a photo) and answers."""

import pytest

from marketplace.demo_orders import buy
from marketplace.feedback.demo import seed_demo
from marketplace.feedback.models import Review, ReviewPhoto, Satisfaction
from tests.factories import make_product

pytestmark = pytest.mark.django_db


def test_seed_demo_reviews_the_delivered_orders_it_is_given(farm):
    pomelo = make_product(stall=farm.stall, title="Bưởi Phúc Hòa")
    payments = [
        *buy([(farm.product, 1), (pomelo, 1)]),
        *buy([(pomelo, 2)], phone="0987 654 321"),
        *buy([(farm.product, 1)], until="ship"),
    ]

    assert seed_demo(payments) == 3
    assert seed_demo(payments) == 0  # again: nothing twice

    assert len({review.stars for review in Review.objects.all()}) > 1
    assert Review.objects.exclude(answer="").count() == 1
    assert ReviewPhoto.objects.count() == 1
    assert Satisfaction.objects.count() == 2
    farm.product.refresh_from_db()
    assert farm.product.rating_count == 1
