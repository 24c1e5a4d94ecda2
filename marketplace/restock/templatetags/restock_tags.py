from django import template

from marketplace.restock.forms import RestockForm
from marketplace.restock.views import initial_phone

register = template.Library()


@register.inclusion_tag("restock/_form_body.html", takes_context=True)
def restock_form(context, product):
    """The "Báo cho tôi khi có hàng" form, with a signed-in buyer's proven phone already in it."""
    request = context.get("request")
    initial = initial_phone(request) if request is not None else ""
    return {
        "product": product,
        "form": RestockForm(initial={"phone": initial}),
        "csrf_token": context.get("csrf_token"),
    }
