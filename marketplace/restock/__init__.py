""" "Báo khi có hàng": a text to the buyer's phone when an out-of-stock product is back."""
