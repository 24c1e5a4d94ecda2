"""What product cards, trace pages and the search index know of a product's sale windows: the windows
still to come or open now (``seasons.SaleWindow.objects.coming``), copied onto the product
(``Product.preorder_windows``) so that a list of any length reads them with its products, no query per
card. Each holds its dates: a reader compares them with today, so a window past its closing date stops
being offered that very day, whether or not anything saved it since."""

from oscar.core.loading import get_model

from seasons.models import SaleWindow

Product = get_model("catalogue", "Product")

# A save changing only these leaves every label as it was (a pre-order taking some of a window that is not
# full yet): nothing to copy, nothing to reindex. A window filling up saves its state too.
UNLABELLED_FIELDS = {"reserved", "updated_at"}


def coming_windows(product_ids) -> dict[int, list[dict]]:
    """The windows to come or open now of each product, by opening date, as Product.preorder_windows
    holds them."""
    windows: dict[int, list[dict]] = {pk: [] for pk in product_ids}
    for pk, product_id, stall_id, opens_on, closes_on in (
        SaleWindow.objects.coming()
        .filter(product_id__in=list(windows))
        .order_by("opens_on", "pk")
        .values_list("pk", "product_id", "stall_id", "opens_on", "closes_on")
    ):
        windows[product_id].append(
            {"id": pk, "stall": stall_id, "opens": opens_on.isoformat(), "closes": closes_on.isoformat()}
        )
    return windows


def products_windows_refresh(product_ids) -> None:
    """Copy the products' coming windows onto them, in the caller's transaction: the cards of a window
    that just filled or was cancelled stop offering it when that change commits, not later. An update
    of the one column: the product's own signals (reindex, page cache) are not fired twice."""
    for product_id, windows in coming_windows(set(product_ids)).items():
        Product.objects.filter(pk=product_id).exclude(preorder_windows=windows).update(
            preorder_windows=windows
        )


def labels_change(update_fields) -> bool:
    """Whether a window's save may change what cards and the index say (None: a whole save)."""
    return update_fields is None or not set(update_fields) <= UNLABELLED_FIELDS
