"""Checkout on one page (guests welcome), the page after it with how to pay each stall, card payment,
order tracking without an account, and the payment notifications (Stripe, banks)."""

import hmac
import json
import logging

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ground.client import network_key
from ground.tenancy import current_communes
from marketplace.checkout.forms import CheckoutForm, TrackForm
from marketplace.payments import card
from marketplace.payments.checkout import CheckoutProblem, place_orders, refresh_prices, stall_groups
from marketplace.payments.models import Checkout, OrderPayment
from marketplace.payments.services import (
    bank_signature,
    first_time,
    mark_failed,
    mark_paid,
    notify_placed,
    timeline,
    tracked_checkout,
    tracking_allowed,
    vietqr_for,
)

logger = logging.getLogger(__name__)
SESSION_KEY = "checkouts"


def _cards() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


class CheckoutView(View):
    template_name = "oscar/checkout/checkout.html"

    def _form(self, request, data=None):
        groups = stall_groups(
            request.basket, delivery=(data or {}).get("delivery") or Checkout.Delivery.DELIVERY
        )
        communes = current_communes(request) or []
        provinces = {commune.province_code for commune in communes}
        province = provinces.pop() if len(provinces) == 1 else None
        initial = {"province": province}
        if len(communes) == 1:
            initial["commune"] = communes[0].code
        form = CheckoutForm(data, groups=groups, cards=_cards(), province=province, initial=initial)
        return form, groups

    def _page(self, request, form, groups, status=200):
        for group in groups:
            group.pay = form[group.pay_field]
        context = {"form": form, "groups": groups, "total": sum(group.total for group in groups)}
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        if request.basket.is_empty:
            return redirect("basket:summary")
        form, groups = self._form(request)
        return self._page(request, form, groups)

    def post(self, request):
        if request.basket.is_empty:
            messages.info(request, _("Your basket is empty."))
            return redirect("basket:summary")
        form, groups = self._form(request, request.POST)
        if "refresh" in request.POST or not form.is_valid():
            return self._page(request, form, groups, status=200 if "refresh" in request.POST else 400)
        try:
            checkout = place_orders(
                basket=request.basket,
                buyer=form.buyer(),
                methods=form.methods(),
                user=request.user,
                request=request,
            )
        except CheckoutProblem as problem:
            if problem.prices_changed:
                refresh_prices(request.basket)
            for message in problem.messages:
                messages.error(request, message)
            form, groups = self._form(request, request.POST)
            form.is_valid()
            return self._page(request, form, groups, status=409)
        request.session[SESSION_KEY] = [*request.session.get(SESSION_KEY, [])[-9:], checkout.reference]
        transaction.on_commit(lambda: notify_placed(checkout))
        _start_card_payments(checkout)
        return redirect("checkout:thank-you", reference=checkout.reference)


def _start_card_payments(checkout: Checkout) -> None:
    for payment in checkout.payments.filter(method=OrderPayment.Method.CARD).select_related("order"):
        try:
            intent = card.create_intent(
                amount_vnd=payment.amount,
                order_number=payment.order.number,
                idempotency_key=f"order-{payment.order.number}",
                email=checkout.email,
            )
        except card.CardError as error:
            logger.error("Card payment for order %s could not start: %s", payment.order.number, error)
            continue
        OrderPayment.objects.filter(pk=payment.pk).update(reference=intent["id"])


def _own_checkout(request, reference: str) -> Checkout:
    """Only the browser that placed it (or the tracking page, with the phone number) sees a checkout."""
    if reference not in request.session.get(SESSION_KEY, []):
        raise Http404
    return Checkout.objects.get(reference=reference)


def _payments_for_page(checkout: Checkout) -> list[OrderPayment]:
    payments = list(
        checkout.payments.select_related("order", "stall__partner")
        .prefetch_related("order__lines")
        .order_by("pk")
    )
    for payment in payments:
        payment.steps = timeline(payment)
        if payment.method == OrderPayment.Method.VIETQR and payment.status != OrderPayment.Status.PAID:
            try:
                payment.vietqr = vietqr_for(payment)
            except ValueError:  # the stall changed its bank details since: the page says to ask it
                payment.vietqr = None
    return payments


def thank_you(request, reference: str):
    checkout = _own_checkout(request, reference)
    payments = _payments_for_page(checkout)
    if settings.STRIPE_PUBLISHABLE_KEY:
        # Stripe's own card form (Payment Element) needs each open card order's client secret.
        for payment in payments:
            if payment.method == OrderPayment.Method.CARD and payment.status != OrderPayment.Status.PAID:
                try:
                    payment.client_secret = card.retrieve_intent(payment.reference)["client_secret"]
                except (card.CardError, ValueError) as error:
                    logger.error("Card form for order %s unavailable: %s", payment.order.number, error)
    context = {
        "checkout": checkout,
        "payments": payments,
        "cards_test_mode": _test_mode() and not settings.STRIPE_PUBLISHABLE_KEY,
        "stripe_key": settings.STRIPE_PUBLISHABLE_KEY,
        "return_url": request.build_absolute_uri(),
    }
    return render(request, "oscar/checkout/thank_you.html", context)


def _test_mode() -> bool:
    return settings.STRIPE_SECRET_KEY.startswith("sk_test_")


@require_POST
def card_pay(request, number: str):
    """Test mode only (stripe-mock or Stripe's test keys): confirm the order's PaymentIntent with Stripe's
    test card. With live keys the card is entered in Stripe's own form and confirmed in the browser."""
    payment = (
        OrderPayment.objects.filter(order__number=number, method=OrderPayment.Method.CARD)
        .select_related("checkout")
        .first()
    )
    if payment is None or payment.checkout.reference not in request.session.get(SESSION_KEY, []):
        raise Http404
    if not _test_mode() or not payment.reference:
        messages.error(request, _("Card payment is not available right now: choose another way to pay."))
    else:
        try:
            card.confirm_intent(payment.reference)
            messages.info(request, _("Card payment sent: the order shows as paid when the bank confirms it."))
        except card.CardError as error:
            messages.error(request, _("The card payment failed: %(reason)s") % {"reason": error.message})
    return redirect("checkout:thank-you", reference=payment.checkout.reference)


def track(request):
    """/shop/track/: the order number and the phone number show every stall's order of that checkout.
    A wrong pair says only that nothing matched; lookups per network are limited."""
    form = TrackForm(request.POST or None)
    context = {"form": form}
    status = 200
    if request.method == "POST":
        if not tracking_allowed(network_key(request) or "unknown"):
            messages.error(request, _("Too many lookups: try again in a quarter of an hour."))
            status = 429
        elif form.is_valid():
            checkout = tracked_checkout(form.cleaned_data["number"], form.cleaned_data["phone"])
            if checkout is None:
                context["not_found"] = True
                status = 404
            else:
                context.update(checkout=checkout, payments=_payments_for_page(checkout))
        else:
            status = 400
    return render(request, "oscar/checkout/track.html", context, status=status)


# Payment notifications ----------------------------------------------------------------------------


@csrf_exempt
@require_POST
def stripe_webhook(request):
    if not settings.STRIPE_WEBHOOK_SECRET:
        return JsonResponse({"status": "not configured"}, status=503)
    try:
        event = card.verify_webhook(request.body, request.headers.get("Stripe-Signature"))
    except ValueError as error:  # WebhookSignatureError included
        return HttpResponseBadRequest(f"Rejected: {error}")
    with transaction.atomic():  # a failure below forgets the event, so Stripe's retry is handled
        return _handle_stripe_event(event)


def _handle_stripe_event(event: dict) -> JsonResponse:
    if not first_time("stripe", event.get("id", "")):
        return JsonResponse({"status": "already processed"})
    kind = event.get("type", "")
    intent = event.get("data", {}).get("object", {})
    if kind not in ("payment_intent.succeeded", "payment_intent.payment_failed"):
        return JsonResponse({"status": "ignored", "type": kind})
    payment = _card_payment(intent)
    if payment is None:
        return JsonResponse({"status": "unknown order", "payment_intent": intent.get("id")}, status=404)
    if kind == "payment_intent.succeeded":
        if int(intent.get("amount_received") or intent.get("amount") or 0) != payment.amount:
            logger.error("Stripe amount %s differs from order %s", intent.get("amount"), payment.order.number)
            return JsonResponse({"status": "amount mismatch"}, status=400)
        mark_paid(payment, source="stripe", reference=intent.get("id", ""))
    else:
        mark_failed(payment, reference=intent.get("id", ""))
    return JsonResponse({"status": "ok"})


def _card_payment(intent: dict) -> OrderPayment | None:
    payments = OrderPayment.objects.filter(method=OrderPayment.Method.CARD).select_related(
        "order", "checkout"
    )
    number = (intent.get("metadata") or {}).get("order_number")
    return payments.filter(reference=intent.get("id") or "-").first() or (
        payments.filter(order__number=number).first() if number else None
    )


@csrf_exempt
@require_POST
def bank_webhook(request):
    """A bank's notification of a transfer (the interface for an automatic VietQR confirmation):
    JSON {"id", "account", "amount", "content"} signed with HMAC-SHA256 of the body in X-Signature.
    The transfer must reach the stall's own account, with the exact amount, and its content must
    carry both the order number and the checkout reference (both are in the QR's content)."""
    if not settings.BANK_WEBHOOK_SECRET:
        return JsonResponse({"status": "not configured"}, status=503)
    signature = request.headers.get("X-Signature", "").encode("ascii", "replace")
    if not hmac.compare_digest(bank_signature(request.body).encode(), signature):
        return HttpResponseBadRequest("Rejected: bad signature")
    try:
        notice = json.loads(request.body)
        transfer_id, account = str(notice["id"]), str(notice["account"])
        amount, content = int(notice["amount"]), str(notice["content"])
    except (ValueError, KeyError, TypeError):
        return HttpResponseBadRequest("Rejected: expected JSON with id, account, amount and content")
    with transaction.atomic():  # a failure below forgets the notice, so the bank's retry is handled
        if not first_time("bank", transfer_id):
            return JsonResponse({"status": "already processed"})
        words = content.upper().split()
        payments = list(
            OrderPayment.objects.filter(
                method=OrderPayment.Method.VIETQR, order__number__in=words, checkout__reference__in=words
            ).select_related("order", "checkout", "stall")[:2]
        )
        if len(payments) != 1:
            return JsonResponse({"status": "unknown order" if not payments else "ambiguous"}, status=404)
        payment = payments[0]
        if account != payment.stall.bank_account_number:
            return JsonResponse({"status": "not the stall's account"}, status=409)
        if amount != payment.amount:
            return JsonResponse({"status": "amount mismatch", "expected": payment.amount}, status=409)
        mark_paid(payment, source="bank", reference=transfer_id)
    return JsonResponse({"status": "ok", "order": payment.order.number})
