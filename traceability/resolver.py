"""A GS1-Conformant Resolver (GS1 Conformant Resolver Standard 1.2.0) for the GTINs of this market.

Every ``/01/{GTIN-14}[/22/{cpv}][/10/{lot}][/21/{serial}]`` URI is parsed with biip (ground.gs1) and
answered at the most granular level we know: the stamp, else its lot, else the product. A lot or
serial we do not know walks up to the level we know (with a warning on the page: a stamp code we did
not issue may be a counterfeit); a GTIN we do not know is a 404 "not ours".

How a request is answered, in this order:
- ``OPTIONS``: 204 with the CORS headers (every answer carries them);
- a URI that is not a Digital Link: 400 with the reason (JSON or HTML by ``Accept``);
- ``?linkType=linkset`` (or ``all``) or ``Accept: application/linkset+json``: the RFC 9264 linkset of
  every level up to the GTIN, 200;
- ``?linkType=gs1:x``: 307 to that link (in the language of ``Accept-Language``), the query string
  passed on; 404 when we have no link of that type;
- a browser asking for HTML (``Accept`` has ``text/html``): the human page of that level, at once, on
  this URI. One round trip less for a buyer scanning over 3G, and the scan is counted here. The
  standard allows it: "information supplied in the request that can be used to make a better match";
- anything else: 307 to the default link (the same human page, at its own address).
Every answer to a URI we know has ``Link: <…?linkType=linkset>; rel="linkset"`` and the linkset's
JSON-LD context.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import wraps
from urllib.parse import quote, urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.common import no_append_slash
from django.views.decorators.csrf import csrf_exempt

from ground import gs1
from traceability import views
from traceability.models import HarvestLot
from traceability.selectors import (
    ScanTarget,
    lot_certifications,
    lot_with_gtin,
    product_stalls,
    product_with_gtin,
    scan_target,
)

LINKSET = "application/linkset+json"
VOC = "https://gs1.org/voc/"
CONTEXT = "https://ref.gs1.org/standards/resolver/linkset-context"
ALLOWED = "GET, HEAD, OPTIONS"
LANGUAGES = ("vi", "en")


class TemporaryRedirect(HttpResponseRedirect):
    """307, as the resolver standard asks: the client repeats the same request at the link."""

    status_code = 307


@dataclass(frozen=True)
class Link:
    href: str
    title: str
    type: str = ""
    hreflang: str = ""

    def as_json(self) -> dict:
        body = {"href": self.href, "title": self.title}
        if self.type:
            body["type"] = self.type
        if self.hreflang:
            body["hreflang"] = [self.hreflang]
        return body


@dataclass
class Level:
    """One identified entity (stamp, lot or product) and its links, by GS1 link type."""

    anchor: str
    description: str
    default: str  # the link type whose Vietnamese link is the default link
    links: dict[str, list[Link]] = field(default_factory=dict)

    def add(self, link_type: str, href: str, title_vi: str, title_en: str, media_type: str = "text/html"):
        self.links[link_type] = [
            Link(href, title_vi, media_type, "vi"),
            Link(_in_language(href, "en"), title_en, media_type, "en"),
        ]

    def as_json(self) -> dict:
        body = {"anchor": self.anchor, "description": self.description}
        for link_type, links in self.links.items():
            body[VOC + link_type] = [link.as_json() for link in links]
        default = self.links[self.default][0]
        body[VOC + "defaultLink"] = [{"href": default.href, "title": default.title}]
        return body


@dataclass
class Found:
    """What a Digital Link names, as deep as we know it."""

    link: gs1.DigitalLink
    target: ScanTarget | None = None
    lot: HarvestLot | None = None
    product: object | None = None
    unknown: str = ""  # "serial" or "lot": the part of the URI we did not issue

    @property
    def warning(self) -> str:
        if self.unknown == "serial":
            return _(
                "We did not issue the stamp code %(code)s. If it is on a package sold as from our market, "
                "the stamp may be fake: do not trust it, and tell the seller or the commune."
            ) % {"code": self.link.serial}
        if self.unknown == "lot":
            return _(
                "This product has no lot %(code)s with us. If this code is on a package, the label may be "
                "fake: tell the seller or the commune."
            ) % {"code": self.link.lot}
        return ""


def _resolver_view(view: Callable) -> Callable:
    """GET and HEAD answered by the view; OPTIONS 204 and anything else 405, with the CORS headers.
    No CSRF (nothing is written) and no slash redirect (the path is the identifier)."""

    @no_append_slash
    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "OPTIONS":
            return _with_manners(HttpResponse(status=204))
        if request.method not in ("GET", "HEAD"):
            return _with_manners(HttpResponse(status=405, headers={"Allow": ALLOWED}))
        return view(request, *args, **kwargs)

    return wrapped


@_resolver_view
def digital_link(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Every URI under /01/: GS1 Digital Links with a GTIN as primary key."""
    path, query = _raw_uri(request)
    try:
        link = gs1.parse_link(path, query)
    except gs1.InvalidLink as error:
        return _problem(request, 400, str(error.reason), error.detail)
    found = _find(link)
    if found is None:
        return _problem(request, 404, _("This product's GTIN is not one of ours."), link.gtin)
    response = _answer(request, lambda: _levels(found), lambda: _human_page(request, found))
    return _with_linkset_header(_with_manners(response), settings.STAMP_BASE_URL + link.path)


@_resolver_view
def description(request: HttpRequest) -> HttpResponse:
    """/.well-known/gs1resolver: the resolver description file of the standard (section 4.4)."""
    body = {
        "name": "Chợ OCOP GS1 resolver",
        "resolverRoot": settings.STAMP_BASE_URL,
        "supportedPrimaryKeys": ["01"],
        "supportedLinkType": [{"namespace": VOC, "prefix": "gs1:"}],
        "linkTypeDefaultCanBeLinkset": False,
        "jsonLdContextLocation": CONTEXT,
        "contact": {"fn": "Chợ OCOP", "hasEmail": settings.RESOLVER_CONTACT},
    }
    return _with_manners(JsonResponse(body, json_dumps_params={"ensure_ascii": False}))


def _raw_uri(request: HttpRequest) -> tuple[str, str]:
    """The path as it came over the wire (gunicorn's RAW_URI), so that a %2F inside a value stays
    inside it; Django's own path is already decoded. The test client has no RAW_URI."""
    raw = request.META.get("RAW_URI") or request.get_full_path()
    parts = urlsplit(raw)
    return parts.path, parts.query


def _find(link: gs1.DigitalLink) -> Found | None:
    found = Found(link)
    if link.serial:
        target = scan_target(gs1.serial_lookup_form(link.serial))
        if (
            target is not None
            and gs1.gtin14(target.gtin) == link.gtin
            and (not link.lot or target.lot_code == link.lot.upper())
        ):
            found.target = target
            return found
        found.unknown = "serial"
    if link.lot:
        found.lot = lot_with_gtin(link.gtin, link.lot)
        if found.lot is not None:
            return found
        found.unknown = found.unknown or "lot"
    found.product = product_with_gtin(link.gtin)
    return found if found.product is not None else None


def _answer(
    request: HttpRequest, levels: Callable[[], Iterator[Level]], human_page: Callable[[], HttpResponse]
) -> HttpResponse:
    """The standard's choice among linkset, link type, the human page and the default link. ``levels``
    yields the levels most granular first, lazily (a redirect to the stamp's page reads no more)."""
    accept = request.headers.get("Accept", "")
    link_type = request.GET.get("linkType", "")
    if link_type in ("linkset", "all") or (LINKSET in accept and not link_type):
        body = {"linkset": [level.as_json() for level in levels()]}
        return JsonResponse(body, content_type=LINKSET, json_dumps_params={"ensure_ascii": False})
    if link_type:
        return _redirect_to_type(request, levels(), link_type)
    if "text/html" in accept:
        return human_page()
    level = next(levels())
    return _redirect(request, _in_language_of(request, level.links[level.default]))


# Link types renamed in the GS1 Web Vocabulary, still asked for by their old name.
RENAMED = {"epcis": "epcisRepository"}


def _short_type(link_type: str) -> str:
    """gs1:pip, https://gs1.org/voc/pip and https://ref.gs1.org/voc/pip are the same link type."""
    for prefix in ("gs1:", "https://gs1.org/voc/", "http://gs1.org/voc/", "https://ref.gs1.org/voc/"):
        if link_type.startswith(prefix):
            name = link_type.removeprefix(prefix)
            return RENAMED.get(name, name)
    return "?" + link_type  # not a GS1 link type: matches none of ours


def _redirect_to_type(request: HttpRequest, levels: Iterator[Level], link_type: str) -> HttpResponse:
    """The most granular level with a link of that type answers (the standard's walk up the tree)."""
    wanted = _short_type(link_type)
    for level in levels:
        if wanted == "defaultLink":
            return _redirect(request, level.links[level.default][0])
        if wanted in level.links:
            return _redirect(request, _in_language_of(request, level.links[wanted]))
    return _problem(request, 404, _("There is no link of this type for this product."), link_type, "no-link")


def _redirect(request: HttpRequest, link: Link) -> HttpResponse:
    passed_on = [(key, value) for key, value in request.GET.items() if key != "linkType"]
    url, hash_sign, fragment = link.href.partition("#")
    if passed_on:  # before the #fragment, or it would never reach the server
        url += ("&" if "?" in url else "?") + urlencode(passed_on)
    return TemporaryRedirect(url + hash_sign + fragment)


def _human_page(request: HttpRequest, found: Found) -> HttpResponse:
    if found.target is not None:
        return views.stamp_response(request, found.target)
    if found.lot is not None:
        return views.lot_response(request, found.lot, warning=found.warning)
    return views.product_response(request, found.product, warning=found.warning)


def _levels(found: Found) -> Iterator[Level]:
    """The linkset's entries, most granular first, each anchored on its canonical Digital Link, in the
    order of the URI's own levels (a client walks up /01/{gtin}/21/{serial} to /01/{gtin}); the lot of
    a stamp asked for without its lot comes last. Lazy: a redirect to the stamp's page reads nothing
    more than the stamp."""
    base = settings.STAMP_BASE_URL
    lot = found.lot
    if found.target is not None:
        yield _stamp_level(base + found.link.path, found.target)
        lot = HarvestLot.objects.select_related("product").get(pk=found.target.lot_id)
    lot_level = _lot_level(base + found.link.product_path, lot) if lot is not None else None
    if lot_level is not None and found.link.lot:
        yield lot_level
    yield _product_level(base + found.link.product_path, lot.product if lot is not None else found.product)
    if lot_level is not None and not found.link.lot:
        yield lot_level


def _stamp_level(anchor: str, target: ScanTarget) -> Level:
    level = Level(anchor, f"{target.product_title} · {target.short_code}", default="traceability")
    href = _absolute(reverse("trace-stamp", args=[target.serial]))
    level.add("traceability", href, *_titles(_lazy("Origin of this package")))
    return level


def _lot_level(product_anchor: str, lot: HarvestLot) -> Level:
    gtin = gs1.gtin14(lot.product.gtin)
    anchor = f"{product_anchor}/10/{quote(lot.code, safe='')}"
    level = Level(anchor, f"{lot.product.title} · {lot.code}", default="traceability")
    page = _absolute(reverse("trace-lot", args=[gtin, lot.code]))
    level.add("traceability", page, *_titles(_lazy("Journey of lot %(code)s"), code=lot.code))
    if lot_certifications(lot).exists():
        level.add("certificationInfo", page + "#certs", *_titles(_lazy("Standards and certificates")))
    if lot.recalled_at is not None:
        level.add("recallStatus", page, *_titles(_lazy("This lot was recalled")))
    epcis = _absolute(reverse("epcis-lot", args=[gtin, lot.code]))
    level.links["epcisRepository"] = [
        Link(epcis, "EPCIS 2.0 events of lot " + lot.code, "application/ld+json", "en")
    ]
    return level


def _product_level(anchor: str, product) -> Level:
    gtin = gs1.gtin14(product.gtin)
    level = Level(anchor, product.title, default="traceability")
    shop = _absolute(reverse("catalogue:detail", kwargs={"product_slug": product.slug, "pk": product.pk}))
    origin = _absolute(reverse("trace-product", args=[gtin]))
    level.add("traceability", origin, *_titles(_lazy("Where %(name)s comes from"), name=product.title))
    level.add("pip", shop, product.title, product.title)
    if product_stalls(product):
        level.add("hasRetailers", origin + "#stalls", *_titles(_lazy("Stalls selling it")))
    if product.ocop_certificate_number:
        level.add("certificationInfo", origin + "#certs", *_titles(_lazy("OCOP certificate")))
    return level


def _titles(message, **params) -> tuple[str, str]:
    """A link's title in Vietnamese and in English (``message`` is a lazy translation)."""
    titles = []
    for language in LANGUAGES:
        with translation.override(language):
            titles.append(str(message) % params if params else str(message))
    return titles[0], titles[1]


def _absolute(path: str) -> str:
    return settings.STAMP_BASE_URL + path


def _in_language(href: str, language: str) -> str:
    """The page in that language: ?hl=en (see marketplace.middleware), before any #fragment."""
    if language == "vi":
        return href
    url, hash_sign, fragment = href.partition("#")
    return f"{url}{'&' if '?' in url else '?'}hl={language}{hash_sign}{fragment}"


def _in_language_of(request: HttpRequest, links: list[Link]) -> Link:
    """The link in the language the request prefers (``lang=`` or Accept-Language), Vietnamese if none."""
    wanted = request.GET.get("lang") or _accepted_language(request.headers.get("Accept-Language", ""))
    return next((link for link in links if link.hreflang == wanted), links[0])


def _accepted_language(header: str) -> str:
    """The first of our languages in an Accept-Language header, by preference; '' when none."""
    ranked = []
    for position, item in enumerate(header.split(",")[:20]):
        language, _sep, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = language.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else ""


def _problem(
    request: HttpRequest, status: int, reason: str, detail: str = "", kind: str = ""
) -> HttpResponse:
    """400 or 404, as JSON for tools (with the parser's own words in ``detail``) or as a page for
    people. ``kind="no-link"``: the product is ours, only the link type is missing."""
    accept = request.headers.get("Accept", "")
    if "json" in accept and "text/html" not in accept:
        body = {"status": status, "error": reason, "detail": detail}
        response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    else:
        template = "traceability/malformed.html" if status == 400 else "traceability/not_ours.html"
        response = render(request, template, {"reason": reason, "kind": kind}, status=status)
    return _with_manners(response)


def _with_linkset_header(response: HttpResponse, anchor: str) -> HttpResponse:
    """RFC 9264 section 6: where the linkset of this URI is; and the JSON-LD context of linksets."""
    response["Link"] = (
        f'<{anchor}?linkType=linkset>; rel="linkset"; type="{LINKSET}", '
        f'<{CONTEXT}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'
    )
    return response


def _with_manners(response: HttpResponse) -> HttpResponse:
    """CORS for every origin (a scanner app or a portal's page reads us from its own), and Vary: the
    answer depends on Accept and Accept-Language."""
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = ALLOWED
    response["Access-Control-Allow-Headers"] = "Accept, Accept-Language"
    response["Access-Control-Expose-Headers"] = "Link, Location"
    response["Access-Control-Max-Age"] = "86400"
    response["Allow"] = ALLOWED
    response["Vary"] = "Accept, Accept-Language"
    return response


@_resolver_view
def short_link(request: HttpRequest, serial: str) -> HttpResponse:
    """/t/{serial}: the stamps of products without a GTIN (not a Digital Link: no GS1 key to resolve),
    answered with the same manners: the page for a browser, a linkset, link types, else a redirect."""
    if not 0 < len(serial) <= 20 or not set(serial) <= gs1.GS1_CHARSET_82:
        return _problem(request, 400, _("This stamp address is not valid"), serial)
    target = scan_target(gs1.serial_lookup_form(serial))
    if target is None:
        return _problem(request, 404, _("We do not know this stamp"), serial)
    if target.gtin:  # a stamp of a product with a GTIN, asked for by its short form: its Digital Link
        digital_link_uri = gs1.stamp_url(
            base_url=settings.STAMP_BASE_URL,
            serial=target.serial,
            gtin=gs1.gtin14(target.gtin),
            lot=target.lot_code,
        )
        return _with_manners(TemporaryRedirect(digital_link_uri))
    anchor = gs1.stamp_url(base_url=settings.STAMP_BASE_URL, serial=target.serial)
    level = _stamp_level(anchor, target)
    shop = reverse("catalogue:detail", kwargs={"product_slug": target.product_slug, "pk": target.product_id})
    level.add("pip", _absolute(shop), target.product_title, target.product_title)
    response = _answer(request, lambda: iter([level]), lambda: views.stamp_response(request, target))
    if response.status_code == 404:  # a link type it lacks: the problem page, without the linkset
        return response
    return _with_linkset_header(_with_manners(response), anchor)
