"""Card payments against a real stripe-mock on loopback (services/stripe-mock/stripe-mock.sh start).

stripe-mock is stateless: it validates every request against Stripe's OpenAPI spec (an unknown or mistyped
parameter is a 400) and answers with canned fixtures. On create it reflects the top-level scalar
parameters (amount, currency, receipt_email...), but not nested ones such as metadata; retrieve and confirm
return the canned intent (amount 1099, currency usd, status requires_payment_method) under the requested
id. These tests assert only what stripe-mock really reflects.
"""

import hashlib
import hmac
import json
import time

import pytest
from django.core.exceptions import ImproperlyConfigured

from marketplace.payments import card
from tests.payments.conftest import WEBHOOK_SECRET

INTENT_STATUSES = {
    "requires_payment_method",
    "requires_confirmation",
    "requires_action",
    "processing",
    "requires_capture",
    "canceled",
    "succeeded",
}


def event_payload(intent_id: str = "pi_123", event_type: str = "payment_intent.succeeded") -> bytes:
    event = {
        "id": "evt_test_1",
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "livemode": False,
        "data": {
            "object": {
                "id": intent_id,
                "object": "payment_intent",
                "amount": 120000,
                "currency": "vnd",
                "status": "succeeded",
                "metadata": {"order_number": "CH-000123"},
            }
        },
    }
    return json.dumps(event).encode()


# ---------------------------------------------------------------- PaymentIntents on stripe-mock


def test_create_intent_sends_whole_dong_in_vnd(stripe_mock):
    intent = card.create_intent(
        amount_vnd=120000,
        order_number="CH-000123",
        idempotency_key="order-CH-000123-1",
        email="an@example.vn",
    )

    assert intent["id"].startswith("pi_")
    assert "_secret_" in intent["client_secret"]
    assert intent["status"] in INTENT_STATUSES
    # Reflected from our request by stripe-mock: 120000 đồng as is (zero-decimal, no ×100), in VND.
    assert intent["amount"] == 120000
    assert intent["currency"] == "vnd"


def test_confirm_intent_with_test_card(stripe_mock):
    created = card.create_intent(
        amount_vnd=120000, order_number="CH-000124", idempotency_key="order-CH-000124-1"
    )

    confirmed = card.confirm_intent(created["id"])

    # stripe-mock answers confirm with its canned intent (status requires_payment_method, amount 1099 usd),
    # not a state machine: only the id from the URL and the top-level payment_method are reflected.
    assert confirmed["id"] == created["id"]
    assert confirmed["object"] == "payment_intent"
    assert confirmed["payment_method"] == "pm_card_visa"
    assert isinstance(confirmed["status"], str)
    assert confirmed["status"] in INTENT_STATUSES


def test_retrieve_intent_returns_a_plain_dict(stripe_mock):
    intent = card.retrieve_intent("pi_retrieve_me")

    assert type(intent) is dict
    assert intent["id"] == "pi_retrieve_me"  # the id is reflected; the rest is stripe-mock's fixture
    assert intent["object"] == "payment_intent"
    assert isinstance(intent["metadata"], dict)


def test_idempotency_key_is_accepted(stripe_mock):
    # Stripe would replay the first answer for the same key; stripe-mock accepts the Idempotency-Key header
    # but stores nothing, so each call gets a new id: only acceptance can be checked here.
    first = card.create_intent(
        amount_vnd=50000, order_number="CH-000125", idempotency_key="order-CH-000125-1"
    )
    again = card.create_intent(
        amount_vnd=50000, order_number="CH-000125", idempotency_key="order-CH-000125-1"
    )

    assert first["id"].startswith("pi_")
    assert again["id"].startswith("pi_")


def test_rejected_api_key_is_a_card_error(stripe_mock, settings):
    settings.STRIPE_SECRET_KEY = "sk_live_not_for_stripe_mock"  # stripe-mock accepts test-mode keys only

    with pytest.raises(card.CardError) as caught:
        card.retrieve_intent("pi_123")

    assert caught.value.http_status == 401
    assert "API key" in str(caught.value)
    assert caught.value.__cause__ is not None


def test_missing_secret_key_is_a_configuration_error(settings):
    settings.STRIPE_SECRET_KEY = ""

    with pytest.raises(ImproperlyConfigured):
        card.retrieve_intent("pi_123")


@pytest.mark.parametrize("amount", [0, -1, 120000.0, 1.5, "120000", True, None])
def test_bad_amount_raises_before_any_request(settings, amount):
    # Nothing listens on the discard port: a request would raise CardError, not ValueError.
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    settings.STRIPE_SECRET_KEY = "sk_test_123"

    with pytest.raises(ValueError, match="amount_vnd"):
        card.create_intent(amount_vnd=amount, order_number="CH-1", idempotency_key="k-1")


def test_empty_idempotency_key_raises_before_any_request(settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    settings.STRIPE_SECRET_KEY = "sk_test_123"

    with pytest.raises(ValueError, match="idempotency_key"):
        card.create_intent(amount_vnd=120000, order_number="CH-1", idempotency_key="")


# ---------------------------------------------------------------- webhooks (no server needed)


@pytest.fixture
def webhook_secret(settings):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    return WEBHOOK_SECRET


def test_signed_webhook_verifies(webhook_secret):
    payload = event_payload("pi_paid")

    event = card.verify_webhook(payload, card.signed_header(payload, webhook_secret))

    assert type(event) is dict
    assert event["type"] == "payment_intent.succeeded"
    assert event["data"]["object"]["id"] == "pi_paid"
    assert event["data"]["object"]["metadata"] == {"order_number": "CH-000123"}


def test_signed_header_matches_stripes_format(webhook_secret):
    header = card.signed_header(b"{}", webhook_secret, timestamp=1700000000)

    expected = hmac.new(b"whsec_test_secret", b"1700000000.{}", hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"


def test_wrong_secret_is_rejected(webhook_secret):
    payload = event_payload()

    with pytest.raises(card.WebhookSignatureError):
        card.verify_webhook(payload, card.signed_header(payload, "whsec_someone_else"))


def test_tampered_payload_is_rejected(webhook_secret):
    header = card.signed_header(event_payload("pi_a"), webhook_secret)

    with pytest.raises(card.WebhookSignatureError):
        card.verify_webhook(event_payload("pi_b"), header)


@pytest.mark.parametrize("header", ["", None, "garbage", "t=notanumber,v1=abc", "t=1700000000"])
def test_missing_or_malformed_header_is_rejected(webhook_secret, header):
    with pytest.raises(card.WebhookSignatureError):
        card.verify_webhook(event_payload(), header)


def test_old_timestamp_is_rejected(webhook_secret):
    payload = event_payload()
    stale = int(time.time()) - card.WEBHOOK_TOLERANCE - 60

    with pytest.raises(card.WebhookSignatureError, match="tolerance"):
        card.verify_webhook(payload, card.signed_header(payload, webhook_secret, timestamp=stale))


def test_signature_error_is_a_value_error():
    assert issubclass(card.WebhookSignatureError, ValueError)


def test_signed_invalid_json_is_a_value_error_not_a_signature_error(webhook_secret):
    payload = b"{not json"

    with pytest.raises(ValueError) as caught:
        card.verify_webhook(payload, card.signed_header(payload, webhook_secret))

    assert not isinstance(caught.value, card.WebhookSignatureError)


def test_signed_json_that_is_not_an_object_is_a_value_error(webhook_secret):
    payload = b"[1, 2]"

    with pytest.raises(ValueError) as caught:
        card.verify_webhook(payload, card.signed_header(payload, webhook_secret))

    assert not isinstance(caught.value, card.WebhookSignatureError)


def test_missing_webhook_secret_is_a_configuration_error(settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    payload = event_payload()

    with pytest.raises(ImproperlyConfigured):
        card.verify_webhook(payload, card.signed_header(payload, "whsec_anything"))
