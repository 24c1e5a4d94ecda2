"""Demo complaints: one in each state, on delivered demo orders (cash on delivery or VietQR), made
through the same steps a buyer, a stall and commune staff take."""

import io

from django.core.files.base import ContentFile
from PIL import Image

from marketplace.complaints import services
from marketplace.complaints.models import Complaint
from marketplace.payments.models import OrderPayment
from marketplace.payments.refunds import refundable

State = Complaint.State


def _photo(colour=(190, 60, 50)) -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(buffer, "JPEG")
    return ContentFile(buffer.getvalue(), name="demo.jpg")


def _open(payment: OrderPayment, reason: str, words: str) -> Complaint:
    return services.open_complaint(
        payment=payment,
        lines=services.delivered_lines(payment)[:1],
        reason=reason,
        words=words,
        photos=[_photo()],
        actor=None,
    )


def seed_demo(payments: list[OrderPayment], *, staff) -> int:
    """One complaint in each state (open, refunded waiting for the buyer's confirmation, replaced,
    declined, escalated, decided) on these delivered orders; returns how many were made. An order
    holds at most one unsettled complaint, so the open, declined and escalated ones need three orders."""
    usable = [payment for payment in payments if services.delivered_lines(payment)]
    if not usable:
        return 0
    made = 0
    # Settled ones first: they leave their order free for another complaint.
    paid = [payment for payment in usable if refundable(payment) > 0]
    if paid:
        payment = paid[0]
        complaint = _open(payment, Complaint.Reason.DAMAGED, "Hai quả bị dập, chảy nước.")
        amount = min(complaint.value, refundable(payment)) // 2 or 1
        services.stall_answer(
            complaint,
            action="refund",
            actor=payment.stall.owner,
            amount=amount,
            proof=_photo((240, 240, 240)),
            words="Xin lỗi anh chị, gian hàng gửi lại tiền.",
        )
        made += 1
    payment = usable[-1]
    complaint = _open(payment, Complaint.Reason.MISSING, "Thiếu một túi so với đơn.")
    services.stall_answer(
        complaint, action="replace", actor=payment.stall.owner, words="Gửi bù một túi vào thứ Bảy."
    )
    made += 1
    complaint = _open(payment, Complaint.Reason.NOT_AS_DESCRIBED, "Quả nhỏ hơn ảnh.")
    services.stall_answer(complaint, action="decline", actor=payment.stall.owner, words="Hàng đúng loại 1.")
    services.escalate(complaint, actor=None, words="Nhờ xã xem giúp.")
    services.staff_decide(complaint, action="close", actor=staff, words="Hàng đúng mô tả trên trang.")
    made += 1
    # Unsettled ones, each on its own order.
    for payment, state in zip(usable, (State.OPEN, State.DECLINED, State.ESCALATED), strict=False):
        complaint = _open(payment, Complaint.Reason.LATE, "Giao chậm ba ngày so với hẹn.")
        if state in (State.DECLINED, State.ESCALATED):
            services.stall_answer(
                complaint, action="decline", actor=payment.stall.owner, words="Do mưa lũ, đường bị ngập."
            )
        if state == State.ESCALATED:
            services.escalate(complaint, actor=None, words="Gian hàng không báo trước.")
        made += 1
    return made
