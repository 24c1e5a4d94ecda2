"""What the feedback app does (placeholder: its engineer fills it in)."""


def annotate(payments: list, request) -> None:
    """Set ``payment.feedback`` on each of the checkout's payments (OrderPayment, order and lines loaded)
    that this request may act on as the buyer: what frontend/templates/feedback/_order_actions.html shows
    under the order. Left unset (falsy) when there is nothing to offer."""
