from django import template
from django.utils.translation import gettext as _

from ground.money import format_vnd, to_dong
from marketplace.promotions import services
from marketplace.promotions.models import DiscountFunding

register = template.Library()


@register.simple_tag
def basket_vouchers(basket, groups=()):
    """The codes in the basket and what each takes off each stall's order; with the basket's stall
    groups, what the buyer pays after the discounts (goods and delivery, less the discounts)."""
    vouchers = services.basket_vouchers(basket)
    vouchers.to_pay = sum(group.subtotal + group.delivery_fee for group in groups) - vouchers.total
    return vouchers


@register.simple_tag(takes_context=True)
def order_funding(context, order) -> list[str]:
    """Sentences for the stall: each discount on ``order``, who pays it, what the stall receives. The
    rows of every order on the page are read at the first call, in one query."""
    if not hasattr(order, "_promotion_fundings"):
        orders = [o for o in context.get("orders") or [order] if not hasattr(o, "_promotion_fundings")]
        if order not in orders:
            orders.append(order)
        by_order: dict[int, list] = {o.pk: [] for o in orders}
        discounted = [o for o in orders if _maybe_discounted(o)]
        if discounted:  # a page without a discounted order pays no query
            rows = DiscountFunding.objects.filter(order__in=discounted).select_related(
                "funder_stall__partner"
            )
            for row in rows:
                by_order[row.order_id].append(row)
        for o in orders:
            o._promotion_fundings = by_order[o.pk]
    rows = order._promotion_fundings
    paid_by_buyer = to_dong(order.total_incl_tax)
    funded = sum(row.amount for row in rows if not row.stall_bears_it)
    sentences = []
    for row in rows:
        if row.stall_bears_it:
            sentences.append(
                _("%(amount)s off with your code %(code)s: your stall gives this discount.")
                % {"amount": format_vnd(row.amount), "code": row.code}
            )
        else:
            sentences.append(
                _(
                    "%(amount)s off (paid by %(payer)s): you still receive %(total)s in full, "
                    "%(buyer)s from the buyer and %(amount)s from %(payer)s."
                )
                % {
                    "amount": format_vnd(row.amount),
                    "payer": row.payer_name,
                    "total": format_vnd(paid_by_buyer + funded),
                    "buyer": format_vnd(paid_by_buyer),
                }
            )
    return sentences


def _maybe_discounted(order) -> bool:
    """From the lines already loaded (the stall's order page prefetches ``stall_lines``): a line sold
    below its price before discounts. Without them, ask the database."""
    lines = getattr(order, "stall_lines", None)
    if lines is None:
        return True
    return any(line.line_price_before_discounts_incl_tax != line.line_price_incl_tax for line in lines)
