from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ground.phone import display_mobile, normalize_mobile
from sellers import otp
from sellers.models import OneTimeCode
from tests.conftest import last_code
from tests.factories import burst

pytestmark = pytest.mark.django_db
PHONE = "+84912345678"


@pytest.mark.parametrize(
    "typed", ["0912 345 678", "0912.345.678", "+84 912 345 678", "84912345678", "(091) 234-5678"]
)
def test_a_mobile_number_is_stored_one_way(typed):
    assert normalize_mobile(typed) == PHONE
    assert display_mobile(PHONE) == "0912 345 678"


@pytest.mark.parametrize(
    "typed", ["", "12345", "0241 234 567", "0912 345 67", "091234567a", "+1 202 555 0100"]
)
def test_other_numbers_are_refused_with_an_example(typed):
    with pytest.raises(ValidationError) as error:
        normalize_mobile(typed)
    assert "0912 345 678" in error.value.messages[0]


def test_code_is_sent_but_only_its_hash_is_stored(outbox, committed):
    with committed():
        record = otp.otp_send(phone=PHONE, purpose="signup", ip_address="127.0.0.1")

    code = last_code(outbox, PHONE)
    assert code not in record.code_hash
    assert len(record.code_hash) == 64
    assert not OneTimeCode.objects.filter(code_hash=code).exists()


def test_code_works_once(outbox, committed):
    with committed():
        otp.otp_send(phone=PHONE, purpose="signup", ip_address=None)
    code = last_code(outbox, PHONE)

    otp.otp_verify(phone=PHONE, purpose="signup", code=code)
    with pytest.raises(otp.CodeError):
        otp.otp_verify(phone=PHONE, purpose="signup", code=code)


def test_code_for_one_purpose_does_not_open_another(outbox, committed):
    with committed():
        otp.otp_send(phone=PHONE, purpose="signup", ip_address=None)

    with pytest.raises(otp.CodeError):
        otp.otp_verify(phone=PHONE, purpose="consent", code=last_code(outbox, PHONE))


def test_expired_code_is_refused(outbox, committed):
    with committed():
        record = otp.otp_send(phone=PHONE, purpose="login", ip_address=None)
    OneTimeCode.objects.filter(pk=record.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    with pytest.raises(otp.CodeError, match="hết hạn"):
        otp.otp_verify(phone=PHONE, purpose="login", code=last_code(outbox, PHONE))


def test_wrong_tries_are_counted_and_the_code_locks(outbox, committed):
    with committed():
        otp.otp_send(phone=PHONE, purpose="login", ip_address=None)
    right = last_code(outbox, PHONE)
    wrong = f"{(int(right) + 1) % 10**6:06d}"

    for _ in range(otp.MAX_ATTEMPTS):
        with pytest.raises(otp.CodeError, match="chưa đúng"):
            otp.otp_verify(phone=PHONE, purpose="login", code=wrong)

    assert OneTimeCode.objects.get().attempts == otp.MAX_ATTEMPTS
    with pytest.raises(otp.CodeError, match="sai quá nhiều"):
        otp.otp_verify(phone=PHONE, purpose="login", code=right)


def test_codes_are_rate_limited_per_number(outbox, committed):
    with committed():
        for _ in range(otp.PER_PHONE[0]):
            otp.otp_send(phone=PHONE, purpose="login", ip_address=None)

    with pytest.raises(otp.CodeError, match="15 phút"):
        otp.otp_send(phone=PHONE, purpose="login", ip_address=None)
    assert len(outbox) == otp.PER_PHONE[0]


def test_codes_are_rate_limited_per_ip_address(outbox):
    for n in range(otp.PER_IP[0]):
        otp.otp_send(phone=f"+8491234{n:04d}", purpose="signup", ip_address="10.0.0.7")

    with pytest.raises(otp.CodeError, match="Thiết bị"):
        otp.otp_send(phone="+84987654321", purpose="signup", ip_address="10.0.0.7")
    otp.otp_send(phone="+84987654321", purpose="signup", ip_address="10.0.0.8")


@pytest.mark.django_db(transaction=True)
def test_code_limits_hold_under_a_parallel_burst():
    def send(phone, address):
        try:
            otp.otp_send(phone=phone, purpose="login", ip_address=address, deliver=False)
            return "sent"
        except otp.CodeError:
            return "refused"

    per_number = burst(lambda n: send(PHONE, f"10.0.1.{n}"), 8)
    per_address = burst(lambda n: send(f"+8491299{n:04d}", "10.0.2.1"), 15)

    assert per_number.count("sent") == 3
    assert per_address.count("sent") == 10


def test_a_code_is_never_checked_inside_a_callers_transaction(outbox, committed):
    """Its rollback would forget a wrong try: otp_verify refuses to run there (durable)."""
    with committed():
        otp.otp_send(phone=PHONE, purpose="login", ip_address=None)

    with pytest.raises(RuntimeError), transaction.atomic():
        otp.otp_verify(phone=PHONE, purpose="login", code=last_code(outbox, PHONE))
