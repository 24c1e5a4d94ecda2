"""Five products of one stall, one of each season a buyer may meet (hand-counted)."""

from datetime import timedelta

from django.utils import timezone
from oscar.core.loading import get_model

from seasons.models import SaleWindow
from tests.factories import StallFactory, make_product, make_window

Product = get_model("catalogue", "Product")


def months_from_now(months: int) -> int:
    return (timezone.localdate().month - 1 + months) % 12 + 1


def season_products() -> dict:
    """In season (no window); open window (until today + 10, out of season); a window that closed
    yesterday by its date alone (state still "open", nothing saved since); a full window; out of season.
    """
    today = timezone.localdate()
    stall = StallFactory(partner__name="HTX Mùa Vàng")
    off_season = [months_from_now(4)]
    products = {
        "in_season": make_product(stall=stall, title="Vải thiều chín sớm", season_months=[today.month]),
        "open": make_product(stall=stall, title="Nhãn lồng Hưng Yên", season_months=off_season, stock=0),
        "yesterday": make_product(stall=stall, title="Bưởi Diễn", season_months=off_season, stock=0),
        "full": make_product(stall=stall, title="Cam Vinh", season_months=off_season, stock=0),
        "off": make_product(stall=stall, title="Ổi Đông Dư", season_months=off_season),
    }
    windows = {
        "open": make_window(stall=stall, product=products["open"], closes_on=today + timedelta(days=10)),
        "yesterday": make_window(
            stall=stall,
            product=products["yesterday"],
            opens_on=today - timedelta(days=20),
            closes_on=today - timedelta(days=1),
        ),
        "full": make_window(stall=stall, product=products["full"], capacity=50),
    }
    # The last pre-order fills it: it closes itself (seasons.preorders.reserve's save).
    full = windows["full"]
    full.reserved, full.state, full.closed_because = (
        50,
        SaleWindow.State.CLOSED,
        SaleWindow.ClosedBecause.FULL,
    )
    full.save(update_fields=["reserved", "state", "closed_because", "updated_at"])
    # Yesterday's window as the product's copy held it while it was open: nothing was saved since it
    # closed by date (close_due has not run), so only today's date can hide it.
    yesterday = windows["yesterday"]
    Product.objects.filter(pk=products["yesterday"].pk).update(
        preorder_windows=[
            {
                "id": yesterday.pk,
                "stall": stall.pk,
                "opens": yesterday.opens_on.isoformat(),
                "closes": yesterday.closes_on.isoformat(),
            }
        ]
    )
    return {"stall": stall, "products": products, "windows": windows, "today": today}
