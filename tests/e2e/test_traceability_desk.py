"""The cooperative's traceability desk on a phone: accessible, and a lot's stamps can be ordered."""

import pytest

from marketplace import demo_data
from marketplace.demo import demo_seed
from sellers.models import Stall
from tests.e2e.conftest import PHONE, assert_accessible
from traceability.models import HarvestLot, StampRun

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_manager_orders_stamps_from_the_desk(browser, live_server):
    demo_seed(with_images=False)
    coop = Stall.objects.get(slug="htx-luc-ngan-xanh")
    manager = demo_data.COOPERATIVE_MANAGER_USER
    lot = HarvestLot.objects.get(code="LN2026-10C")

    page = browser.new_context(locale="vi-VN", **PHONE).new_page()
    page.goto(f"{live_server.url}/shop/accounts/login/")
    page.locator("#id_login-username").fill(manager["email"])
    page.locator("#id_login-password").fill(manager["password"])
    page.locator("button[name=login_submit]").click()

    page.goto(f"{live_server.url}/ban-hang/gian-hang/{coop.pk}/truy-xuat/")
    assert_accessible(page, "traceability desk")
    page.get_by_role("link", name="LN2026-10C").click()
    assert_accessible(page, "lot page")
    page.get_by_label("Số lượng tem").fill("24")
    page.get_by_role("button", name="Đặt in tem").click()

    assert "Đã đặt 24 tem" in page.content()
    run = StampRun.objects.get(lot=lot)
    assert run.status == StampRun.Status.READY and run.stamps.count() == 24
    assert page.get_by_role("link", name="Tải PDF").count() == 1
