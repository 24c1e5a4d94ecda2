"""The buyer's own pages: sign in with a code to the phone, every order placed with that phone, one
checkout's orders with what the buyer can do after the sale, buying an order again, and the texted
link that opens a checkout's orders on any browser."""

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ground.client import client_address
from ground.phone import display_mobile
from marketplace.buyers.selectors import buyer_orders, current_step
from marketplace.buyers.services import buy_again, buyer_login
from marketplace.complaints import services as complaints_services
from marketplace.feedback import services as feedback_services
from marketplace.payments.buyers import SESSION_KEY, buyer_checkouts, checkout_from_link, remember_checkout
from marketplace.payments.services import checkout_payments
from sellers import otp
from sellers.forms import CodeForm, PhoneForm
from sellers.models import OneTimeCode

PENDING_KEY = "buyers_pending_phone"
BACKEND = "django.contrib.auth.backends.ModelBackend"
ORDERS_PER_PAGE = 10


def _safe_next(request, url: str | None) -> str:
    """``url`` when it is a page of this site, else the orders page (never another site's address)."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("buyers:orders")


@require_http_methods(["GET", "POST"])
def login_phone(request):
    """Step 1: the phone number. Any Vietnamese mobile gets a code (an unknown number becomes a
    buyer's account once the code is right); the limits per number and per device apply."""
    form = PhoneForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        try:
            otp.otp_send(phone=phone, purpose=OneTimeCode.Purpose.LOGIN, ip_address=client_address(request))
        except otp.CodeError as error:
            form.add_error("phone", str(error))
        else:
            request.session[PENDING_KEY] = {"phone": phone, "next": _safe_next(request, next_url)}
            return redirect("buyers:login-code")
    return render(request, "buyers/phone_form.html", {"form": form, "next": next_url[:500]})


@require_http_methods(["GET", "POST"])
def login_code(request):
    """Step 2: the code from the message."""
    pending = request.session.get(PENDING_KEY)
    if not pending:
        return redirect("buyers:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = buyer_login(phone=pending["phone"], code=form.cleaned_data["code"])
        except (otp.CodeError, ValidationError) as error:
            form.add_error("code", error.messages[0] if isinstance(error, ValidationError) else str(error))
        else:
            kept = request.session.get(SESSION_KEY, [])
            login(request, user, backend=BACKEND)
            # Signing in as someone else empties the session: this browser's own orders stay its own.
            for reference in kept:
                remember_checkout(request, reference)
            request.session.pop(PENDING_KEY, None)
            messages.success(
                request, _("You are signed in with %(phone)s.") % {"phone": display_mobile(pending["phone"])}
            )
            return redirect(_safe_next(request, pending.get("next")))
    context = {"form": form, "phone": display_mobile(pending["phone"])}
    return render(request, "buyers/code_form.html", context)


@require_GET
def orders(request):
    """Every order of the checkouts this request may act on: an account's and its phone's when
    signed in, else the ones this browser placed (with a way to sign in and see them all)."""
    page = Paginator(buyer_orders(request), ORDERS_PER_PAGE).get_page(request.GET.get("trang"))
    for payment in page:
        payment.step = current_step(payment)
    return render(request, "buyers/orders.html", {"page": page, "orders": list(page)})


def _own_checkout(request, reference: str):
    """The checkout, when this request may act on it as its buyer; a 404 for anyone else (a guessed
    reference looks like one that does not exist)."""
    return get_object_or_404(buyer_checkouts(request), reference=reference[:20])


@require_GET
def checkout_orders(request, reference: str):
    """One checkout's orders, their timeline, and what the buyer can do after the sale."""
    checkout = _own_checkout(request, reference)
    payments = checkout_payments(checkout)
    feedback_services.annotate(payments, request)
    complaints_services.annotate(payments, request)
    return render(request, "buyers/checkout.html", {"checkout": checkout, "payments": payments})


@require_POST
def order_again(request, number: str):
    """The "Buy again" button: the order's products in the basket as they are sold now, then the basket."""
    payment = get_object_or_404(buyer_orders(request), order__number=number[:128])
    result = buy_again(basket=request.basket, order=payment.order)
    if result.added:
        messages.success(request, _("Added to your basket: %(items)s.") % {"items": ", ".join(result.added)})
    for problem in result.problems:
        messages.warning(request, problem)
    if not result.added:
        messages.error(request, _("Nothing from this order can be bought now."))
    return redirect("basket:summary")


@require_GET
def open_link(request, token: str):
    """The link of a text message: this browser may now act on the checkout as its buyer."""
    checkout = checkout_from_link(token)
    if checkout is None:
        messages.error(
            request,
            _("This link is no longer valid. Sign in with your phone to see your orders."),
        )
        return redirect("buyers:login")
    remember_checkout(request, checkout.reference)
    return redirect("buyers:checkout", reference=checkout.reference)
