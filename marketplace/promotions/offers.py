"""The funded discount on a basket's lines, in whole đồng, as Oscar's offer machinery applies it.

Oscar's ``Applicator`` runs it on the buyer's basket (every page shows the discount), and checkout copies
each line's share to its stall's order, so the two never disagree. A line takes one code's discount
(Oscar's exclusive offers): a second code covering the same line gives nothing more on it.
"""

from decimal import ROUND_FLOOR, Decimal

from oscar.apps.offer.results import ZERO_DISCOUNT, BasketDiscount

from sellers.models import Stall


def stalls_by_partner(basket) -> dict[int, Stall]:
    """The stall behind each line's stock record, in one query (kept on the basket for its request)."""
    partners = {line.stockrecord.partner_id for line in basket.all_lines() if line.stockrecord_id}
    cached = getattr(basket, "_promotions_stalls", None)
    if cached is None or not partners <= cached.keys():
        cached = {
            stall.partner_id: stall
            for stall in Stall.objects.filter(partner_id__in=partners).select_related("commune", "partner")
        }
        basket._promotions_stalls = cached
    return cached


def covered_lines(funding, basket) -> list[tuple]:
    """(line, stall) for each line of the basket the voucher lowers."""
    stalls = stalls_by_partner(basket)
    covered = []
    for line in basket.all_lines():
        stall = stalls.get(line.stockrecord.partner_id) if line.stockrecord_id else None
        if stall is not None and funding.covers(stall):
            covered.append((line, stall))
    return covered


def _floor(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("1"), rounding=ROUND_FLOOR)


def apply_funded_discount(offer, basket):
    funding = offer.get_voucher().funding
    lines = [
        (line, stall, line.quantity_without_offer_discount(offer))
        for line, stall in covered_lines(funding, basket)
        if line.quantity_without_offer_discount(offer) > 0
    ]
    if not lines:
        return ZERO_DISCOUNT
    if funding.discount == funding.Discount.PERCENT:
        shares = [
            (line, quantity, _floor(line.unit_price_incl_tax * quantity * funding.value / 100))
            for line, _stall, quantity in lines
        ]
    else:
        shares = _fixed_amount_shares(funding.value, lines)
    total = Decimal(0)
    for line, quantity, amount in shares:
        if amount > 0:
            line.discount(amount, quantity, incl_tax=True, offer=offer)
            total += amount
    return BasketDiscount(total) if total else ZERO_DISCOUNT


def _fixed_amount_shares(value: int, lines: list) -> list:
    """A fixed amount is given once: to the stall with the most covered goods (ties: the older stall),
    spread over its lines in proportion, never above what they cost."""
    by_stall: dict[int, list] = {}
    for line, stall, quantity in lines:
        by_stall.setdefault(stall.pk, []).append((line, quantity, line.unit_price_incl_tax * quantity))
    chosen = max(by_stall.items(), key=lambda item: (sum(cost for _l, _q, cost in item[1]), -item[0]))[1]
    subtotal = sum(cost for _line, _quantity, cost in chosen)
    amount = min(Decimal(value), _floor(subtotal))
    shares, given = [], Decimal(0)
    for index, (line, quantity, cost) in enumerate(chosen):
        share = amount - given if index == len(chosen) - 1 else _floor(amount * cost / subtotal)
        shares.append((line, quantity, share))
        given += share
    return shares
