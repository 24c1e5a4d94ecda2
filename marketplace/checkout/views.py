"""Checkout on one page (guests welcome), the page after it with how to pay each stall, card payment
in test mode, and order tracking without an account. The payments package does the work."""

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_GET, require_POST

from ground.client import address_key
from ground.tenancy import current_communes
from marketplace.checkout.addresses import past_addresses
from marketplace.checkout.forms import CheckoutForm, PreorderForm, TrackForm, commune_choices
from marketplace.checkout.preorders import PreorderProblem, preorder_line_add
from marketplace.payments import card
from marketplace.payments.buyers import SESSION_KEY, remember_checkout
from marketplace.payments.checkout import CheckoutProblem, place_orders, refresh_prices, stall_groups
from marketplace.payments.models import Checkout, OrderPayment
from marketplace.payments.services import (
    card_form_secrets,
    card_payments_start,
    checkout_payments,
    notify_placed,
    tracked_checkout,
    tracking_allowed,
)
from seasons.models import SaleWindow


def _cards() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


class CheckoutView(View):
    template_name = "oscar/checkout/checkout.html"

    def _form(self, request, data=None, typed=None, addresses=()):
        """The form bound to ``data``, or unbound and showing ``typed`` (nothing to correct yet), else
        the newest of the buyer's past ``addresses``."""
        groups = stall_groups(
            request.basket, delivery=(data or typed or {}).get("delivery") or Checkout.Delivery.DELIVERY
        )
        initial = typed or _last_address(addresses)
        if not initial:
            # A guess that costs nothing to change: the storefront's one province lists its communes.
            # Never its commune: the shop's commune is not where the buyer lives.
            provinces = {commune.province_code for commune in current_communes(request) or []}
            initial = {"province": provinces.pop() if len(provinces) == 1 else None}
        form = CheckoutForm(
            data, groups=groups, cards=_cards(), province=initial.get("province"), initial=initial
        )
        return form, groups

    def _page(self, request, form, groups, status=200, addresses=(), chosen=None):
        for group in groups:
            group.pay = form[group.pay_field]
            group.deposit_choice = form[group.deposit_field] if group.deposit_field else None
        context = {
            "form": form,
            "groups": groups,
            "total": sum(group.total for group in groups),
            "addresses": addresses,
            "chosen_address": chosen,
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        if request.basket.is_empty:
            return redirect("basket:summary")
        addresses = past_addresses(request)
        form, groups = self._form(request, addresses=addresses)
        chosen = addresses[0].reference if addresses else None
        return self._page(request, form, groups, addresses=addresses, chosen=chosen)

    def post(self, request):
        if request.basket.is_empty:
            messages.info(request, _("Your basket is empty."))
            return redirect("basket:summary")
        addresses = past_addresses(request)
        if "use_address" in request.POST:  # one of the buyer's past addresses fills the fields
            chosen = next((a for a in addresses if a.reference == request.POST.get("saved_address")), None)
            typed = {**request.POST.dict(), **(chosen.fields if chosen else {})}
            form, groups = self._form(request, typed=typed)
            return self._page(
                request, form, groups, addresses=addresses, chosen=chosen.reference if chosen else None
            )
        if "refresh" in request.POST:  # without JavaScript: the communes of the province just chosen
            form, groups = self._form(request, typed=request.POST.dict())
            return self._page(request, form, groups, addresses=addresses)
        form, groups = self._form(request, request.POST, addresses=addresses)
        if not form.is_valid():
            return self._page(request, form, groups, status=400, addresses=addresses)
        try:
            checkout = place_orders(
                basket=request.basket,
                buyer=form.buyer(),
                methods=form.methods(),
                user=request.user,
                request=request,
                pay_whole=form.pay_whole(),
            )
        except CheckoutProblem as problem:
            if problem.prices_changed:
                refresh_prices(request.basket)
            for message in problem.messages:
                messages.error(request, message)
            form, groups = self._form(request, request.POST, addresses=addresses)
            form.is_valid()
            return self._page(request, form, groups, status=409, addresses=addresses)
        remember_checkout(request, checkout.reference)
        transaction.on_commit(lambda: notify_placed(checkout))
        card_payments_start(checkout=checkout)
        return redirect("checkout:thank-you", reference=checkout.reference)


@require_POST
def preorder_add(request, window_pk: int):
    """/dat-truoc/<window>/: a pre-order goes in the basket, then straight to the checkout; a refusal
    goes back to where the buyer was (the product or campaign page) with why."""
    window = get_object_or_404(SaleWindow.objects.select_related("product", "stall__partner"), pk=window_pk)
    form = PreorderForm(request.POST)
    back = _same_site(request) or window.product.get_absolute_url()
    if not form.is_valid():
        for error in form.errors.get("quantity", []):
            messages.error(request, error)
        return redirect(back)
    try:
        preorder_line_add(basket=request.basket, window=window, quantity=form.cleaned_data["quantity"])
    except PreorderProblem as problem:
        messages.error(request, problem.message)
        return redirect(back)
    return redirect("checkout:index")


def _same_site(request) -> str:
    """The page the buyer came from, if it is ours."""
    referer = request.headers.get("referer", "")
    return referer if referer and url_has_allowed_host_and_scheme(referer, {request.get_host()}) else ""


def _last_address(addresses) -> dict:
    """What this buyer typed last time (the newest of their past addresses: their account's, their
    phone's, this browser's): the form starts from it. Empty for someone new."""
    return dict(addresses[0].fields) if addresses else {}


@require_GET
def communes(request):
    """The communes of a province, for the checkout's script (the list follows the province at once)."""
    code = request.GET.get("tinh", "")
    choices = commune_choices(int(code)) if code.isdigit() else []
    response = JsonResponse(
        {"communes": [pair for pair in choices if pair[0]]}, json_dumps_params={"ensure_ascii": False}
    )
    patch_cache_control(response, public=True, max_age=86400)
    return response


def _own_checkout(request, reference: str) -> Checkout:
    """Only the browser that placed it (or the tracking page, with the phone number) sees a checkout."""
    if reference not in request.session.get(SESSION_KEY, []):
        raise Http404
    return Checkout.objects.get(reference=reference)


def thank_you(request, reference: str):
    checkout = _own_checkout(request, reference)
    # A transfer still to make comes first: its QR is on the first screen.
    payments = sorted(checkout_payments(checkout), key=lambda payment: not getattr(payment, "vietqr", None))
    if settings.STRIPE_PUBLISHABLE_KEY:
        card_form_secrets(payments)
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
    """/shop/track/: an order number or the checkout reference ("#100005", "dh7k 3m9p", any case)
    and the phone number show every stall's order of that checkout. A wrong pair says only that
    nothing matched; lookups per network and per code are limited."""
    form = TrackForm(request.POST or None, initial={"number": request.GET.get("ma", "")[:40]})
    context = {"form": form}
    status = 200
    if request.method == "POST":
        if not tracking_allowed(address=address_key(request), number=request.POST.get("number", "")):
            messages.error(request, _("Too many lookups: try again in a quarter of an hour."))
            status = 429
        elif form.is_valid():
            checkout = tracked_checkout(form.cleaned_data["number"], form.cleaned_data["phone"])
            if checkout is None:
                context["not_found"] = True
                status = 404
            else:
                context.update(checkout=checkout, payments=checkout_payments(checkout))
        else:
            status = 400
    return render(request, "oscar/checkout/track.html", context, status=status)
