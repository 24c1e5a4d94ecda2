"""The trace page as most scanners get it: one page per lot, cached, with slots for the few parts
that differ per scan (the stamp's code, counters and warnings) and per visitor (the CSRF token of
the language form and the path it returns to).

Only for visitors with no session, basket or messages (no cookies beyond CSRF and language): for
them everything else on the page is the same. Anyone else gets the page rendered in full.
"""

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language

from ground.page_cache import fill, marker, nonce, shell_allowed
from traceability.selectors import ScanCounts, ScanTarget, stamp_for_scan, target_warnings, trace_record

__all__ = ["next_season", "shell_allowed", "slots", "trace_page"]


def next_season(product, stall=None) -> dict | None:
    """The sale window of ``product`` (by ``stall`` when given) open today or the next to open, for the
    "next season" link of a trace page: read from the product's own copy (Product.preorder_windows), no
    query."""
    return product.next_window(stall_id=stall.pk if stall is not None else None)


def slots() -> tuple[str, str, str]:
    """The markers of the stamp's part, the CSRF token and the return path in a cached shell (the same
    in every process of a deployment: see ground.page_cache.nonce)."""
    return marker("trace-stamp-status"), marker("csrf-token"), marker("next-path")


# The lot's own changes (events, plots, recall) change its key at once; the product's and the
# producer's show within this time.
SECONDS = 300


def trace_page(
    request: HttpRequest, target: ScanTarget, counts: ScanCounts, product_url: str
) -> HttpResponse:
    version = target.lot_updated_at.timestamp()
    # The nonce too: a process on another SECRET_KEY (during a key change) never fills this one's shell.
    expired = target.best_before is not None and target.best_before < timezone.localdate()
    key = f"trace-page:{nonce()}:{request.get_host()}:{get_language()}:{target.lot_id}:{version}:{expired}"
    slot_stamp, slot_csrf, slot_next = slots()
    shell = cache.get(key)
    if shell is None:
        record = trace_record(stamp_for_scan(target.serial), counts)
        markers = {"stamp_slot": slot_stamp, "csrf_token": slot_csrf, "language_next": slot_next}
        # The lot's stall's next pre-order window, from the product already read: public, and as fresh
        # as the rest of the product's part of the page (SECONDS).
        season = next_season(record["product"], record["producer"])
        shell = render_to_string(
            "traceability/trace.html",
            {**record, "product_url": product_url, "next_window": season, **markers},
            request,
        )
        cache.set(key, shell, SECONDS)
    status = render_to_string(
        "traceability/_stamp_status.html",
        {"stamp": target, "counts": counts, "warnings": target_warnings(target, counts)},
    )
    return HttpResponse(fill(shell.replace(slot_stamp, status, 1), request))
