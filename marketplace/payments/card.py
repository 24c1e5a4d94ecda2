"""Card payments through Stripe PaymentIntents: a thin layer over the ``stripe`` library.

One PaymentIntent pays one stall's order. The browser collects the card with Stripe.js and the intent's
``client_secret``; the server creates the intent (:func:`create_intent`), reads it back
(:func:`retrieve_intent`) and trusts a payment only from a signed webhook (:func:`verify_webhook`).
:func:`confirm_intent` confirms on the server, with a test card by default: it is for tests and for the
test-mode checkout, never for real cards (those are confirmed by Stripe.js in the browser).

Settings, read at every call (so tests can point them at stripe-mock):

- ``STRIPE_SECRET_KEY``: ``sk_test_...`` or ``sk_live_...``; required for API calls.
- ``STRIPE_API_BASE``: default ``https://api.stripe.com``; ``http://127.0.0.1:12111`` for stripe-mock
  (``services/stripe-mock/stripe-mock.sh start``).
- ``STRIPE_WEBHOOK_SECRET``: ``whsec_...`` of the webhook endpoint; required by :func:`verify_webhook`.

Errors: a failed Stripe request raises :class:`CardError` (a plain message, the Stripe error chained as
``__cause__``); a bad argument raises ``ValueError`` before any request; a webhook whose signature is
missing, wrong or too old raises :class:`WebhookSignatureError`; a missing setting raises
``ImproperlyConfigured``.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from functools import lru_cache
from typing import Any

import stripe
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = [
    "CURRENCY",
    "WEBHOOK_TOLERANCE",
    "CardError",
    "WebhookSignatureError",
    "confirm_intent",
    "create_intent",
    "create_refund",
    "retrieve_intent",
    "signed_header",
    "verify_webhook",
]

# The Vietnamese đồng is a zero-decimal currency for Stripe: `amount` is a number of whole đồng
# (120000 means 120.000 ₫), never multiplied by 100 as for USD or EUR.
CURRENCY = "vnd"
DEFAULT_API_BASE = "https://api.stripe.com"
# Seconds a webhook's signed timestamp may lag behind our clock (Stripe's own default).
WEBHOOK_TOLERANCE = 300
# Retries of connection errors and 409/5xx answers; safe because every POST carries an idempotency key.
MAX_NETWORK_RETRIES = 2


class CardError(Exception):
    """A Stripe request failed; ``str(error)`` is a plain message (for a declined card, fit for the buyer).

    ``code`` is Stripe's error code (``card_declined``, ``amount_too_small``...) or None, ``http_status`` the
    HTTP status (None when Stripe could not be reached) and ``request_id`` Stripe's ``req_...`` for support.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        http_status: int | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.http_status = http_status
        self.request_id = request_id

    @classmethod
    def from_stripe(cls, error: stripe.StripeError) -> CardError:
        if isinstance(error, stripe.APIConnectionError):
            message = f"Could not reach Stripe: {error.user_message or 'no answer'}"
        elif isinstance(error, stripe.AuthenticationError):
            message = (
                f"Stripe rejected the API key (STRIPE_SECRET_KEY): {error.user_message or 'unauthorized'}"
            )
        else:
            message = error.user_message or type(error).__name__
        return cls(message, code=error.code, http_status=error.http_status, request_id=error.request_id)


class WebhookSignatureError(ValueError):
    """The ``Stripe-Signature`` header is missing, malformed, does not match the payload, or is too old."""


# ---------------------------------------------------------------- API calls


@lru_cache(maxsize=4)
def _client_for(api_key: str, api_base: str) -> stripe.StripeClient:
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": api_base},
        max_network_retries=MAX_NETWORK_RETRIES,
        # A bounded wait (the library's default is 80 s): connect 3 s, answer 20 s, then the buyer is told.
        http_client=stripe.RequestsClient(timeout=(3, 20)),
    )


def _client() -> stripe.StripeClient:
    api_key = getattr(settings, "STRIPE_SECRET_KEY", "")
    if not api_key:
        raise ImproperlyConfigured("STRIPE_SECRET_KEY is not set: card payments need a Stripe secret key")
    api_base = getattr(settings, "STRIPE_API_BASE", "") or DEFAULT_API_BASE
    return _client_for(api_key, api_base.rstrip("/"))


def _check_text(name: str, value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")


def create_intent(
    *, amount_vnd: int, order_number: str, idempotency_key: str, email: str = ""
) -> dict[str, Any]:
    """Create a card PaymentIntent for ``amount_vnd`` whole đồng and return what the browser needs.

    Returns ``{"id", "client_secret", "status", "amount", "currency"}``, the last two as Stripe recorded
    them. Send the same ``idempotency_key`` (e.g. derived from the order number and attempt) when retrying
    the same payment, so that a retry never creates a second intent. ``email`` becomes the receipt e-mail.
    """
    # Zero-decimal currency: whole đồng, no ×100. bool is an int subclass, and a float such as 120000.0 is
    # refused rather than truncated, so that an amount computed with the wrong type never reaches Stripe.
    if isinstance(amount_vnd, bool) or not isinstance(amount_vnd, int) or amount_vnd <= 0:
        raise ValueError(f"amount_vnd must be a positive int (whole đồng), got {amount_vnd!r}")
    _check_text("order_number", order_number)
    _check_text("idempotency_key", idempotency_key)
    params: dict[str, Any] = {
        "amount": amount_vnd,
        "currency": CURRENCY,
        # Card only: a server-side confirm then needs no return_url (automatic_payment_methods would).
        "payment_method_types": ["card"],
        "metadata": {"order_number": order_number},
        "description": f"Order {order_number}",
    }
    if email:
        params["receipt_email"] = email
    try:
        intent = _client().v1.payment_intents.create(params, {"idempotency_key": idempotency_key})
    except stripe.StripeError as error:
        raise CardError.from_stripe(error) from error
    return {
        "id": intent.id,
        "client_secret": intent.client_secret,
        "status": intent.status,
        "amount": intent.amount,
        "currency": intent.currency,
    }


def confirm_intent(intent_id: str, *, payment_method: str = "pm_card_visa") -> dict[str, Any]:
    """Confirm the intent with ``payment_method`` and return the PaymentIntent as a plain dict.

    ``pm_card_visa`` and the other ``pm_card_*`` ids are Stripe's test cards: this is for tests and the
    test-mode checkout. ``status`` is then ``succeeded``, ``requires_action`` (3-D Secure) or
    ``requires_payment_method`` (declined; the error is in ``last_payment_error``).
    """
    _check_text("intent_id", intent_id)
    _check_text("payment_method", payment_method)
    try:
        intent = _client().v1.payment_intents.confirm(intent_id, {"payment_method": payment_method})
    except stripe.StripeError as error:
        raise CardError.from_stripe(error) from error
    return intent.to_dict()


def retrieve_intent(intent_id: str) -> dict[str, Any]:
    """The PaymentIntent ``intent_id`` as a plain dict (``status``, ``amount``, ``metadata``...)."""
    _check_text("intent_id", intent_id)
    try:
        intent = _client().v1.payment_intents.retrieve(intent_id)
    except stripe.StripeError as error:
        raise CardError.from_stripe(error) from error
    return intent.to_dict()


def create_refund(
    *, intent_id: str, amount_vnd: int, idempotency_key: str, metadata: dict | None = None
) -> dict[str, Any]:
    """Refund ``amount_vnd`` whole đồng of the PaymentIntent ``intent_id`` (all or part of it).

    Returns ``{"id", "status", "amount"}``: ``status`` is ``succeeded``, ``pending`` (the bank still has
    to move the money: a ``charge.refunded`` or ``charge.refund.updated`` webhook says the end),
    ``failed`` or ``canceled``. Stripe itself refuses a total above what was charged. The same
    ``idempotency_key`` never refunds twice."""
    if isinstance(amount_vnd, bool) or not isinstance(amount_vnd, int) or amount_vnd <= 0:
        raise ValueError(f"amount_vnd must be a positive int (whole đồng), got {amount_vnd!r}")
    _check_text("intent_id", intent_id)
    _check_text("idempotency_key", idempotency_key)
    params: dict[str, Any] = {"payment_intent": intent_id, "amount": amount_vnd}
    if metadata:
        params["metadata"] = {key: str(value) for key, value in metadata.items()}
    try:
        refund = _client().v1.refunds.create(params, {"idempotency_key": idempotency_key})
    except stripe.StripeError as error:
        raise CardError.from_stripe(error) from error
    return {"id": refund.id, "status": refund.status, "amount": refund.amount}


# ---------------------------------------------------------------- webhooks


def verify_webhook(payload: bytes, signature_header: str | None) -> dict[str, Any]:
    """Check the ``Stripe-Signature`` header of a webhook and return its event as a plain dict.

    ``payload`` is the raw request body (``request.body``), exactly as received: re-encoded JSON would not
    match the signature. Raises :class:`WebhookSignatureError` if the header is missing, wrong, or signed
    more than :data:`WEBHOOK_TOLERANCE` seconds ago, and ``ValueError`` if the signed body is not a JSON
    event object. Handle each event id once: Stripe delivers at least once.
    """
    secret = getattr(settings, "STRIPE_WEBHOOK_SECRET", "")
    if not secret:
        raise ImproperlyConfigured("STRIPE_WEBHOOK_SECRET is not set: webhooks cannot be verified")
    if not signature_header:
        raise WebhookSignatureError("no Stripe-Signature header")
    try:
        event = stripe.Webhook.construct_event(payload, signature_header, secret, tolerance=WEBHOOK_TOLERANCE)
    except stripe.SignatureVerificationError as error:
        raise WebhookSignatureError(error.user_message or "bad Stripe-Signature header") from error
    except AttributeError as error:
        # Validly signed JSON that is not an object (a list, a number): the library calls .get() on it.
        raise ValueError("the webhook payload is not a JSON object") from error
    # json.JSONDecodeError (invalid JSON) and UnicodeDecodeError are ValueErrors and propagate as such.
    return event.to_dict()


def signed_header(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """A valid ``Stripe-Signature`` header for ``payload``, as Stripe would send it (tests, local tooling).

    ``t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<payload>" keyed with the whsec_ secret>``; ``timestamp``
    defaults to now.
    """
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    t = int(time.time()) if timestamp is None else int(timestamp)
    signature = hmac.new(secret.encode("utf-8"), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={signature}"
