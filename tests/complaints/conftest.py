"""A delivered order of a lychee farm (cash on delivery, or by card through stripe-mock), a client
holding its texted link (the buyer), and photos."""

import io
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from marketplace.demo_orders import buy
from marketplace.payments.buyers import order_link
from sellers import roles
from tests.factories import CommuneFactory, commune_member, make_product, seller_with_stall

BUYER_PHONE = "+84912345678"


def photo(name="vai-dap.jpg", padding: int = 0) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 60)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue() + b"\0" * padding, content_type="image/jpeg")


def open_link(client, payment):
    """The buyer opens the link texted on delivery: this browser may now act on the order."""
    client.get(urlsplit(order_link(payment.checkout)).path)
    return client


def complain(client, payment, **changes):
    """The buyer sends a complaint on every delivered line of the order."""
    data = {
        "lines": [line.pk for line in payment.order.lines.all()],
        "reason": "damaged",
        "words": "Vải bị dập, chảy nước",
        **changes,
    }
    return client.post(f"/khieu-nai/don/{payment.order.number}/", data)


@pytest.fixture
def farm(db):
    commune = CommuneFactory()
    seller, stall = seller_with_stall(
        commune=commune, partner__name="Vườn vải ông Thành", phone="+84987654321"
    )
    lychee = make_product(stall=stall, title="Vải thiều Lục Ngạn", price=50000)
    staff = commune_member(commune=commune, role=roles.COMMUNE_STAFF)
    return SimpleNamespace(commune=commune, seller=seller, stall=stall, product=lychee, staff=staff)


@pytest.fixture
def cod(farm):
    (payment,) = buy([(farm.product, 2)], name="Trần Thị Mai", phone="0912 345 678")
    return payment


@pytest.fixture
def card_paid(farm, stripe_mock):
    (payment,) = buy([(farm.product, 2)], name="Trần Thị Mai", phone="0912 345 678", method="card")
    return payment


@pytest.fixture
def buyer(client, cod):
    return open_link(client, cod)
