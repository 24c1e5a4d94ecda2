"""The demo has one complaint in each state (issue #17's "Done when")."""

import pytest

from marketplace.complaints.demo import seed_demo
from marketplace.complaints.models import Complaint
from marketplace.demo_orders import buy

pytestmark = pytest.mark.django_db


def test_the_demo_makes_one_complaint_in_each_state(farm):
    payments = [buy([(farm.product, 1)], phone=f"0912 345 67{i}")[0] for i in range(3)]

    assert seed_demo(payments, staff=farm.staff) == 6

    assert sorted(Complaint.objects.values_list("state", flat=True)) == sorted(Complaint.State.values)
    refunded = Complaint.objects.get(state="refunded")
    assert refunded.steps.get(action="refunded").refund.status == "awaiting_buyer"
