""" "Báo khi có hàng": sign a phone up for a product that is sold out, text it once when it is back.

- One pending alert per (product, phone): a database constraint; a second sign-up is told so.
- Sign-ups are limited per visitor's address and per phone per day, counted in PostgreSQL under a lock
  per key (ground.limits), so a parallel burst can neither flood a stranger's phone nor probe the list.
- When a stock record of the product is saved with stock, each pending alert gets ONE text after
  commit: the rows are claimed (locked, skip_locked, then marked notified) in one transaction, so two
  processes saving stock at once never text the same alert twice.
- Alerts are forgotten after RETENTION, texted or not.
"""

import enum
import functools
import logging
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from oscar.core.loading import get_class, get_model

from ground.limits import lock_keys
from ground.messaging import send_text
from marketplace.restock.models import RestockAlert, RestockRequest

logger = logging.getLogger(__name__)

Product = get_model("catalogue", "Product")
Selector = get_class("partner.strategy", "Selector")

RETENTION = timedelta(days=90)
PER_ADDRESS = (20, timedelta(days=1))  # sign-up tries from one address (an IPv6 /64)
PER_PHONE = (5, timedelta(days=1))  # alerts for one phone: at most this many texts a day from us


class Outcome(enum.Enum):
    CREATED = "created"
    ALREADY = "already"
    TOO_MANY_HERE = "too_many_here"
    TOO_MANY_FOR_PHONE = "too_many_for_phone"


def restock_alert_create(*, product, phone: str, address: str, language: str = "vi") -> Outcome:
    """Put ``phone`` (already normalised, +84...) on the product's list. Every try from an address is
    counted, the ones refused for the phone or as a repeat too (committed: the caller answers after)."""
    with transaction.atomic():
        address = address or "unknown"
        lock_keys(f"restock-address:{address}", f"restock-phone:{phone}")
        now = timezone.now()
        restock_prune(now=now)
        limit, window = PER_ADDRESS
        if RestockRequest.objects.filter(address=address, at__gte=now - window).count() >= limit:
            return Outcome.TOO_MANY_HERE
        RestockRequest.objects.create(address=address)
        pending = RestockAlert.objects.filter(product=product, phone=phone, notified_at__isnull=True)
        if pending.exists():
            return Outcome.ALREADY
        limit, window = PER_PHONE
        if RestockAlert.objects.filter(phone=phone, created_at__gte=now - window).count() >= limit:
            return Outcome.TOO_MANY_FOR_PHONE
        try:
            with transaction.atomic():  # the constraint is the last word, should another path add one
                RestockAlert.objects.create(product=product, phone=phone, language=language[:8])
        except IntegrityError:
            return Outcome.ALREADY
    return Outcome.CREATED


def restock_prune(*, now=None) -> int:
    """Forget alerts older than RETENTION (texted or not) and address counts past their window."""
    now = now or timezone.now()
    deleted, _counts = RestockAlert.objects.filter(created_at__lt=now - RETENTION).delete()
    RestockRequest.objects.filter(at__lt=now - PER_ADDRESS[1]).delete()
    return deleted


def is_sold_out(info) -> bool:
    """A verified stall offers it (Oscar's purchase info has a stock record) but none can be bought."""
    return info.stockrecord is not None and not info.availability.is_available_to_buy


def stock_saved(*, stockrecord) -> None:
    """A stock record was saved (the stall's product form, a cancellation...): with stock, the
    product's waiting phones are texted once its transaction commits."""
    if (stockrecord.net_stock_level or 0) > 0:
        notify = functools.partial(restock_notify, product_id=stockrecord.product_id)
        transaction.on_commit(notify, robust=True)  # a failed text never fails the stall's save


def restock_notify(*, product_id: int) -> int:
    """Text every pending alert of the product once, if it can be bought now; how many were texted."""
    pending = RestockAlert.objects.filter(product_id=product_id, notified_at__isnull=True)
    if not pending.exists():
        return 0
    product = Product.objects.filter(pk=product_id, is_public=True).first()
    if product is None:
        return 0
    info = Selector().strategy().fetch_for_product(product)
    if info.stockrecord is None or not info.availability.is_available_to_buy:
        return 0
    now = timezone.now()
    url = settings.SITE_URL + product.get_absolute_url()
    stall = info.stockrecord.partner.stall
    with transaction.atomic():
        # Rows another process has claimed are skipped, and the UPDATE only takes the ones still
        # pending: each alert is texted by exactly one process, once.
        claimed = list(
            pending.filter(created_at__gte=now - RETENTION)
            .select_for_update(skip_locked=True)
            .values_list("pk", "phone", "language")
        )
        RestockAlert.objects.filter(pk__in=[pk for pk, _phone, _language in claimed]).update(notified_at=now)
        for _pk, phone, language in claimed:
            with translation.override(language):
                # Without diacritics in Vietnamese too: plain GSM-7 texts are cheaper and reach every phone.
                text = _("Cho OCOP: %(product)s is back in stock at %(stall)s. Buy it here: %(url)s") % {
                    "product": plain(product.title),
                    "stall": plain(stall.name),
                    "url": url,
                }
            transaction.on_commit(functools.partial(send_text, phone=phone, text=text), robust=True)
    if claimed:
        logger.info("restock: %s alerts texted for product %s", len(claimed), product_id)
    return len(claimed)


def plain(text: str) -> str:
    """'Vải thiều Đông Triều' -> 'Vai thieu Dong Trieu' (case kept), for a GSM-7 text."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))
