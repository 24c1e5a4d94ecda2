"""One tap on the delivered order's page, changeable, one answer per order; counted per stall and per
commune for the dashboards."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from marketplace.demo_orders import buy
from marketplace.feedback.models import Satisfaction
from marketplace.feedback.services import satisfaction_counts, satisfaction_set
from tests.factories import CommuneFactory, make_product, seller_with_stall
from tests.feedback.conftest import open_link

pytestmark = pytest.mark.django_db


def tap_url(payment) -> str:
    return f"/danh-gia/don/{payment.order.number}/hai-long/"


def test_one_tap_and_a_change_of_mind_keep_one_answer(buyer, delivered):
    buyer.post(tap_url(delivered.payment), {"answer": "unsatisfied"})
    buyer.post(tap_url(delivered.payment), {"answer": "very_satisfied"})

    assert list(Satisfaction.objects.values_list("payment_id", "answer")) == [
        (delivered.payment.pk, "very_satisfied")
    ]


def test_only_the_buyer_of_a_delivered_order_can_answer(client, farm, delivered):
    (shipped,) = buy([(farm.product, 1)], until="ship")
    open_link(client, shipped)

    assert client.post(tap_url(shipped), {"answer": "satisfied"}).status_code == 404
    assert client.post(tap_url(delivered.payment), {"answer": "satisfied"}).status_code == 404  # not theirs
    assert Client().post(tap_url(delivered.payment), {"answer": "satisfied"}).status_code == 404
    assert client.get(tap_url(shipped)).status_code == 405
    assert not Satisfaction.objects.exists()


def test_an_unknown_answer_changes_nothing(buyer, delivered):
    buyer.post(tap_url(delivered.payment), {"answer": "satisfied"})
    buyer.post(tap_url(delivered.payment), {"answer": "x" * 5000})

    assert Satisfaction.objects.get().answer == "satisfied"


def test_counted_per_stall_and_per_commune(farm):
    other_commune = CommuneFactory()
    _seller, bakery = seller_with_stall(commune=other_commune)
    bread = make_product(stall=bakery, title="Bánh chưng")
    answers = [(farm.product, "very_satisfied"), (farm.product, "unsatisfied"), (bread, "satisfied")]
    for product, answer in answers:
        (payment,) = buy([(product, 1)])
        satisfaction_set(payment=payment, answer=answer)

    counts = satisfaction_counts()
    assert counts["total"] == {"very_satisfied": 1, "satisfied": 1, "unsatisfied": 1}
    assert counts["stalls"][farm.stall.pk] == {"very_satisfied": 1, "satisfied": 0, "unsatisfied": 1}
    assert counts["communes"][other_commune.pk] == {"very_satisfied": 0, "satisfied": 1, "unsatisfied": 0}
    only_farm = satisfaction_counts(stalls=[farm.stall.pk])
    assert list(only_farm["stalls"]) == [farm.stall.pk] and sum(only_farm["total"].values()) == 2
    assert sum(satisfaction_counts(communes=[other_commune])["total"].values()) == 1
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    assert sum(satisfaction_counts(since=tomorrow)["total"].values()) == 0
    assert sum(satisfaction_counts(until=tomorrow)["total"].values()) == 3
