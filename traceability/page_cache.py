"""The trace page as most scanners get it: one page per lot, cached, with slots for the few parts
that differ per scan (the stamp's code, counters and warnings) and per visitor (the CSRF token of
the language form and the path it returns to).

Only for visitors with no session, basket or messages (no cookies beyond CSRF and language): for
them everything else on the page is the same. Anyone else gets the page rendered in full.
"""

import secrets

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.translation import get_language

from traceability.selectors import ScanCounts, ScanTarget, stamp_for_scan, target_warnings, trace_record

# Random per process, so no product title or event note can contain one.
_NONCE = secrets.token_hex(8)
SLOT_STAMP = f"@@trace-stamp-status-{_NONCE}@@"
SLOT_CSRF = f"@@trace-csrf-token-{_NONCE}@@"
SLOT_NEXT = f"@@trace-next-path-{_NONCE}@@"
# The lot's own changes (events, plots, recall) change its key at once; the product's and the
# producer's show within this time.
SECONDS = 300


def shell_allowed(request: HttpRequest) -> bool:
    return request.COOKIES.keys() <= {settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME}


def trace_page(
    request: HttpRequest, target: ScanTarget, counts: ScanCounts, product_url: str
) -> HttpResponse:
    version = target.lot_updated_at.timestamp()
    key = f"trace-page:{request.get_host()}:{get_language()}:{target.lot_id}:{version}"
    shell = cache.get(key)
    if shell is None:
        record = trace_record(stamp_for_scan(target.serial), counts)
        slots = {"stamp_slot": SLOT_STAMP, "csrf_token": SLOT_CSRF, "language_next": SLOT_NEXT}
        shell = render_to_string(
            "traceability/trace.html", {**record, "product_url": product_url, **slots}, request
        )
        cache.set(key, shell, SECONDS)
    status = render_to_string(
        "traceability/_stamp_status.html",
        {"stamp": target, "counts": counts, "warnings": target_warnings(target, counts)},
    )
    html = (
        shell.replace(SLOT_STAMP, status, 1)
        .replace(SLOT_CSRF, get_token(request), 1)
        .replace(SLOT_NEXT, escape(request.get_full_path()), 1)
    )
    return HttpResponse(html)
