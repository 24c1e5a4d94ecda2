"""Placing a basket: one Oscar order per stall, under one checkout reference, in one transaction.

Oscar's ``OrderCreator`` makes one order per basket (django-oscar issue 1519), so the submitted
basket is split by stall into sub-baskets, each placed with ``OrderCreator``. Before anything is
written the stock records of every line are locked, always in primary-key order (no deadlock
between two buyers), and checked: a stall no longer selling, a price changed since the basket was
filled, or stock gone raises ``CheckoutProblem`` and nothing is created. The basket stays as it was.

Pre-order lines (seasons/preorders.py) are checked against their sale windows instead, locked after
the stock records (by primary key too): open today, same price, the buyer's minimum and maximum, what
is left. Their quantities are then taken from the windows and each gets a ``seasons.PreOrder``; they
never touch stock. A stall's order with pre-order lines may ask for a deposit now (VietQR or card)
and the rest on delivery.
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
from marketplace.promotions import services as promotions
from seasons import preorders
from seasons.models import PreOrder, SaleWindow
from sellers.models import PAYOUT_FIELDS, PayoutChange, Stall

Basket = get_model("basket", "Basket")
StockRecord = get_model("partner", "StockRecord")
Country = get_model("address", "Country")
ShippingAddress = get_model("order", "ShippingAddress")
OrderCreator = get_class("order.utils", "OrderCreator")
# How a pre-order's deposit can be paid now (cash on delivery pays nothing before).
DEPOSIT_METHODS = (OrderPayment.Method.VIETQR, OrderPayment.Method.CARD)
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
    deposit: int = 0  # what a pre-order's deposit asks now, if paid by transfer or card
    discount: int = 0  # what the buyer's codes take off this stall's lines (marketplace.promotions)

    @property
    def total(self) -> int:
        return self.subtotal + self.delivery_fee - self.discount

    @property
    def balance(self) -> int:
        """What is left to pay on delivery after the deposit."""
        return self.total - self.deposit

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
        fee = delivery_fee(stall, subtotal, delivery)
        # The strategy's windows (read once per request): the deposit the checkout offers.
        windows = {line: getattr(line.purchase_info.availability, "window", None) for line in lines}
        deposit = deposit_for({line: window for line, window in windows.items() if window is not None})
        # The codes Oscar's basket middleware applied (the checkout applies them again, the same way).
        discount = min(sum(to_dong(line.discount_value or 0) for line in lines), subtotal)
        total = subtotal + fee - discount
        groups.append(StallGroup(stall, lines, subtotal, fee, min(deposit, total), discount))
    return sorted(groups, key=lambda group: group.stall.name)


def deposit_for(windows: dict) -> int:
    """The deposit on pre-order lines ``{line: its window}``: each window's share of its goods."""
    return sum(window.deposit_for(window.price * line.quantity) for line, window in windows.items())


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
    lines = list(basket.all_lines())
    windows = SaleWindow.objects.in_bulk({preorders.window_pk(line) for line in lines} - {None})
    for line in lines:
        if (pk := preorders.window_pk(line)) is not None:
            current = windows[pk].price if pk in windows else None  # a pre-order: its window's price
        else:
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


def place_orders(
    *,
    basket,
    buyer: Buyer,
    methods: dict[int, str],
    user=None,
    request=None,
    pay_whole: frozenset[int] = frozenset(),
) -> Checkout:
    """One order per stall, all or none. ``methods``: payment method per stall pk; ``pay_whole``: the
    stalls whose pre-order deposit the buyer chose not to use (the whole paid now)."""
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
        # The windows after the stock records, by primary key too: the same order for every checkout.
        windows = {
            window.pk: window
            for window in SaleWindow.objects.select_for_update(of=("self",))
            .filter(pk__in={preorders.window_pk(line) for line in lines} - {None})
            .select_related("product", "stall")
            .order_by("pk")
        }
        if use_windows := getattr(basket.strategy, "use_windows", None):
            use_windows(windows)  # the orders' lines are priced from the windows as locked
        _check(lines, records, windows, phone=buyer.phone)
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
            deposit = group.stall.pk not in pay_whole and methods[group.stall.pk] in DEPOSIT_METHODS
            _place_stall_order(
                basket, group, checkout, buyer, methods[group.stall.pk], user, request, windows, deposit
            )
        for pk, quantity in preorders.wanted(lines).items():
            preorders.reserve(windows[pk], quantity)
        basket.submit()
    return checkout


def _check(lines: list, records: dict, windows: dict, *, phone: str) -> None:
    problems, prices_changed = preorders.window_problems(lines, windows, phone=phone)
    wanted: dict[int, int] = defaultdict(int)  # two lines may draw on the same stock record
    for line in lines:
        if preorders.window_pk(line) is None:
            wanted[line.stockrecord_id] += line.quantity
    for line in lines:
        record = records[line.stockrecord_id]
        preorder = preorders.window_pk(line) is not None
        stall = getattr(record.partner, "stall", None)
        title = line.product.get_title()
        if stall is None or not stall.is_verified:
            problems.append(
                _("%(product)s is no longer sold here: remove it from your basket.") % {"product": title}
            )
        elif preorder:
            window = windows.get(preorders.window_pk(line))
            if window is not None and window.stall_id != stall.pk:  # moved to another stall meanwhile
                problems.append(
                    _("%(product)s is no longer sold here: remove it from your basket.") % {"product": title}
                )
            continue  # priced and limited by its window (above), never by stock
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


class StallOrderCreator(OrderCreator):
    """Oscar's order creator, for pre-order lines: they never allocate stock, and each gets its
    ``seasons.PreOrder`` (the buyer's phone keeps the per-buyer limit)."""

    def __init__(self, *, windows: dict, phone: str, **kwargs):
        super().__init__(**kwargs)
        self.windows, self.phone = windows, phone

    def update_stock_records(self, line):
        if preorders.window_pk(line) is None:
            super().update_stock_records(line)

    def create_additional_line_models(self, order, order_line, basket_line):
        if (pk := preorders.window_pk(basket_line)) is not None:
            PreOrder.objects.create(
                window=self.windows[pk],
                order=order,
                line=order_line,
                quantity=basket_line.quantity,
                phone=self.phone,
            )


def _place_stall_order(
    basket,
    group: StallGroup,
    checkout: Checkout,
    buyer: Buyer,
    method,
    user,
    request,
    windows: dict,
    with_deposit: bool,
):
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
    promotions.part_vouchers_apply(
        basket=basket, part=part, checkout=checkout, phone=buyer.phone, problem=CheckoutProblem
    )
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
    order = StallOrderCreator(windows=windows, phone=buyer.phone).place_order(
        basket=part,
        total=total,
        shipping_method=shipping,
        shipping_charge=charge,
        user=_account(user),
        shipping_address=address,
        request=request,
        guest_email=buyer.email,
    )
    promotions.order_funding_record(order=order, part=part, checkout=checkout, phone=buyer.phone)
    part.submit()
    # The account the buyer is shown (VietQR), kept with the order whatever the stall changes later;
    # read now, not from the basket's stall loaded earlier in the request.
    payee = Stall.objects.values(*PAYOUT_FIELDS).get(pk=group.stall.pk)
    amount = to_dong(total.incl_tax)
    # The deposit from the locked windows (not the page's figures), never above the order's total.
    pre_ordered = {line: windows[pk] for line in group.lines if (pk := preorders.window_pk(line)) is not None}
    deposit = min(deposit_for(pre_ordered), amount) if with_deposit else 0
    OrderPayment.objects.create(
        order=order,
        checkout=checkout,
        stall=group.stall,
        method=method,
        amount=amount,
        deposit=deposit,
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
