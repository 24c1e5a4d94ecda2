""" "Báo khi có hàng": the sign-up form of a sold-out product (also on its product page)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from oscar.core.loading import get_model

from ground.client import address_key
from ground.phone import display_mobile
from marketplace.payments.buyers import verified_phone
from marketplace.restock.forms import RestockForm
from marketplace.restock.services import Outcome, is_sold_out, restock_alert_create

Product = get_model("catalogue", "Product")


def initial_phone(request) -> str:
    """A signed-in buyer's proven phone, as people write it."""
    phone = verified_phone(getattr(request, "user", None))
    return display_mobile(phone) if phone else ""


@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request, product_pk: int):
    product = get_object_or_404(Product, pk=product_pk, is_public=True)
    info = request.strategy.fetch_for_product(product)
    if info.stockrecord is None:  # no verified stall offers it: its page does not exist either
        raise Http404
    if not is_sold_out(info):
        messages.info(request, _("Good news: it is in stock now."))
        return redirect(product.get_absolute_url())
    data = request.POST if request.method == "POST" else None
    form = RestockForm(data, initial={"phone": initial_phone(request)})
    status = 200
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        outcome = restock_alert_create(
            product=product, phone=phone, address=address_key(request), language=get_language() or "vi"
        )
        if outcome in (Outcome.CREATED, Outcome.ALREADY):
            # The same words for a phone already waiting: nobody learns what a stranger's phone waits for.
            messages.success(
                request,
                _("Thank you. We will text %(phone)s once, when %(product)s is back.")
                % {"phone": display_mobile(phone), "product": product.title},
            )
            return redirect(product.get_absolute_url())
        status = 429
        if outcome is Outcome.TOO_MANY_HERE:
            form.add_error(None, _("Too many sign-ups from this device today. Please try again tomorrow."))
        else:
            form.add_error(
                "phone", _("This number is waiting for many products already. Try again tomorrow.")
            )
    return render(
        request,
        "restock/subscribe.html",
        {"product": product, "form": form, "stall": info.stockrecord.partner.stall},
        status=status,
    )
