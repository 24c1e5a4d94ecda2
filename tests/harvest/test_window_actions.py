"""Closing, picking and cancelling a window, as the stall and the buyers notice them: the state, the one
text per buyer, the money back (a card through stripe-mock, a transfer owed by the stall until it
shows the receipt), never twice."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from oscar.core.loading import get_model
from PIL import Image

from ground import order_status
from marketplace.harvest import services, tasks
from marketplace.harvest.models import WindowRefund
from marketplace.payments.models import OrderPayment, Refund
from seasons.models import PreOrder, SaleWindow
from sellers.models import StallAuditEntry
from tests.factories import burst, make_product, make_window, seller_with_stall
from tests.harvest.conftest import preorder

pytestmark = pytest.mark.django_db
Line = get_model("order", "Line")


def photo() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, "JPEG")
    return SimpleUploadedFile("bien-lai.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_the_stall_closes_early_and_close_due_closes_windows_past_their_date(client, lychee):
    owner, stall, window = lychee
    today = timezone.localdate()
    past = make_window(
        stall=stall,
        product=window.product,
        opens_on=today - timedelta(days=9),
        closes_on=today - timedelta(days=1),
    )
    ends_today = make_window(stall=stall, product=window.product, closes_on=today)
    client.force_login(owner)

    response = client.post(f"/ban-hang/gian-hang/{stall.pk}/mua-vu/{window.pk}/dong/", follow=True)
    assert "Đã đóng đặt trước. Người mua không đặt thêm được nữa." in response.content.decode()
    assert "Bạn đã đóng đặt trước" in response.content.decode()
    again = client.post(f"/ban-hang/gian-hang/{stall.pk}/mua-vu/{window.pk}/dong/", follow=True)
    assert "Đợt này không còn nhận đặt trước." in again.content.decode()

    assert services.close_due() == 1
    assert services.close_due() == 0
    states = dict(SaleWindow.objects.values_list("pk", "closed_because"))
    assert states == {window.pk: "stall", past.pk: "date", ends_today.pk: ""}
    assert list(SaleWindow.objects.open_on()) == [ends_today]
    assert [entry.action for entry in StallAuditEntry.objects.filter(stall=stall)] == ["window_close"]


def test_the_command_and_the_daily_queue_close_windows_past_their_date(lychee, settings, capsys):
    _owner, stall, window = lychee
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "harvest"}
    }
    SaleWindow.objects.filter(pk=window.pk).update(closes_on=timezone.localdate() - timedelta(days=1))

    call_command("close_sale_windows")
    assert "1 sale window(s) closed." in capsys.readouterr().out
    SaleWindow.objects.filter(pk=window.pk).update(state="open")
    assert tasks.close_due_soon() is True  # the test backend runs the task at once
    assert tasks.close_due_soon() is False  # once a day
    window.refresh_from_db()
    assert (window.state, window.closed_because) == ("closed", "date")


def test_picking_texts_each_buyer_once_with_the_delivery_dates_and_what_is_left_to_pay(
    client, lychee, outbox, committed
):
    owner, stall, window = lychee
    stall.delivery_fee = 0
    stall.save(update_fields=["delivery_fee"])
    SaleWindow.objects.filter(pk=window.pk).update(
        harvest_from=timezone.localdate() + timedelta(days=5),
        harvest_to=timezone.localdate() + timedelta(days=50),
    )
    window.refresh_from_db()
    with committed():
        preorder(
            window,
            7,
            name="Nguyễn Thị Hoa",
            phone="0912 111 222",
            method="vietqr",
            deposit=84000,
            deposit_paid=True,
        )
        preorder(window, 2, name="Nguyễn Thị Hoa", phone="0912 111 222", commune="Xã Kép")  # her second order
        preorder(
            window, 3, name="Phạm Thị Lan", phone="0987 654 321", pickup=True, method="vietqr", paid=True
        )
    outbox.clear()
    client.force_login(owner)
    url = f"/ban-hang/gian-hang/{stall.pk}/mua-vu/{window.pk}/soan-hang/"

    with committed():
        response = client.post(url, follow=True)
    with committed():
        client.post(url)

    assert response.redirect_chain[-1][0].endswith("/danh-sach-soan-hang/")
    texts = {message.phone: message.text for message in outbox}
    assert len(outbox) == 2 and set(texts) == {"+84912111222", "+84987654321"}
    dates = f"{window.harvest_from:%d/%m}–{window.harvest_to:%d/%m}"
    assert texts["+84912111222"] == (
        f"Chợ OCOP: Vải thiều bạn đặt trước ở Vườn vải Hùng Lan sắp thu hoạch, dự kiến giao {dates}. "
        "Khi nhận hàng trả thêm 456.000 ₫."  # 420.000 + 120.000 − the 84.000 deposit
    )
    assert texts["+84987654321"].endswith("Bạn đã trả đủ tiền.")
    window.refresh_from_db()
    assert window.state == "picking" and window.picking_at is not None
    assert not SaleWindow.objects.open_on().filter(pk=window.pk).exists()
    assert StallAuditEntry.objects.filter(stall=stall, action="window_picking").count() == 1


def test_picking_needs_pre_orders(client, lychee):
    owner, stall, window = lychee
    client.force_login(owner)

    response = client.post(f"/ban-hang/gian-hang/{stall.pk}/mua-vu/{window.pk}/soan-hang/", follow=True)

    assert "Chưa có ai đặt trước: chưa có gì để soạn hàng." in response.content.decode()
    window.refresh_from_db()
    assert window.state == "open"


@pytest.fixture
def cancelled_season(lychee, stripe_mock):
    """A card deposit, a transfer paid in full, cash on delivery not paid, and a mixed order (a jar of
    honey bought with the lychee)."""
    owner, stall, window = lychee
    stall.delivery_fee = 0
    stall.save(update_fields=["delivery_fee"])
    card = preorder(
        window,
        10,
        name="Nguyễn Thị Hoa",
        phone="0912 111 222",
        method="card",
        deposit=120000,
        deposit_paid=True,
    )
    transfer = preorder(window, 3, name="Phạm Thị Lan", phone="0987 654 321", method="vietqr", paid=True)
    cash = preorder(window, 5, name="Trần Văn Bình", phone="0912 333 444", commune="Xã Kép")
    return owner, stall, window, card, transfer, cash


def test_cancelling_cancels_the_orders_and_gives_every_payment_back(
    client, cancelled_season, outbox, committed
):
    owner, stall, window, card, transfer, cash = cancelled_season
    outbox.clear()
    client.force_login(owner)
    url = f"/ban-hang/gian-hang/{stall.pk}/mua-vu/{window.pk}/"

    refused = client.post(url + "huy/", {"reason": " "}, follow=True)
    assert "Hãy ghi lý do huỷ đợt đặt trước: người mua sẽ đọc được." in refused.content.decode()
    with committed():
        response = client.post(url + "huy/", {"reason": "Mưa đá làm rụng hết quả"}, follow=True)

    page = response.content.decode()
    assert "Đã huỷ đợt đặt trước. Người mua đã được báo và được trả lại tiền." in page
    window.refresh_from_db()
    assert (window.state, window.cancel_reason) == ("cancelled", "Mưa đá làm rụng hết quả")
    assert not PreOrder.objects.filter(window=window, cancelled_at__isnull=True).exists()
    statuses = set(
        Line.objects.filter(order__in=[card.order, transfer.order, cash.order]).values_list(
            "status", flat=True
        )
    )
    assert statuses == {order_status.CANCELLED}
    # the card deposit went back through Stripe; the transfer is owed by the stall; cash was never paid
    owed = {row.payment_id: row for row in WindowRefund.objects.filter(window=window)}
    assert set(owed) == {card.pk, transfer.pk}
    assert (owed[card.pk].status, owed[card.pk].amount, owed[card.pk].refund.status) == (
        "done",
        120000,
        "succeeded",
    )
    assert (owed[transfer.pk].status, owed[transfer.pk].amount, owed[transfer.pk].refund) == (
        "owed",
        180000,
        None,
    )
    card.refresh_from_db()
    assert (card.status, card.refunded) == (OrderPayment.Status.REFUNDED, 120000)
    assert "Tôi đã trả lại tiền" in page and "180.000 ₫" in page
    cancel_texts = [m for m in outbox if "đã huỷ đợt đặt trước Vải thiều: Mưa đá làm rụng hết quả" in m.text]
    assert sorted(m.phone for m in cancel_texts) == ["+84912111222", "+84912333444", "+84987654321"]

    # the stall gives the transfer back and shows the receipt: recorded once, for the buyer to confirm
    refund_url = url + f"hoan-tien/{owed[transfer.pk].pk}/"
    done = client.post(refund_url, {"method": "transfer", "proof": photo()}, follow=True)
    assert "Đã ghi lại việc hoàn tiền." in done.content.decode()
    twice = client.post(refund_url, {"method": "transfer", "proof": photo()}, follow=True)
    assert "Khoản hoàn tiền này đã được ghi rồi." in twice.content.decode()
    (recorded,) = Refund.objects.filter(payment=transfer)
    assert (recorded.amount, recorded.status, recorded.method) == (180000, "awaiting_buyer", "transfer")
    assert client.post(url + "huy/", {"reason": "lần nữa"}, follow=True).status_code == 200
    assert Refund.objects.count() == 2
    actions = list(StallAuditEntry.objects.filter(stall=stall).values_list("action", flat=True))
    assert actions.count("window_cancel") == 1 and actions.count("window_refund_recorded") == 1


def test_a_mixed_order_keeps_its_other_lines_and_gets_back_only_the_windows_part(lychee):
    owner, stall, window = lychee
    honey = make_product(stall=stall, title="Mật ong hoa vải", price=150000, stock=10)
    payment = preorder(
        window, 4, name="Lê Văn Nam", phone="0912 000 111", commune="Xã Kép", method="vietqr", paid=True
    )
    # the honey line joins the order as if bought with it; only the lychee line is a pre-order
    lychee_line = payment.order.lines.get()
    honey_line = Line.objects.get(pk=lychee_line.pk)
    honey_line.pk, honey_line.product, honey_line.title = None, honey, honey.title
    honey_line.save()

    services.window_cancel(window=window, actor=owner, reason="Sâu bệnh")

    lychee_line.refresh_from_db()
    honey_line.refresh_from_db()
    assert lychee_line.status != order_status.CANCELLED and honey_line.status != order_status.CANCELLED
    (row,) = WindowRefund.objects.filter(window=window)
    assert (row.amount, row.status) == (240000, "owed")  # the 4 kg, not the delivery fee nor the honey
    assert PreOrder.objects.get(line=lychee_line).cancelled_at is not None


@pytest.mark.django_db(transaction=True)
def test_two_cancels_at_once_give_each_payment_back_once(stripe_mock):
    owner, stall = seller_with_stall(
        bank_bin="970405", bank_account_number="1234567890", bank_account_name="HUNG"
    )
    product = make_product(stall=stall, price=60000, stock=1000, title="Vải thiều", unit="kg")
    window = make_window(stall=stall, product=product, capacity=500, deposit_percent=20)
    card = preorder(
        window, 10, name="Hoa", phone="0912 111 222", method="card", deposit=120000, deposit_paid=True
    )
    preorder(window, 3, name="Lan", phone="0987 654 321", method="vietqr", paid=True)

    def cancel(i):
        try:
            return services.window_cancel(window=window, actor=owner, reason=f"Mưa đá {i}")
        except services.WindowProblem:
            return None

    assert len([result for result in burst(cancel, 2) if result is not None]) == 1
    assert WindowRefund.objects.filter(window=window).count() == 2
    assert Refund.objects.filter(payment=card).count() == 1
    card.refresh_from_db()
    assert card.refunded == 120000


def test_a_card_refund_stripe_refuses_is_shown_on_the_window_and_can_be_tried_again(
    client, cancelled_season, settings
):
    owner, stall, window, card, _transfer, _cash = cancelled_season
    client.force_login(owner)
    url = f"/ban-hang/gian-hang/{stall.pk}/mua-vu/{window.pk}/"
    stripe_up = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens: Stripe cannot be reached

    page = client.post(url + "huy/", {"reason": "Mưa đá"}, follow=True).content.decode()

    window.refresh_from_db()
    assert window.state == "cancelled"  # the database part is done whatever Stripe says
    row = WindowRefund.objects.get(window=window, payment=card)
    assert row.status == "failed" and row.error
    assert "Hoàn tiền vào thẻ không thành công. Đơn đó chưa được hoàn đồng nào; hãy thử lại." in page
    card.refresh_from_db()
    assert card.refunded == 0

    settings.STRIPE_API_BASE = stripe_up
    client.post(url + "hoan-tien-the/")
    row.refresh_from_db()
    card.refresh_from_db()
    assert (row.status, card.refunded) == ("done", 120000)
    assert Refund.objects.filter(payment=card, status="succeeded").count() == 1
