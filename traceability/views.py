"""The public trace page, acting as a GS1 Digital Link resolver.

``/01/{gtin}/10/{lot}/21/{serial}`` and ``/t/{serial}``:
- ``?linkType=gs1:pip`` redirects to the product page (query parameters passed on);
- ``?linkType=linkset`` or ``Accept: application/linkset+json`` returns an RFC 9264 link set;
- ``Accept: application/json`` returns the trace record;
- otherwise the trace page, in Vietnamese unless the visitor chose English.
A malformed URI gets 400, an unknown stamp a "not ours" page (404). Every page view is a scan.
"""

from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from ground import gs1
from ground.client import network_key
from traceability import page_cache
from traceability.selectors import ScanCounts, ScanTarget, scan_target, stamp_for_scan, trace_record
from traceability.services import scan_record

LINKSET = "application/linkset+json"
GS1 = "https://gs1.org/voc/"


@require_GET
def digital_link(request, gtin: str, lot: str, serial: str):
    try:
        link = gs1.parse_digital_link(gtin, lot, serial)
    except ValidationError:
        return render(request, "traceability/malformed.html", status=400)
    target = scan_target(link.serial)
    if target is None or gs1.gtin14(target.gtin) != link.gtin or target.lot_code != link.lot.upper():
        return _not_ours(request)
    return _resolve(request, target)


@require_GET
def short_link(request, serial: str):
    if not serial or len(serial) > 20 or not set(serial) <= gs1.GS1_CHARSET_82:
        return render(request, "traceability/malformed.html", status=400)
    target = scan_target(serial)
    if target is None or target.gtin:
        return _not_ours(request)
    return _resolve(request, target)


def _not_ours(request):
    return render(request, "traceability/not_ours.html", status=404)


def _resolve(request, target: ScanTarget):
    link_type = request.GET.get("linkType", "")
    accept = request.headers.get("Accept", "")
    product_path = reverse(
        "catalogue:detail", kwargs={"product_slug": target.product_slug, "pk": target.product_id}
    )
    product_url = request.build_absolute_uri(product_path)
    if link_type == "gs1:pip":
        passed_on = {key: value for key, value in request.GET.items() if key != "linkType"}
        return HttpResponseRedirect(product_url + (f"?{urlencode(passed_on)}" if passed_on else ""))
    if link_type == "linkset" or LINKSET in accept:
        return _linkset(request, target, product_url)
    counts = _log_scan(request, target)
    if "application/json" not in accept and page_cache.shell_allowed(request):
        return page_cache.trace_page(request, target, counts, product_url)
    record = trace_record(stamp_for_scan(target.serial), counts)
    if "application/json" in accept:
        return JsonResponse(_as_json(record, product_url), json_dumps_params={"ensure_ascii": False})
    return render(request, "traceability/trace.html", {**record, "product_url": product_url})


def _linkset(request, target: ScanTarget, product_url: str) -> JsonResponse:
    anchor = request.build_absolute_uri(request.path)
    links = {
        "anchor": anchor,
        f"{GS1}pip": [
            {"href": product_url, "title": target.product_title, "type": "text/html", "hreflang": ["vi"]}
        ],
        f"{GS1}traceability": [
            {"href": anchor, "title": "Truy xuất nguồn gốc", "type": "text/html", "hreflang": ["vi", "en"]}
        ],
        f"{GS1}defaultLink": [{"href": anchor, "title": target.product_title}],
    }
    return JsonResponse({"linkset": [links]}, content_type=LINKSET, json_dumps_params={"ensure_ascii": False})


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
