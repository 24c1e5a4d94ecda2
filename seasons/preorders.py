"""The rules of a pre-order line: a basket line taken from a sale window rather than from stock.

A pre-order line is an ordinary Oscar basket line whose ``line_reference`` names its window
(``window-<pk>``): Oscar keeps it apart from an in-stock line of the same product (and merges two
additions of the same window into one line), and the stall's part of the basket copies it along. The
line is priced at the window's price and limited by the window, never by the product's stock.

:func:`window_problems` is the check made under the windows' row locks when the basket is placed;
:func:`reserve` then takes the quantities from the windows (a full window closes by itself).
"""

import re
from collections import defaultdict

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ground.money import format_vnd
from seasons.models import PreOrder, SaleWindow

_REFERENCE = re.compile(r"window-(\d+)")
# The most one pre-order line may cost: Oscar keeps an order's totals in 10 digits of đồng (below
# 10.000.000.000), and the highest price a stall may type times a big quantity would overflow them.
MOST_PER_LINE = 5_000_000_000


def line_reference(window: SaleWindow) -> str:
    return f"window-{window.pk}"


def window_pk(line) -> int | None:
    """The window a basket or order line was taken from, or None for an in-stock line (no query)."""
    match = _REFERENCE.fullmatch(getattr(line, "line_reference", "") or "")
    return int(match.group(1)) if match else None


def amount(window: SaleWindow, quantity: int) -> str:
    """'3 kg': a quantity in the window's product unit."""
    return f"{quantity} {window.product.get_unit_display()}"


def quantity_problem(window: SaleWindow, quantity: int, *, already: int = 0, day=None) -> str | None:
    """Why ``quantity`` more cannot be pre-ordered from ``window`` by a buyer who has ``already``
    ordered that much from it; None when it can. The one wording for the basket and the checkout."""
    if not window.is_open(day):
        return _("Pre-orders for %(product)s are closed.") % {"product": window.product.get_title()}
    if quantity < window.min_per_buyer:
        return _("Pre-order at least %(least)s of %(product)s.") % {
            "least": amount(window, window.min_per_buyer),
            "product": window.product.get_title(),
        }
    if window.max_per_buyer is not None and already + quantity > window.max_per_buyer:
        if already:
            return _("Each buyer can pre-order at most %(most)s; you have already ordered %(already)s.") % {
                "most": amount(window, window.max_per_buyer),
                "already": amount(window, already),
            }
        most = amount(window, window.max_per_buyer)
        return _("Each buyer can pre-order at most %(most)s.") % {"most": most}
    if window.price * quantity > MOST_PER_LINE:
        return _("That is more than any harvest: write a smaller quantity.")
    if quantity > window.remaining:
        return _("Only %(left)s of %(product)s are left to pre-order.") % {
            "left": amount(window, window.remaining),
            "product": window.product.get_title(),
        }
    return None


def wanted(lines: list) -> dict[int, int]:
    """The quantity the basket's pre-order lines take from each sale window (by window pk)."""
    taken: dict[int, int] = defaultdict(int)
    for line in lines:
        if (pk := window_pk(line)) is not None:
            taken[pk] += line.quantity
    return taken


def ordered_by(window: SaleWindow, phone: str) -> int:
    """What this phone has pre-ordered from the window so far (cancelled pre-orders aside)."""
    taken = PreOrder.objects.filter(window=window, phone=phone, cancelled_at__isnull=True)
    return taken.aggregate(total=Sum("quantity"))["total"] or 0


def window_problems(lines: list, windows: dict[int, SaleWindow], *, phone: str) -> tuple[list[str], bool]:
    """What stops the pre-order lines of a basket (``windows`` locked by the caller), and whether a
    price changed (the basket is then brought to the new prices, as for stock)."""
    problems, prices_changed = [], False
    for pk, quantity in wanted(lines).items():
        window = windows.get(pk)
        line = next(line for line in lines if window_pk(line) == pk)
        title = line.product.get_title()
        if window is None or window.product_id != line.product_id or not line.product.is_public:
            problems.append(_("Pre-orders for %(product)s are closed.") % {"product": title})
        elif line.price_incl_tax != window.price:
            prices_changed = True
            problems.append(
                _("The pre-order price of %(product)s is now %(new)s (it was %(old)s).")
                % {
                    "product": window.product.get_title(),
                    "new": format_vnd(window.price),
                    "old": format_vnd(line.price_incl_tax),
                }
            )
        elif problem := quantity_problem(window, quantity, already=ordered_by(window, phone)):
            problems.append(problem)
    return problems, prices_changed


def reserve(window: SaleWindow, quantity: int) -> None:
    """Take ``quantity`` from the window (locked by the caller); a full window closes itself."""
    window.reserved += quantity
    fields = ["reserved", "updated_at"]
    if window.reserved >= window.capacity:
        window.state = SaleWindow.State.CLOSED
        window.closed_because = SaleWindow.ClosedBecause.FULL
        window.closed_at = timezone.now()
        fields += ["state", "closed_because", "closed_at"]
    window.save(update_fields=fields)


def release(*, lines: list) -> set[int]:
    """Order lines cancelled: their pre-orders (if any) give their quantities back to their windows,
    locked in primary-key order; a window closed because it was full takes orders again. Returns the
    pks of the lines that were pre-orders (they never allocated stock: the caller skips them there).
    Call it inside the cancelling transaction."""
    taken = list(
        PreOrder.objects.filter(line__in=lines, cancelled_at__isnull=True).select_for_update(of=("self",))
    )
    if not taken:
        return set(PreOrder.objects.filter(line__in=lines).values_list("line_id", flat=True))
    windows = (
        SaleWindow.objects.select_for_update().filter(pk__in={p.window_id for p in taken}).order_by("pk")
    )
    by_pk = {window.pk: window for window in windows}
    now = timezone.now()
    for preorder in taken:
        window = by_pk[preorder.window_id]
        window.reserved = max(window.reserved - preorder.quantity, 0)
        if window.state == SaleWindow.State.CLOSED and window.closed_because == SaleWindow.ClosedBecause.FULL:
            window.state, window.closed_because, window.closed_at = SaleWindow.State.OPEN, "", None
    for window in by_pk.values():
        window.save(update_fields=["reserved", "state", "closed_because", "closed_at", "updated_at"])
    PreOrder.objects.filter(pk__in=[p.pk for p in taken]).update(cancelled_at=now)
    return set(PreOrder.objects.filter(line__in=lines).values_list("line_id", flat=True))
