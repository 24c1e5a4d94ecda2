"""Placing a basket: one Oscar order per stall, under one checkout reference, in one transaction.

Oscar's ``OrderCreator`` makes one order per basket (django-oscar issue 1519), so the submitted
basket is split by stall into sub-baskets, each placed with ``OrderCreator``. Before anything is
written the stock records of every line are locked, always in primary-key order (no deadlock
between two buyers), and checked: a stall no longer selling, a price changed since the basket was
filled, or stock gone raises ``CheckoutProblem`` and nothing is created. The basket stays as it was.
"""

import secrets
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from oscar.apps.shipping.methods import FixedPrice, Free
from oscar.core.loading import get_class, get_model

from ground.money import format_vnd, to_dong
from marketplace.payments.models import Checkout, OrderPayment
from sellers.models import PAYOUT_FIELDS, PayoutChange, Stall

Basket = get_model("basket", "Basket")
StockRecord = get_model("partner", "StockRecord")
Country = get_model("address", "Country")
ShippingAddress = get_model("order", "ShippingAddress")
OrderCreator = get_class("order.utils", "OrderCreator")
OrderTotalCalculator = get_class("checkout.calculators", "OrderTotalCalculator")
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class CheckoutProblem(Exception):
    """What stops the order, in words for the buyer; nothing was created."""

    def __init__(self, messages: list[str], *, prices_changed: bool = False):
        super().__init__("; ".join(messages))
        self.messages = messages
        self.prices_changed = prices_changed


@dataclass(frozen=True)
class Buyer:
    name: str
    phone: str  # +84...
    email: str
    delivery: str  # Checkout.Delivery
    province_code: int | None = None
    province_name: str = ""
    commune_code: int | None = None
    commune_name: str = ""
    address: str = ""


@dataclass
class StallGroup:
    """A stall's part of the basket: its lines, subtotal and delivery fee, in whole đồng."""

    stall: Stall
    lines: list
    subtotal: int
    delivery_fee: int

    @property
    def total(self) -> int:
        return self.subtotal + self.delivery_fee

    @cached_property
    def payout_on_hold(self) -> bool:
        """Asked only by the checkout page (its note); the basket's pages never pay the query."""
        return payout_on_hold(self.stall)

    @property
    def free_delivery_missing(self) -> int:
        """How much more to buy from this stall for free delivery (0 when free or not offered)."""
        limit = self.stall.free_delivery_from
        return max(limit - self.subtotal, 0) if limit and self.delivery_fee else 0


def delivery_fee(stall: Stall, subtotal: int, delivery: str) -> int:
    if delivery == Checkout.Delivery.PICKUP:
        return 0
    if stall.free_delivery_from and subtotal >= stall.free_delivery_from:
        return 0
    return stall.delivery_fee


def stall_groups(basket, *, delivery: str = Checkout.Delivery.DELIVERY) -> list[StallGroup]:
    """The basket's lines grouped by the stall they are bought from (per the strategy's stock record)."""
    by_stall: dict[int, list] = defaultdict(list)
    stalls: dict[int, Stall] = {}
    for line in basket.all_lines():
        stall = line.stockrecord.partner.stall
        stalls[stall.pk] = stall
        by_stall[stall.pk].append(line)
    groups = []
    for stall_pk, lines in by_stall.items():
        subtotal = sum(to_dong(line.line_price_incl_tax or 0) for line in lines)
        stall = stalls[stall_pk]
        groups.append(StallGroup(stall, lines, subtotal, delivery_fee(stall, subtotal, delivery)))
    return sorted(groups, key=lambda group: group.stall.name)


def payout_on_hold(stall: Stall) -> bool:
    """New bank details wait for the household's code: until then the stall is paid in cash only."""
    return PayoutChange.objects.pending().filter(stall=stall).exists()


def methods_for(stall: Stall, *, cards: bool) -> list[str]:
    """How this stall can be paid: cash always, a transfer to its own account, a card if configured;
    only cash while new bank details wait for the household's code (neither account is sure then)."""
    methods = [OrderPayment.Method.COD]
    if payout_on_hold(stall):
        return methods
    if stall.has_payout_account:
        methods.append(OrderPayment.Method.VIETQR)
    if cards:
        methods.append(OrderPayment.Method.CARD)
    return methods


def refresh_prices(basket) -> list[str]:
    """Bring every line to its stall's current price; returns what changed, in words (committed)."""
    changes = []
    for line in basket.all_lines():
        current = line.stockrecord.price
        if current is not None and line.price_incl_tax != current:
            changes.append(_price_changed(line.product.get_title(), new=current, old=line.price_incl_tax))
            line.price_excl_tax = line.price_incl_tax = current
            line.save(update_fields=["price_excl_tax", "price_incl_tax"])
    return changes


def _price_changed(title: str, *, new, old) -> str:
    return _("The price of %(product)s is now %(new)s (it was %(old)s).") % {
        "product": title,
        "new": format_vnd(new),
        "old": format_vnd(old),
    }


def _account(user):
    """The signed-in buyer, or None for a guest."""
    return user if user is not None and user.is_authenticated else None


def place_orders(*, basket, buyer: Buyer, methods: dict[int, str], user=None, request=None) -> Checkout:
    """One order per stall, all or none. ``methods``: payment method per stall pk."""
    if basket.is_empty:
        raise CheckoutProblem([_("Your basket is empty.")])
    with transaction.atomic():
        # The basket's row first: a second submission waits here, then finds it already placed.
        if Basket.objects.select_for_update().filter(pk=basket.pk, status=Basket.OPEN).first() is None:
            raise CheckoutProblem([_("This basket was already ordered.")])
        lines = list(basket.all_lines())
        records = {
            record.pk: record
            for record in StockRecord.objects.select_for_update(of=("self",))
            .filter(pk__in={line.stockrecord_id for line in lines})
            .select_related("partner__stall")
            .order_by("pk")
        }
        _check(lines, records)
        groups = stall_groups(basket, delivery=buyer.delivery)
        for group in groups:
            if methods.get(group.stall.pk) not in methods_for(
                group.stall, cards=bool(settings.STRIPE_SECRET_KEY)
            ):
                raise CheckoutProblem([_("Choose how to pay %(stall)s.") % {"stall": group.stall.name}])
        checkout = Checkout.objects.create(
            reference=_new_reference(),
            name=buyer.name,
            phone=buyer.phone,
            email=buyer.email,
            delivery=buyer.delivery,
            province_code=buyer.province_code,
            commune_code=buyer.commune_code,
            address=buyer.address,
            user=_account(user),
        )
        for group in groups:
            _place_stall_order(basket, group, checkout, buyer, methods[group.stall.pk], user, request)
        basket.submit()
    return checkout


def _check(lines: list, records: dict) -> None:
    problems, prices_changed = [], False
    wanted: dict[int, int] = defaultdict(int)  # two lines may draw on the same stock record
    for line in lines:
        wanted[line.stockrecord_id] += line.quantity
    for line in lines:
        record = records[line.stockrecord_id]
        stall = getattr(record.partner, "stall", None)
        title = line.product.get_title()
        if stall is None or not stall.is_verified:
            problems.append(
                _("%(product)s is no longer sold here: remove it from your basket.") % {"product": title}
            )
        elif record.price is not None and line.price_incl_tax != record.price:
            prices_changed = True
            problems.append(_price_changed(title, new=record.price, old=line.price_incl_tax))
        elif record.num_in_stock is not None and (record.net_stock_level or 0) < wanted[line.stockrecord_id]:
            left = max(record.net_stock_level or 0, 0)
            problems.append(
                _("Sold out: %(product)s has %(left)s left.") % {"product": title, "left": left}
                if left
                else _("Sold out: %(product)s.") % {"product": title}
            )
    if problems:
        raise CheckoutProblem(problems, prices_changed=prices_changed)


def _place_stall_order(basket, group: StallGroup, checkout: Checkout, buyer: Buyer, method, user, request):
    part = Basket.objects.create(owner=basket.owner)  # the stall's part, submitted with its order
    part.strategy = basket.strategy
    for line in group.lines:
        part.lines.create(
            line_reference=line.line_reference,
            product=line.product,
            stockrecord=line.stockrecord,
            quantity=line.quantity,
            price_currency=line.price_currency,
            price_excl_tax=line.price_excl_tax,
            price_incl_tax=line.price_incl_tax,
        )
    part.reset_offer_applications()
    shipping = _shipping_method(group, buyer)
    charge = shipping.calculate(part)
    total = OrderTotalCalculator(request).calculate(part, charge)
    address = ShippingAddress.objects.create(
        first_name="",
        last_name=buyer.name,
        line1=buyer.address
        or (group.stall.pickup_point if buyer.delivery == Checkout.Delivery.PICKUP else ""),
        line4=buyer.commune_name,
        state=buyer.province_name,
        country=_vietnam(),
        phone_number=buyer.phone,
        notes=checkout.reference,
    )
    order = OrderCreator().place_order(
        basket=part,
        total=total,
        shipping_method=shipping,
        shipping_charge=charge,
        user=_account(user),
        shipping_address=address,
        request=request,
        guest_email=buyer.email,
    )
    part.submit()
    # The account the buyer is shown (VietQR), kept with the order whatever the stall changes later;
    # read now, not from the basket's stall loaded earlier in the request.
    payee = Stall.objects.values(*PAYOUT_FIELDS).get(pk=group.stall.pk)
    OrderPayment.objects.create(
        order=order,
        checkout=checkout,
        stall=group.stall,
        method=method,
        amount=to_dong(total.incl_tax),
        payee_bank_bin=payee["bank_bin"],
        payee_account_number=payee["bank_account_number"],
        payee_account_name=payee["bank_account_name"],
    )
    return order


def _shipping_method(group: StallGroup, buyer: Buyer):
    if group.delivery_fee:
        shipping = FixedPrice(Decimal(group.delivery_fee), Decimal(group.delivery_fee))
        shipping.code, shipping.name = (
            "stall-delivery",
            _("Delivery by %(stall)s") % {"stall": group.stall.name},
        )
    else:
        shipping = Free()
        if buyer.delivery == Checkout.Delivery.PICKUP:
            shipping.code, shipping.name = "pickup", _("Pickup at the commune point")
    return shipping


def _vietnam():
    country, _created = Country.objects.get_or_create(
        iso_3166_1_a2="VN",
        defaults={
            "iso_3166_1_a3": "VNM",
            "iso_3166_1_numeric": "704",
            "printable_name": "Việt Nam",
            "name": "Việt Nam",
        },
    )
    return country


def _new_reference() -> str:
    return "DH" + "".join(secrets.choice(REFERENCE_ALPHABET) for _position in range(8))
