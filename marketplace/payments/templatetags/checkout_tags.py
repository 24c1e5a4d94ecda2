from django import template

from marketplace.payments.checkout import stall_groups

register = template.Library()


@register.simple_tag
def basket_stall_groups(basket):
    """The basket by stall: each stall's subtotal and delivery fee (one order per stall at checkout)."""
    return stall_groups(basket) if basket.num_lines else []
