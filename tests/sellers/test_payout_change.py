"""New payout details after verification: kept apart until the household types the code sent to its
own phone; meanwhile the stall is paid in cash only, and orders already placed keep their account."""

import importlib
import json

import pytest
from django.apps import apps as django_apps
from django.utils import timezone
from oscar.core.loading import get_class, get_model

from marketplace.payments import vietqr
from marketplace.payments.checkout import Buyer, CheckoutProblem, methods_for, place_orders
from marketplace.payments.models import Checkout, OrderPayment
from marketplace.payments.services import vietqr_for
from sellers import services
from sellers.models import HelperConsent, OneTimeCode, PayoutChange, PhoneAccount, Stall
from tests.conftest import last_code
from tests.factories import CommuneFactory, UserFactory, commune_member, make_product, seller_with_stall

pytestmark = pytest.mark.django_db

Basket = get_model("basket", "Basket")
Selector = get_class("partner.strategy", "Selector")

OWNER_PHONE = "+84987654321"
HELPER_PHONE = "+84911222333"
STAFF_PHONE = "+84933444555"
OLD = {"bank_bin": "970436", "bank_account_number": "0011001234567", "bank_account_name": "NGUYEN THI CAT"}
NEW = {"bank_bin": "970422", "bank_account_number": "0099887766554", "bank_account_name": "TRAN VAN LONG"}
BUYER = Buyer(
    name="Trần Thị Mai",
    phone="+84912345678",
    email="",
    delivery=Checkout.Delivery.PICKUP,
    province_code=24,
    province_name="Bắc Ninh",
)


@pytest.fixture
def farm(make_storefront):
    """A verified household stall paid to its Vietcombank account, a product, and its commune's staff."""
    commune = CommuneFactory(name="Xã Lục Ngạn")
    make_storefront(communes=[commune])
    owner, stall = seller_with_stall(
        commune=commune, phone=OWNER_PHONE, partner__name="Vườn vải bà Cất", **OLD
    )
    owner.first_name = "Bà Cất"
    owner.save(update_fields=["first_name"])
    product = make_product(stall=stall, title="Vải thiều Lục Ngạn", price=65000, stock=50)
    staff = commune_member(commune=commune, role="commune_staff")
    PhoneAccount.objects.create(user=staff, phone=STAFF_PHONE)
    return owner, stall, product, staff


def basket_with(product, quantity=1):
    basket = Basket.objects.create()
    basket.strategy = Selector().strategy()
    basket.add_product(product, quantity)
    return basket


def place(stall, product, method="vietqr") -> OrderPayment:
    checkout = place_orders(basket=basket_with(product), buyer=BUYER, methods={stall.pk: method})
    return checkout.payments.get()


def qr_account(payment) -> tuple[str, str]:
    parsed = vietqr.parse_payload(vietqr_for(payment)["payload"])  # the CRC is checked too
    return parsed["bank_bin"], parsed["account"]


def edit(client, stall, bank: dict, **fields):
    data = {"name": stall.name, "kind": "household", "village": "Thôn Kép", **bank, **fields}
    return client.post(f"/ban-hang/gian-hang/{stall.pk}/sua/", data, follow=True)


def confirm(client, stall, code):
    return client.post(f"/ban-hang/gian-hang/{stall.pk}/tai-khoan/xac-nhan/", {"code": code}, follow=True)


def in_force(stall) -> dict:
    stall.refresh_from_db()
    return {field: getattr(stall, field) for field in OLD}


def test_after_verification_new_details_wait_for_the_households_code_and_an_unpaid_order_keeps_its_qr(
    client, farm, outbox, committed, settings
):
    settings.STRIPE_SECRET_KEY = "sk_test_123"
    owner, stall, product, staff = farm
    unpaid = place(stall, product)
    assert qr_account(unpaid) == ("970436", "0011001234567")
    client.force_login(owner)

    with committed():
        page = edit(client, stall, NEW).content.decode()

    # kept apart: the details in force are the old ones, and a code went to the household's phone
    assert in_force(stall) == OLD
    change = PayoutChange.objects.pending_for(stall)
    assert (change.bank_account_number, change.phone) == ("0099887766554", OWNER_PHONE)
    assert "Tài khoản nhận tiền mới đang chờ gia đình nhập mã" in page
    assert "MB Bank ••••6554" in page and "0099887766554" not in page
    texts = [message.text for message in outbox if message.phone == OWNER_PHONE]
    assert len(texts) == 2 and "6554" in texts[0] and "0099887766554" not in texts[0]
    code = last_code(outbox, OWNER_PHONE)
    # the unpaid order's QR still pays the account its buyer was shown
    unpaid.refresh_from_db()
    assert qr_account(unpaid) == ("970436", "0011001234567")
    # a new order: cash on delivery only, with a note on the checkout page
    assert methods_for(stall, cards=True) == ["cod"]
    with pytest.raises(CheckoutProblem):
        place(stall, product, "vietqr")
    with pytest.raises(CheckoutProblem):
        place(stall, product, "card")
    client.post(f"/shop/basket/add/{product.pk}/", {"product_id": product.pk, "quantity": 1})
    checkout_page = client.get("/shop/checkout/").content.decode()
    assert "Gian hàng đang xác nhận tài khoản mới: tạm thời hãy trả tiền mặt khi nhận hàng." in checkout_page
    assert f'name="pay_{stall.pk}" value="vietqr"' not in checkout_page
    assert f'name="pay_{stall.pk}" value="card"' not in checkout_page

    # the household types its code
    page = confirm(client, stall, code).content.decode()

    assert "Đơn mới sẽ trả vào tài khoản mới" in page
    assert in_force(stall) == NEW
    change.refresh_from_db()
    assert change.status == PayoutChange.Status.CONFIRMED and change.decided_by == owner
    assert methods_for(stall, cards=True) == ["cod", "vietqr", "card"]
    assert "đang xác nhận tài khoản mới" not in client.get("/shop/checkout/").content.decode()
    new_order = place(stall, product)
    assert qr_account(new_order) == ("970422", "0099887766554")
    unpaid.refresh_from_db()
    assert qr_account(unpaid) == ("970436", "0011001234567")


def test_a_helpers_change_sends_the_code_to_the_households_phone_never_to_the_helper(
    client, farm, outbox, committed
):
    owner, stall, product, staff = farm
    helper = commune_member(commune=stall.commune, role="digital_helper")
    helper.first_name = "Anh Tổ công nghệ"
    helper.save(update_fields=["first_name"])
    PhoneAccount.objects.create(user=helper, phone=HELPER_PHONE)
    consent_code = OneTimeCode.objects.create(
        phone=OWNER_PHONE, purpose=OneTimeCode.Purpose.CONSENT, code_hash="-", expires_at=timezone.now()
    )
    HelperConsent.objects.create(stall=stall, helper=helper, household=owner, confirmed_with=consent_code)
    client.force_login(helper)

    with committed():
        page = edit(client, stall, NEW).content.decode()

    assert "0987 654 321" in page  # the page says where the code went: the household's number
    assert not [message for message in outbox if message.phone == HELPER_PHONE]
    change = PayoutChange.objects.pending_for(stall)
    assert change.phone == OWNER_PHONE and change.code.phone == OWNER_PHONE
    assert in_force(stall) == OLD

    # the household types the code on the helper's phone
    confirm(client, stall, last_code(outbox, OWNER_PHONE))

    assert in_force(stall) == NEW
    entry = stall.audit_entries.get(action="payout_change_confirmed")
    assert (entry.actor, entry.on_behalf_of) == (helper, owner)


def test_a_wrong_code_is_refused_with_a_clear_message_and_nothing_changes(client, farm, outbox, committed):
    owner, stall, product, staff = farm
    client.force_login(owner)
    with committed():
        edit(client, stall, NEW)
    right = last_code(outbox, OWNER_PHONE)
    wrong = "000000" if right != "000000" else "111111"

    page = confirm(client, stall, wrong).content.decode()

    assert "Mã chưa đúng" in page
    assert in_force(stall) == OLD
    assert PayoutChange.objects.pending_for(stall) is not None
    assert methods_for(stall, cards=False) == ["cod"]
    assert OneTimeCode.objects.get(phone=OWNER_PHONE, purpose="payout").attempts == 1  # the try is counted
    assert not stall.audit_entries.filter(action="payout_change_confirmed").exists()


def test_a_new_code_replaces_the_first_one(client, farm, outbox, committed):
    owner, stall, product, staff = farm
    client.force_login(owner)
    with committed():
        edit(client, stall, NEW)
    first = last_code(outbox, OWNER_PHONE)

    with committed():
        page = client.post(
            f"/ban-hang/gian-hang/{stall.pk}/tai-khoan/xac-nhan/", {"resend": "1"}, follow=True
        ).content.decode()

    assert "Đã gửi mã mới tới số 0987 654 321" in page
    second = last_code(outbox, OWNER_PHONE)
    if first != second:
        assert "Mã chưa đúng" in confirm(client, stall, first).content.decode()
        assert in_force(stall) == OLD
    confirm(client, stall, second)
    assert in_force(stall) == NEW


def test_the_commune_staff_gets_a_text_and_sees_the_change(client, farm, outbox, committed):
    owner, stall, product, staff = farm
    quiet_staff = commune_member(commune=stall.commune, role="commune_staff")  # no phone: no text
    other_commune_staff = commune_member(commune=CommuneFactory(), role="commune_staff")
    PhoneAccount.objects.create(user=other_commune_staff, phone="+84944555666")
    client.force_login(owner)

    with committed():
        edit(client, stall, NEW)

    texts = [message.text for message in outbox if message.phone == STAFF_PHONE]
    assert len(texts) == 1 and "Vườn vải bà Cất" in texts[0] and "6554" in texts[0]
    assert "0099887766554" not in texts[0]
    assert not [message for message in outbox if message.phone == "+84944555666"]
    client.force_login(staff)
    page = client.get("/ban-hang/xa/").content.decode()
    assert "Vườn vải bà Cất" in page and "đã đổi tài khoản nhận tiền" in page
    assert "Vietcombank ••••4567" in page and "MB Bank ••••6554" in page
    assert "Chờ gia đình nhập mã" in page
    assert "0099887766554" not in page and "0011001234567" not in page
    client.force_login(quiet_staff)
    assert "đã đổi tài khoản nhận tiền" in client.get("/ban-hang/xa/").content.decode()


def test_the_log_shows_old_and_new_masked_never_the_full_number(client, farm, outbox, committed):
    owner, stall, product, staff = farm
    client.force_login(owner)
    with committed():
        edit(client, stall, NEW)
    confirm(client, stall, last_code(outbox, OWNER_PHONE))

    page = client.get(f"/ban-hang/gian-hang/{stall.pk}/nhat-ky/").content.decode()

    assert "xin đổi tài khoản nhận tiền" in page
    assert "xác nhận tài khoản nhận tiền mới bằng mã" in page
    assert page.count("Vietcombank ••••4567 · NGUYEN THI CAT") == 2  # before, in both entries
    assert page.count("MB Bank ••••6554 · TRAN VAN LONG") == 2
    assert "0011001234567" not in page and "0099887766554" not in page
    details = json.dumps(list(stall.audit_entries.values_list("detail", flat=True)))
    assert "0011001234567" not in details and "0099887766554" not in details


def test_saving_other_fields_keeps_the_change_waiting_and_the_old_details_drop_it(
    client, farm, outbox, committed
):
    owner, stall, product, staff = farm
    client.force_login(owner)
    with committed():
        edit(client, stall, NEW)
    change = PayoutChange.objects.pending_for(stall)
    form = client.get(f"/ban-hang/gian-hang/{stall.pk}/sua/").content.decode()
    assert 'value="0099887766554"' in form  # the form shows the details waiting

    with committed():
        edit(client, stall, NEW, village="Thôn Kép 3")  # the story or village changes, not the bank

    assert PayoutChange.objects.pending_for(stall) == change
    assert len([message for message in outbox if message.phone == OWNER_PHONE]) == 2  # no new code

    page = edit(client, stall, OLD).content.decode()  # the old details again: nothing left to confirm

    assert "Tài khoản nhận tiền vẫn giữ như cũ" in page
    assert PayoutChange.objects.pending_for(stall) is None and in_force(stall) == OLD
    assert methods_for(stall, cards=False) == ["cod", "vietqr"]
    assert stall.audit_entries.filter(action="payout_change_cancelled").exists()
    assert (
        "giữ tài khoản nhận tiền cũ"
        in client.get(f"/ban-hang/gian-hang/{stall.pk}/nhat-ky/").content.decode()
    )


def test_a_code_for_other_details_does_not_confirm_these(farm, outbox, committed):
    owner, stall, product, staff = farm
    with committed():
        services.payout_change_request(stall=stall, actor=owner, **NEW)
    first = last_code(outbox, OWNER_PHONE)
    other = {**NEW, "bank_account_number": "5555444433"}
    with committed():
        services.payout_change_request(stall=stall, actor=owner, **other)  # replaces the first change

    with pytest.raises(Exception, match="(not right|chưa đúng)"):
        services.payout_change_confirm(stall=stall, actor=owner, code=first)
    services.payout_change_confirm(stall=stall, actor=owner, code=last_code(outbox, OWNER_PHONE))
    assert in_force(stall)["bank_account_number"] == "5555444433"
    assert PayoutChange.objects.filter(stall=stall, status="cancelled").count() == 1


@pytest.mark.parametrize("status", [Stall.Status.DRAFT, Stall.Status.SUBMITTED])
def test_before_verification_a_change_applies_at_once(client, make_storefront, outbox, committed, status):
    make_storefront()
    owner, stall = seller_with_stall(phone=OWNER_PHONE, status=status, **OLD)
    client.force_login(owner)

    with committed():
        edit(client, stall, NEW)

    assert in_force(stall) == NEW
    assert not PayoutChange.objects.exists() and not outbox
    assert stall.audit_entries.filter(action="stall_updated").exists()


def test_a_stall_without_a_household_phone_cannot_change_its_account_after_verification(farm):
    owner, stall, product, staff = farm
    stall.owner = UserFactory()  # no phone account
    stall.save(update_fields=["owner"])

    with pytest.raises(Exception, match="(no phone number|chưa có số điện thoại)"):
        services.stall_update(stall=stall, actor=stall.owner, **NEW)
    assert in_force(stall) == OLD and not PayoutChange.objects.exists()


def test_orders_placed_before_the_snapshot_get_their_stalls_account(farm):
    owner, stall, product, staff = farm
    payment = place(stall, product)
    OrderPayment.objects.filter(pk=payment.pk).update(
        payee_bank_bin="", payee_account_number="", payee_account_name=""
    )
    migration = importlib.import_module("marketplace.payments.migrations.0004_orderpayment_payee_fill")

    migration.fill_from_stall(django_apps, None)

    payment.refresh_from_db()
    assert (payment.payee_bank_bin, payment.payee_account_number, payment.payee_account_name) == (
        "970436",
        "0011001234567",
        "NGUYEN THI CAT",
    )


def test_when_no_code_could_be_sent_the_page_says_so_not_that_it_was_sent(client, farm, outbox, committed):
    owner, stall, product, staff = farm
    client.force_login(owner)
    for n in range(3):  # the number's code limit is used up by earlier codes
        OneTimeCode.objects.create(
            phone=OWNER_PHONE, purpose="login", code_hash=f"x{n}", expires_at=timezone.now()
        )

    with committed():
        page = edit(client, stall, NEW).content.decode()

    assert PayoutChange.objects.pending_for(stall) is not None and in_force(stall) == OLD
    assert "Chưa gửi được mã tới số 0987 654 321" in page
    assert "Mã đã gửi tới điện thoại" not in page
