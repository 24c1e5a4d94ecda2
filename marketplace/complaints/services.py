"""What the complaints app does (placeholder: its engineer fills it in)."""


def annotate(payments: list, request) -> None:
    """Set ``payment.complaints`` on each of the checkout's payments (OrderPayment, order and lines loaded)
    that this request may act on as the buyer: what frontend/templates/complaints/_order_actions.html shows
    under the order. Left unset (falsy) when there is nothing to offer."""
