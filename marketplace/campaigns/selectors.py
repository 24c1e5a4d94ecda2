"""Reads for the campaign pages: only what the page's own site sells, one query per kind of thing."""

from django.db.models import Q
from django.utils import timezone
from oscar.core.loading import get_model

from catalogue.selectors import product_cards
from ground.models import HomePage
from seasons.models import SaleWindow
from sellers.models import Stall

Voucher = get_model("voucher", "Voucher")


def site_home(*, page) -> HomePage | None:
    """The storefront a page sits under (its nearest HomePage ancestor, or itself)."""
    return HomePage.objects.filter(path__in=_ancestor_paths(page)).order_by("-depth").first()


def _ancestor_paths(page) -> list[str]:
    step = page.steplen
    return [page.path[:end] for end in range(step, len(page.path) + 1, step)]


def site_communes(*, page):
    """The communes of the page's site; None on the platform's own site (everywhere)."""
    home = site_home(page=page)
    return home.scope_communes() if home else None


def products(*, communes, ids) -> list:
    """Products of verified stalls of ``communes`` among ``ids``, in the order of ``ids``."""
    if not ids:
        return []
    found = product_cards(communes=communes).in_bulk(ids)
    return [found[pk] for pk in dict.fromkeys(ids) if pk in found]


def stalls(*, communes, ids) -> list[Stall]:
    if not ids:
        return []
    found = _stalls(communes).filter(pk__in=ids).in_bulk()
    return [found[pk] for pk in dict.fromkeys(ids) if pk in found]


def _stalls(communes):
    stalls = Stall.objects.verified().select_related("partner", "commune", "page")
    return stalls if communes is None else stalls.filter(commune__in=communes)


def open_windows(*, communes, day=None):
    """Sale windows a buyer can pre-order from today, of verified stalls of ``communes`` (products
    taken off sale aside), and those that filled up before their closing day: their card says the
    whole harvest is ordered, rather than the block saying nothing is open yet."""
    day = day or timezone.localdate()
    full = Q(
        state=SaleWindow.State.CLOSED,
        closed_because=SaleWindow.ClosedBecause.FULL,
        opens_on__lte=day,
        closes_on__gte=day,
    )
    windows = (
        SaleWindow.objects.filter(Q(pk__in=SaleWindow.objects.open_on(day).values("pk")) | full)
        .filter(Stall.verified_q(via="stall"), product__is_public=True)
        .select_related("product", "stall__partner", "stall__commune")
        .order_by("closes_on", "pk")
    )
    return windows if communes is None else windows.filter(stall__commune__in=communes)


def stalls_taking_part(*, communes, stall_ids=(), product_ids=(), day=None) -> list[Stall]:
    """Stalls with a window open or coming, and those the page names (by stall or by product)."""
    taking_part = Q(sale_windows__in=SaleWindow.objects.coming(day)) | Q(pk__in=list(stall_ids))
    if product_ids:
        taking_part |= Q(partner__stockrecords__product__in=list(product_ids))
    return list(
        _stalls(communes).filter(taking_part).distinct().order_by("commune__name", "village", "partner__name")
    )


def active_voucher(*, code: str):
    """The voucher with this code if it can be used now, else None."""
    voucher = Voucher.objects.filter(code=code.strip().upper()).first()
    return voucher if voucher is not None and voucher.is_active() else None


def voucher_exists(*, code: str) -> bool:
    return Voucher.objects.filter(code=code.strip().upper()).exists()
