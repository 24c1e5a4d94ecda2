"""Who is an order's buyer, with or without an account.

A buyer acts on an order (reviews it, complains, rates the service) only when they show they hold it:

- the browser that placed the checkout (its reference is kept in the session);
- the link texted to the phone that placed it (:func:`order_link`, signed, opened by the buyers app:
  it adds the checkout to that browser's session);
- an account that placed it, or that signed in with a one-time code to the phone that placed it
  (``sellers.PhoneAccount``): every order ever placed with that phone, guest orders included.

Knowing an order number and a phone number (the tracking page) shows an order, never acts on it.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db.models import Q
from django.urls import reverse

from marketplace.payments.models import Checkout
from sellers.models import PhoneAccount

SESSION_KEY = "checkouts"  # references of the checkouts this browser may act on, newest last
SESSION_KEEP = 20
LINK_SALT = "chocop.buyer-order-link"
LINK_MAX_AGE = timedelta(days=60)


def remember_checkout(request, reference: str) -> None:
    kept = [ref for ref in request.session.get(SESSION_KEY, []) if ref != reference]
    request.session[SESSION_KEY] = [*kept[-(SESSION_KEEP - 1) :], reference]


def verified_phone(user) -> str | None:
    """The phone this account proved with a one-time code (sellers' and buyers' phone sign-in)."""
    if user is None or not user.is_authenticated:
        return None
    account = PhoneAccount.objects.filter(user=user).only("phone").first()
    return account.phone if account is not None else None


def buyer_checkouts(request):
    """Every checkout this request may act on as the buyer (see the module's docstring)."""
    condition = Q(reference__in=request.session.get(SESSION_KEY, []))
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        condition |= Q(user=user)
        # One page asks several times (the checkout, its reviews, its complaints): the phone once.
        if not hasattr(request, "_buyer_phone"):
            request._buyer_phone = verified_phone(user)
        if request._buyer_phone:
            condition |= Q(phone=request._buyer_phone)
    return Checkout.objects.filter(condition)


def buyer_owns(request, order) -> bool:
    """Whether this request may act on ``order`` as its buyer."""
    return buyer_checkouts(request).filter(payments__order=order).exists()


def order_link(checkout: Checkout, *, part: str = "") -> str:
    """The link texted to the buyer: it opens the checkout's orders, with their actions, on any browser
    (at ``part``, an anchor of the page, when given: browsers keep it through the redirect)."""
    token = signing.dumps(checkout.reference, salt=LINK_SALT, compress=True)
    link = settings.SITE_URL + reverse("buyers:open", kwargs={"token": token})
    return f"{link}#{part}" if part else link


def checkout_from_link(token: str) -> Checkout | None:
    """The checkout of a texted link, None when the link is forged or older than LINK_MAX_AGE."""
    try:
        reference = signing.loads(token, salt=LINK_SALT, max_age=LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    return Checkout.objects.filter(reference=reference).first()
