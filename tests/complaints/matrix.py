"""For the access matrix (tests/test_access_matrix.py): a complaint of stall A, made once.

The matrix's order of stall A is an Oscar order without our payment; this gives it one (paid, by the
matrix's buyer) and an escalated complaint on its lines, so both the stall's page and the commune's
decision page of a real complaint are called by every role."""


def stall_a_complaint(*, order, stall):
    """An escalated complaint on ``order`` (stall A's), paid by cash by the order's buyer."""
    from marketplace.complaints.models import Complaint
    from marketplace.payments.models import Checkout, OrderPayment

    found = Complaint.objects.filter(stall=stall).first()
    if found is None:
        checkout = Checkout.objects.create(
            reference="MATRANKN01",
            name="Người mua ma trận",
            phone="+84912000999",
            delivery=Checkout.Delivery.DELIVERY,
            address="Thôn Ma Trận",
            user=order.user,
        )
        payment = OrderPayment.objects.create(
            order=order,
            checkout=checkout,
            stall=stall,
            method=OrderPayment.Method.COD,
            amount=360000,
            status=OrderPayment.Status.PAID,
        )
        found = Complaint.objects.create(
            payment=payment,
            stall=stall,
            reason=Complaint.Reason.DAMAGED,
            words="Chè bị ẩm mốc",
            value=360000,
            state=Complaint.State.ESCALATED,
        )
        found.lines.set(order.lines.all())
    return found
