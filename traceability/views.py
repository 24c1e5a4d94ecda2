"""The public trace pages: a stamp's (every view of it is a scan), a lot's and a product's origin.

The GS1 resolver (traceability.resolver) answers the stamps' Digital Links and links here; for a
browser it renders these same pages on the Digital Link itself.
"""

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from oscar.core.loading import get_model

from ground import gs1
from ground.client import network_key
from traceability import page_cache
from traceability.models import HarvestLot
from traceability.selectors import (
    ScanCounts,
    ScanTarget,
    lot_record,
    lot_with_gtin,
    product_lots,
    product_stalls,
    product_with_gtin,
    scan_target,
    stamp_for_scan,
    stamp_warnings,
    trace_record,
)
from traceability.services import scan_record

StockRecord = get_model("partner", "StockRecord")


@require_safe
def stamp_page(request, serial: str):
    """/truy-xuat/tem/{serial}/: the stamp's trace page (HTML, or the record as JSON by Accept)."""
    target = scan_target(gs1.serial_lookup_form(serial)) if _plausible_code(serial) else None
    if target is None:
        return not_ours(request)
    return stamp_response(request, target)


@require_http_methods(["GET", "HEAD", "POST"])
def lot_page(request, gtin: str, code: str):
    """/truy-xuat/lo/{GTIN-14}/{lot}/: the lot's journey, origin and certificates. A POST is "Buy
    again" from any trace page of the lot: see buy_again."""
    lot = lot_with_gtin(gtin, code) if gs1.is_gtin14(gtin) and _plausible_code(code) else None
    if lot is None:
        return not_ours(request)
    if request.method == "POST":
        return buy_again(request, lot)
    return lot_response(request, lot)


def buy_again(request, lot: HarvestLot) -> HttpResponse:
    """One more of the lot's product, from the stall that harvested it, into the basket.

    Oscar's own "add to basket" takes the stall its strategy prefers (the cheapest); a buyer who
    scanned a package wants the same again, from the same household."""
    product = lot.product
    product_url = reverse("catalogue:detail", kwargs={"product_slug": product.slug, "pk": product.pk})
    record = StockRecord.objects.filter(partner_id=lot.owner.partner_id, product=product).first()
    info = request.strategy.fetch_for_product(product, record) if record else None
    if info is None or not (info.availability.is_available_to_buy and info.price.exists):
        messages.warning(
            request,
            _("%(stall)s has none of it for sale right now. Other stalls may have it.")
            % {"stall": lot.owner.name},
        )
        return redirect(product_url)
    basket = request.basket
    if not basket.id:
        basket.save()
    line, created = basket.lines.get_or_create(
        line_reference=basket._create_line_reference(product, record, []),
        product=product,
        stockrecord=record,
        defaults={
            "quantity": 1,
            "price_excl_tax": info.price.excl_tax,
            "price_incl_tax": info.price.incl_tax,
            "price_currency": info.price.currency,
            "tax_code": info.price.tax_code,
        },
    )
    if not created:
        line.quantity += 1
        line.save(update_fields=["quantity"])
    basket.reset_offer_applications()
    messages.success(
        request,
        _("%(product)s from %(stall)s is in your basket.")
        % {"product": product.title, "stall": lot.owner.name},
    )
    return redirect("basket:summary")


@require_safe
def product_page(request, gtin: str):
    """/truy-xuat/sp/{GTIN-14}/: where a product comes from, who sells it, its lots."""
    product = product_with_gtin(gtin) if gs1.is_gtin14(gtin) else None
    if product is None:
        return not_ours(request)
    return product_response(request, product)


def not_ours(request, status: int = 404):
    return render(request, "traceability/not_ours.html", status=status)


def _plausible_code(code: str) -> bool:
    return 0 < len(code) <= 20 and set(code) <= gs1.GS1_CHARSET_82


def stamp_response(request, target: ScanTarget) -> HttpResponse:
    """The stamp's page. A GET is a scan; a HEAD only looks."""
    product_url = request.build_absolute_uri(
        reverse("catalogue:detail", kwargs={"product_slug": target.product_slug, "pk": target.product_id})
    )
    accept = request.headers.get("Accept", "")
    counts = _log_scan(request, target) if request.method == "GET" else ScanCounts(0, None)
    wants_json = "application/json" in accept and "text/html" not in accept
    if not wants_json and page_cache.shell_allowed(request):
        return page_cache.trace_page(request, target, counts, product_url)
    record = trace_record(stamp_for_scan(target.serial), counts)
    if wants_json:
        return JsonResponse(_as_json(record, product_url), json_dumps_params={"ensure_ascii": False})
    season = page_cache.next_season(record["product"], record["producer"])
    return render(
        request, "traceability/trace.html", {**record, "product_url": product_url, "next_window": season}
    )


def lot_response(request, lot: HarvestLot, *, warning: str = "") -> HttpResponse:
    product = lot.product
    product_url = reverse("catalogue:detail", kwargs={"product_slug": product.slug, "pk": product.pk})
    warnings = stamp_warnings(
        status="",
        void_reason="",
        recalled=lot.recalled_at is not None,
        recall_reason=lot.recall_reason,
        counts=ScanCounts(0, None),
        best_before=lot.best_before,
    )
    context = {
        **lot_record(lot),
        "product_url": product_url,
        "warnings": warnings,
        "unknown": warning,
        "next_window": page_cache.next_season(product, lot.owner),
    }
    return render(request, "traceability/trace.html", context)


def product_response(request, product, *, warning: str = "") -> HttpResponse:
    context = {
        "product": product,
        "product_url": reverse("catalogue:detail", kwargs={"product_slug": product.slug, "pk": product.pk}),
        "gtin": gs1.gtin14(product.gtin),
        "stalls": product_stalls(product),
        "lots": product_lots(product),
        "unknown": warning,
        "next_window": page_cache.next_season(product),  # any stall's: the page is the product's
    }
    return render(request, "traceability/product_origin.html", context)


def _as_json(record: dict, product_url: str) -> dict:
    stamp, lot, product, producer = record["stamp"], record["lot"], record["product"], record["producer"]
    counts = record["counts"]
    return {
        "url": record["url"],
        "serial": stamp.serial,
        "status": stamp.status,
        "first_scanned_at": counts.first_scanned_at.isoformat() if counts.first_scanned_at else None,
        "scan_count": counts.scan_count,
        "warnings": [message for _level, message in record["warnings"]],
        "product": {
            "name": product.title,
            "gtin": gs1.gtin14(product.gtin) or None,
            "url": product_url,
            "ocop_stars": product.ocop_stars,
            "ocop_certificate": product.ocop_certificate_number or None,
        },
        "producer": {
            "name": producer.name,
            "address": ", ".join(
                filter(None, [producer.village, producer.commune.name, producer.commune.province_name])
            ),
        },
        "lot": {
            "code": lot.code,
            "harvest_date": lot.harvest_date.isoformat(),
            "quantity": str(lot.quantity),
            "unit": lot.unit,
            "best_before": lot.best_before.isoformat() if lot.best_before else None,
            "recalled": bool(lot.recalled_at),
        },
        "plots": [
            {
                "name": plot.name,
                "latitude": float(plot.latitude),
                "longitude": float(plot.longitude),
                "crops": plot.crops,
            }
            for plot in record["plots"]
        ],
        "events": [
            {
                "business_step": event.epcis_business_step,
                "step": event.step,
                "when": event.occurred_at.isoformat(),
                "where": event.place,
                "corrects": event.corrects_id,
            }
            for event in record["events"]
        ],
        "certifications": [
            {
                "kind": c.kind,
                "number": c.number,
                "issuer": c.issuer,
                "valid_to": c.valid_to.isoformat() if c.valid_to else None,
            }
            for c in record["certifications"]
        ],
    }


def _log_scan(request, target: ScanTarget) -> ScanCounts:
    region = request.headers.get("X-Client-Region") or request.headers.get("CF-IPCountry") or ""
    return scan_record(
        stamp_id=target.stamp_id, region=region, network=network_key(request), agent=_agent_class(request)
    )


def _agent_class(request) -> str:
    agent = request.headers.get("User-Agent", "").lower()
    if any(word in agent for word in ("bot", "crawler", "spider", "curl", "wget", "python")):
        return "bot"
    if any(word in agent for word in ("iphone", "android", "mobile", "zalo")):
        return "phone"
    if any(word in agent for word in ("windows", "macintosh", "linux", "x11")):
        return "desktop"
    return "other"
