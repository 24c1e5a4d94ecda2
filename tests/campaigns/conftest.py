import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from oscar.core.loading import get_model
from wagtail.rich_text import RichText

from marketplace.campaigns.models import CampaignPage
from seasons.models import SaleWindow
from tests.factories import CommuneFactory, StallFactory, make_product, make_window

Voucher = get_model("voucher", "Voucher")


@pytest.fixture
def lucngan(make_storefront):
    """A commune site (Lục Ngạn) with two verified stalls in two villages, a draft stall, and a commune
    next door (Phúc Hòa) with its own stall and pre-order: what the campaign page must never show."""
    here = CommuneFactory(name="Xã Lục Ngạn", latitude=Decimal("21.37720"), longitude=Decimal("106.60530"))
    elsewhere = CommuneFactory(
        name="Xã Phúc Hòa", latitude=Decimal("21.45300"), longitude=Decimal("106.32300")
    )
    home = make_storefront(title="Chợ OCOP xã Lục Ngạn", communes=[here])
    coop = StallFactory(commune=here, village="Thôn Kép 1", partner__name="HTX Lục Ngạn Xanh")
    garden = StallFactory(commune=here, village="Thôn Chũ", partner__name="Vườn vải ông Thành")
    draft = StallFactory(commune=here, status="draft", partner__name="Gian hàng nháp")
    foreign = StallFactory(commune=elsewhere, partner__name="Vườn Phúc Hòa")
    lychee = make_product(stall=coop, title="Vải thiều Lục Ngạn", stock=0, unit="kg")
    honey = make_product(stall=garden, title="Mật ong hoa vải", price=180000)
    foreign_lychee = make_product(stall=foreign, title="Vải sớm Phúc Hòa", stock=0, unit="kg")
    return {
        "home": home,
        "here": here,
        "elsewhere": elsewhere,
        "coop": coop,
        "garden": garden,
        "draft": draft,
        "foreign": foreign,
        "lychee": lychee,
        "honey": honey,
        "foreign_lychee": foreign_lychee,
        "window": make_window(stall=coop, product=lychee, capacity=2000, price=60000, reserved=120),
        "foreign_window": make_window(stall=foreign, product=foreign_lychee),
        "closed_window": make_window(stall=garden, product=honey, state=SaleWindow.State.CLOSED),
    }


@pytest.fixture
def voucher(db):
    now = timezone.now()
    return Voucher.objects.create(
        name="Mùa vải",
        code="VAI2027",
        start_datetime=now - datetime.timedelta(days=1),
        end_datetime=now + datetime.timedelta(days=60),
    )


def campaign(home, body, *, title="Mùa vải thiều Lục Ngạn 2027", slug="mua-vai-2027") -> CampaignPage:
    today = timezone.localdate()
    page = CampaignPage(
        title=title,
        slug=slug,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=180),
        intro="Vải thiều chín cây, đặt trước từ hôm nay.",
        body=body,
    )
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


def text(html: str):
    return ("text", RichText(html))
