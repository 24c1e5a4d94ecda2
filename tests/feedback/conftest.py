"""A delivered order of a lychee farm, and a client holding its texted link (the buyer)."""

import io
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from marketplace.demo_orders import buy
from marketplace.payments.buyers import order_link
from tests.factories import CommuneFactory, make_product, seller_with_stall


def jpeg(size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 60)).save(buffer, "JPEG")
    return buffer.getvalue()


def photo(name="vai.jpg", padding: int = 0) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg() + b"\0" * padding, content_type="image/jpeg")


def open_link(client, payment):
    """The buyer opens the link texted on delivery: this browser may now act on the order."""
    client.get(urlsplit(order_link(payment.checkout)).path)
    return client


def review_url(line) -> str:
    return f"/danh-gia/dong/{line.pk}/"


@pytest.fixture
def farm(db):
    commune = CommuneFactory()
    seller, stall = seller_with_stall(commune=commune, partner__name="Vườn vải ông Thành")
    lychee = make_product(stall=stall, title="Vải thiều Lục Ngạn", price=65000)
    return SimpleNamespace(commune=commune, seller=seller, stall=stall, product=lychee)


@pytest.fixture
def delivered(farm):
    (payment,) = buy([(farm.product, 2)], name="Trần Thị Mai", phone="0912 345 678")
    return SimpleNamespace(**vars(farm), payment=payment, line=payment.order.lines.get())


@pytest.fixture
def buyer(client, delivered):
    return open_link(client, delivered.payment)
