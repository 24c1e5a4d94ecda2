"""The buyer's own pages: the texted link that opens a checkout's orders on any browser."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from marketplace.payments.buyers import checkout_from_link, remember_checkout


@require_GET
def open_link(request, token: str):
    """The link of a text message: this browser may now act on the checkout as its buyer."""
    checkout = checkout_from_link(token)
    if checkout is None:
        messages.error(
            request,
            _("This link is no longer valid. Sign in with your phone to see your orders."),
        )
        return redirect("track")
    remember_checkout(request, checkout.reference)
    return redirect("checkout:thank-you", reference=checkout.reference)
