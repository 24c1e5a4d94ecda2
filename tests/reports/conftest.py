"""Hand-counted October 2026 of two communes of Bắc Ninh, for the figures of the commerce panels.

Xã Lục Ngạn (the commune of the narrow scope):
- stalls: "Vườn vải ông Thành" (Thôn Kép, opened and verified in October, sells), "HTX Lục Ngạn Xanh" (no
  village, verified in January, sells), "Gian hàng bị dừng" (Thôn Kép, opened in October, suspended, changed
  on 25 October), "Vườn na bà Lan" (Thôn Kép, verified in February, a helper acted for it on 20 October),
  "Vườn bưởi ông Tư" (Thôn Na, verified in February, changed on 25 October), "Vườn chè bà Mai" (Thôn Na,
  verified in February, nothing since);
- orders placed in October: cash 2 × 50.000 (delivered after 24 h) and VietQR paid 1 × 50.000 (delivered
  after 60 h) at the lychee farm on 10 October, VietQR not paid yet 3 × 100.000 at the cooperative on
  12 October; one cancelled order (10 October) and one cash order of 15 September: not counted;
- helpers: Nguyễn Văn Hùng (consent of bà Lan on 15 October, of ông Tư in August, one act for bà Lan on
  20 October, one in September, one act not for a household), a helper named by his phone (consent of bà
  Lan on 16 October, withdrawn on 25 October, one act on 17 October);
- satisfaction: very satisfied, not satisfied, satisfied (and one of September); complaints: one open, one
  refunded 50.000 đồng (and one of September); reviews 5/4, 3/5, 4/4 (one of September, one hidden).

Xã Kép (never in the narrow scope's figures): "Vườn cam bà Hoa" opened and verified in October, a VietQR
paid order 1 × 40.000 on 20 October delivered after 24 h, satisfied, an escalated complaint, a review 2/3,
a consent given on 3 October and one act for it; "Vườn ổi" opened and verified in September.
"""

from datetime import date, datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone
from oscar.core.loading import get_model

from ground import order_status
from marketplace.complaints.models import Complaint, ComplaintStep
from marketplace.demo_orders import buy
from marketplace.feedback.models import Review, Satisfaction
from marketplace.orders.actions import stall_order_advance
from marketplace.payments.models import OrderPayment, Refund
from marketplace.reports.tables import Period, Scope
from sellers.models import HelperConsent, OneTimeCode, Stall, StallAuditEntry
from tests.factories import (
    CommuneFactory,
    StallFactory,
    UserFactory,
    make_lot,
    make_product,
    seller_with_stall,
)

Order = get_model("order", "Order")
ShippingEvent = get_model("order", "ShippingEvent")

BANK = {"bank_bin": "970436", "bank_account_number": "0011001234567", "bank_account_name": "CHU VUON"}
OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31))


def at(month: int, day: int, hour: int = 8) -> datetime:
    return timezone.make_aware(datetime(2026, month, day, hour, 0))


def commerce_stall(commune, name: str, *, village: str, created, verified=None, **fields) -> Stall:
    stall = StallFactory(commune=commune, partner__name=name, village=village, delivery_fee=0, **fields)
    Stall.objects.filter(pk=stall.pk).update(created_at=created, verified_at=verified)
    return stall


def commerce_order(product, quantity: int, *, placed, delivered=None, **options) -> OrderPayment:
    (payment,) = buy([(product, quantity)], **options)
    Order.objects.filter(pk=payment.order_id).update(date_placed=placed)
    if delivered is not None:
        events = ShippingEvent.objects.filter(order=payment.order_id, event_type__code=order_status.DELIVERED)
        assert events.update(date_created=delivered) == 1
    return payment


def commerce_consent(stall, helper, household, *, granted, revoked=None) -> HelperConsent:
    code = OneTimeCode.objects.create(
        phone="+84912000000", purpose=OneTimeCode.Purpose.CONSENT, code_hash="-", expires_at=granted
    )
    return HelperConsent.objects.create(
        stall=stall,
        helper=helper,
        household=household,
        confirmed_with=code,
        granted_at=granted,
        revoked_at=revoked,
    )


def commerce_act(stall, actor, *, when, on_behalf_of=None) -> None:
    StallAuditEntry.objects.create(
        stall=stall, actor=actor, on_behalf_of=on_behalf_of, action="stall_updated", created_at=when
    )


def commerce_complaint(payment, *, state: str, opened, refunded: int = 0) -> Complaint:
    complaint = Complaint.objects.create(
        payment=payment,
        stall=payment.stall,
        reason=Complaint.Reason.DAMAGED,
        state=state,
        value=payment.amount,
    )
    Complaint.objects.filter(pk=complaint.pk).update(created_at=opened)
    if refunded:
        refund = Refund.objects.create(
            payment=payment, amount=refunded, method=Refund.Method.TRANSFER, status=Refund.Status.SUCCEEDED
        )
        ComplaintStep.objects.create(
            complaint=complaint,
            action=ComplaintStep.Action.REFUNDED,
            role="stall",
            amount=refunded,
            refund=refund,
        )
    return complaint


def commerce_review(payment, *, stars: int, stall_stars: int, written, hidden=False) -> None:
    line = payment.order.lines.get()
    review = Review.objects.create(
        line=line,
        payment=payment,
        product=line.product,
        stall=payment.stall,
        stars=stars,
        stall_stars=stall_stars,
    )
    Review.objects.filter(pk=review.pk).update(created_at=written, hidden_at=written if hidden else None)


def commerce_satisfaction(payment, answer: str, *, given) -> None:
    satisfaction = Satisfaction.objects.create(payment=payment, answer=answer)
    Satisfaction.objects.filter(pk=satisfaction.pk).update(updated_at=given)


@pytest.fixture
def commerce_world(db):
    luc_ngan = CommuneFactory(name="Xã Lục Ngạn", province_code=24, province_name="Bắc Ninh")
    kep = CommuneFactory(name="Xã Kép", province_code=24, province_name="Bắc Ninh")

    # Stalls ------------------------------------------------------------------------------------------
    _thanh, lychee_farm = seller_with_stall(
        commune=luc_ngan, partner__name="Vườn vải ông Thành", village="Thôn Kép", delivery_fee=0, **BANK
    )
    Stall.objects.filter(pk=lychee_farm.pk).update(created_at=at(10, 5), verified_at=at(10, 6))
    _htx, cooperative = seller_with_stall(
        commune=luc_ngan,
        partner__name="HTX Lục Ngạn Xanh",
        village="",
        delivery_fee=0,
        kind=Stall.Kind.COOPERATIVE,
        **BANK,
    )
    Stall.objects.filter(pk=cooperative.pk).update(created_at=at(1, 5), verified_at=at(1, 6))
    suspended = commerce_stall(
        luc_ngan, "Gian hàng bị dừng", village="Thôn Kép", created=at(10, 7), status=Stall.Status.SUSPENDED
    )
    lan, ong_tu, ba_mai, hoa = UserFactory(), UserFactory(), UserFactory(), UserFactory()
    custard = commerce_stall(
        luc_ngan, "Vườn na bà Lan", village="Thôn Kép", created=at(2, 1), verified=at(2, 2), owner=lan
    )
    pomelo = commerce_stall(
        luc_ngan, "Vườn bưởi ông Tư", village="Thôn Na", created=at(2, 1), verified=at(2, 2), owner=ong_tu
    )
    tea = commerce_stall(
        luc_ngan, "Vườn chè bà Mai", village="Thôn Na", created=at(2, 1), verified=at(2, 2), owner=ba_mai
    )
    _hoa, orange_farm = seller_with_stall(
        commune=kep, partner__name="Vườn cam bà Hoa", village="Thôn Mới", delivery_fee=0, **BANK
    )
    Stall.objects.filter(pk=orange_farm.pk).update(created_at=at(10, 3), verified_at=at(10, 4))
    commerce_stall(kep, "Vườn ổi", village="Thôn Mới", created=at(9, 10), verified=at(9, 11))

    # Products ----------------------------------------------------------------------------------------
    lychee = make_product(stall=lychee_farm, title="Vải thiều", price=50000, ocop_stars=4)
    make_lot(stall=lychee_farm, product=lychee, code="VAI-01")
    make_product(stall=lychee_farm, title="Nhãn", price=40000)
    make_product(stall=lychee_farm, title="Vải sấy (ẩn)", price=90000, ocop_stars=5, is_public=False)
    honey = make_product(stall=cooperative, title="Mật ong", price=100000, ocop_stars=3)
    make_lot(stall=cooperative, product=honey, code="MO-01")
    make_product(stall=cooperative, title="Chè búp", price=120000, ocop_stars=5)
    make_product(stall=suspended, title="Miến dong", price=30000, ocop_stars=4)
    orange = make_product(stall=orange_farm, title="Cam", price=40000, ocop_stars=3)
    make_lot(stall=orange_farm, product=orange, code="CAM-01")

    # Orders ------------------------------------------------------------------------------------------
    cash = commerce_order(lychee, 2, placed=at(10, 10), delivered=at(10, 11))
    transfer = commerce_order(
        lychee, 1, placed=at(10, 10), delivered=at(10, 12, 20), method="vietqr", paid=True
    )
    unpaid = commerce_order(honey, 3, placed=at(10, 12, 9), method="vietqr", until="confirm", paid=False)
    cancelled = commerce_order(lychee, 1, placed=at(10, 10), until=None)
    stall_order_advance(stall=lychee_farm, order=cancelled.order, action="cancel", actor=lychee_farm.owner)
    september = commerce_order(lychee, 1, placed=at(9, 15), delivered=at(9, 16))
    kep_order = commerce_order(orange, 1, placed=at(10, 20), delivered=at(10, 21), method="vietqr", paid=True)

    # Helpers -----------------------------------------------------------------------------------------
    hung = UserFactory(first_name="Nguyễn Văn", last_name="Hùng")
    by_phone = UserFactory(username="+84987000111")
    kep_helper = UserFactory(first_name="Lê Thị", last_name="Thu")
    commerce_consent(custard, hung, lan, granted=at(10, 15))
    commerce_consent(pomelo, hung, ong_tu, granted=at(8, 1))
    commerce_consent(custard, by_phone, lan, granted=at(10, 16), revoked=at(10, 25))
    commerce_consent(orange_farm, kep_helper, hoa, granted=at(10, 3))

    # Everything the orders logged happened now (out of October): only these count.
    StallAuditEntry.objects.all().delete()
    commerce_act(custard, hung, when=at(10, 20), on_behalf_of=lan)
    commerce_act(pomelo, hung, when=at(9, 5), on_behalf_of=ong_tu)
    commerce_act(custard, hung, when=at(10, 21))
    commerce_act(custard, by_phone, when=at(10, 17), on_behalf_of=lan)
    commerce_act(tea, ba_mai, when=at(9, 1))
    commerce_act(orange_farm, kep_helper, when=at(10, 5), on_behalf_of=hoa)
    Stall.objects.update(updated_at=at(8, 1))
    Stall.objects.filter(pk__in=[suspended.pk, pomelo.pk]).update(updated_at=at(10, 25))

    # What buyers said --------------------------------------------------------------------------------
    commerce_satisfaction(cash, Satisfaction.Answer.VERY_SATISFIED, given=at(10, 12))
    commerce_satisfaction(transfer, Satisfaction.Answer.UNSATISFIED, given=at(10, 13))
    commerce_satisfaction(unpaid, Satisfaction.Answer.SATISFIED, given=at(10, 14))
    commerce_satisfaction(september, Satisfaction.Answer.VERY_SATISFIED, given=at(9, 17))
    commerce_satisfaction(kep_order, Satisfaction.Answer.SATISFIED, given=at(10, 22))
    commerce_complaint(cash, state=Complaint.State.OPEN, opened=at(10, 15))
    commerce_complaint(transfer, state=Complaint.State.REFUNDED, opened=at(10, 16), refunded=50000)
    commerce_complaint(september, state=Complaint.State.DECLINED, opened=at(9, 18))
    commerce_complaint(kep_order, state=Complaint.State.ESCALATED, opened=at(10, 22))
    commerce_review(cash, stars=5, stall_stars=4, written=at(10, 12))
    commerce_review(transfer, stars=3, stall_stars=5, written=at(10, 13))
    commerce_review(unpaid, stars=4, stall_stars=4, written=at(10, 14))
    commerce_review(september, stars=1, stall_stars=1, written=at(9, 20))
    commerce_review(cancelled, stars=1, stall_stars=1, written=at(10, 15), hidden=True)
    commerce_review(kep_order, stars=2, stall_stars=3, written=at(10, 22))

    return SimpleNamespace(
        luc_ngan=luc_ngan,
        kep=kep,
        lychee_farm=lychee_farm,
        cooperative=cooperative,
        orange_farm=orange_farm,
        period=OCTOBER,
        commune=Scope("Xã Lục Ngạn", (luc_ngan.pk,)),
        province=Scope("Bắc Ninh", (luc_ngan.pk, kep.pk)),
        platform=Scope("Toàn nền tảng", None),
    )


def commerce_by(table, column: str = "place") -> dict:
    """A table's rows by their place (or another column)."""
    return {row[column]: row for row in table.rows}


def commerce_table(panel, key: str):
    return next(table for table in panel.tables if table.key == key)


def commerce_words(panel) -> list[str]:
    """Every word a person reads on a panel: its title and note, its headline, its tables' titles,
    columns and notes."""
    words = [panel.title, panel.note, *(figure.label for figure in panel.headline)]
    for table in panel.tables:
        words += [table.title, table.note, *(column.label for column in table.columns)]
    return [str(word) for word in words if word]


def commerce_untranslated(build) -> list[str]:
    """The words of the panel ``build()`` makes that read the same in Vietnamese as in English."""
    from django.utils import translation

    with translation.override("vi"):
        vietnamese = commerce_words(build())
    with translation.override("en"):
        english = commerce_words(build())
    assert len(vietnamese) == len(english)
    return [en for vi, en in zip(vietnamese, english, strict=True) if vi == en]
