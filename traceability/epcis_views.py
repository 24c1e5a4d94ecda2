"""EPCIS 2.0 over HTTP, for lots of products with a GTIN (the documents: traceability/epcis.py).

- ``/epcis/lots/{gtin}/{lot}``: the lot's EPCISDocument (JSON-LD). Its stable address, linked from the
  stamps' link sets as ``gs1:epcis``.
- ``/epcis/events?MATCH_anyEPCClass={lot's class URI}``: a subset of the EPCIS 2.0 REST binding's event
  query (SimpleEventQuery) for one lot, optionally with ``EQ_bizStep`` (bare CBV words or URIs,
  several separated by ``|``), ``GE_eventTime`` and ``LT_eventTime`` (ISO 8601; without an offset,
  Vietnam's time). An EPCISQueryDocument; a lot we do not know gives an empty event list.

Anyone may read them, from any origin. Stamp serials are secret (whoever knows one can print a copy
of the stamp), so they are listed only for the lot's cooperative (the sellers who manage it on the
traceability desk) and superusers. Malformed input is a 400 problem document, never an error page.
"""

import re
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.common import no_append_slash
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from ground import gs1
from sellers.access import managed_stalls
from traceability import epcis
from traceability.models import HarvestLot
from traceability.selectors import cooperative_stalls, lot_with_gtin

LD_JSON = "application/ld+json"
PROBLEM_JSON = "application/problem+json"
QUERY_PARAMETERS = ("MATCH_anyEPCClass", "EQ_bizStep", "GE_eventTime", "LT_eventTime")
MAX_VALUE_LENGTH = 512  # a class URI is about 70 characters
MAX_BIZ_STEPS = 20
GTIN_DIGITS = re.compile(r"^[0-9]{8,14}$")  # ASCII only: str.isdigit() also accepts "²"
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def may_see_serials(user, lot: HarvestLot) -> bool:
    """The traceability desk's rule (sellers.access.with_stall, then selectors.lots_of): a stall the
    user manages whose cooperative records include the lot's owner. Superusers too."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    owner = lot.owner
    # Only the owner itself or its cooperative can manage the owner's records.
    candidates = [pk for pk in (owner.pk, owner.cooperative_id) if pk is not None]
    return any(
        owner.pk in {member.pk for member in cooperative_stalls(stall)}
        for stall in managed_stalls(user).filter(pk__in=candidates)
    )


def _respond(data: dict, *, status: int = 200, content_type: str = LD_JSON) -> JsonResponse:
    response = JsonResponse(
        data, status=status, content_type=content_type, json_dumps_params={"ensure_ascii": False}
    )
    response["Access-Control-Allow-Origin"] = "*"
    response["GS1-EPCIS-Version"] = "2.0.0"
    response["GS1-CBV-Version"] = "2.0.0"
    # The answer depends on who asks (serials): no shared cache may keep it.
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ["Cookie"])
    return response


def _problem(status: int, kind: str, title: str) -> JsonResponse:
    """An RFC 7807 problem, with the EPCIS REST binding's exception names."""
    return _respond(
        {"type": f"epcisException:{kind}", "title": title, "status": status},
        status=status,
        content_type=PROBLEM_JSON,
    )


def _entries(request, lot: HarvestLot) -> list[epcis.Entry]:
    journey = epcis.lot_journey(lot, with_serials=may_see_serials(request.user, lot))
    return epcis.journey_entries(journey)


@no_append_slash
@csrf_exempt
@require_safe
def lot_document(request, gtin: str, lot: str):
    lot = lot.removesuffix("/")  # tolerated, as on the resolver's paths
    if not GTIN_DIGITS.match(gtin):
        return _problem(400, "ValidationException", _("This is not a valid GTIN."))
    try:
        gtin14 = gs1.normalize_gtin(gtin)
    except ValidationError:
        return _problem(400, "ValidationException", _("This is not a valid GTIN."))
    if not lot or len(lot) > 20 or not set(lot) <= gs1.GS1_CHARSET_82:
        return _problem(400, "ValidationException", _("This is not a valid lot code."))
    found = lot_with_gtin(gtin14, lot) if gs1.OUR_CODE.match(lot.upper()) else None
    if found is None:
        return _problem(404, "NoSuchResourceException", _("We have no lot with this GTIN and lot code."))
    return _respond(epcis.epcis_document(_entries(request, found), created_at=timezone.now()))


class QueryError(ValueError):
    pass


def _time_parameter(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, timezone.get_default_timezone())
        moment.astimezone(UTC)  # years 1 and 9999 with an offset cannot be compared
    except (ValueError, OverflowError) as error:
        raise QueryError(_("Times are ISO 8601, for example 2026-06-12T08:00:00+07:00.")) from error
    return moment


def _biz_steps(value: str) -> set[str]:
    steps = [step.strip() for step in value.split("|") if step.strip()]
    if not steps or len(steps) > MAX_BIZ_STEPS:
        raise QueryError(_("EQ_bizStep takes one to 20 business steps, separated by '|'."))
    return {step if ":" in step else epcis.bizstep_uri(step) for step in steps}


def _query(parameters) -> dict:
    """The query's filters from the request's parameters, or QueryError saying what is wrong."""
    for name in parameters:
        if name not in QUERY_PARAMETERS:
            raise QueryError(
                _("Unsupported query parameter. Supported: %(supported)s.")
                % {"supported": ", ".join(QUERY_PARAMETERS)}
            )
        values = parameters.getlist(name)
        if len(values) != 1:
            raise QueryError(_("Give each query parameter once."))
        if len(values[0]) > MAX_VALUE_LENGTH or CONTROL.search(values[0]):
            raise QueryError(_("A query parameter is too long or contains control characters."))
    example = epcis.class_uri("08938536000015", "LN2026-06A")
    if not parameters.get("MATCH_anyEPCClass"):
        raise QueryError(
            _("MATCH_anyEPCClass is required: the identifier of one of our lots, such as %(example)s.")
            % {"example": example}
        )
    lot = epcis.parse_class_uri(parameters["MATCH_anyEPCClass"])
    if lot is None:
        raise QueryError(
            _("MATCH_anyEPCClass is not the identifier of one of our lots, such as %(example)s.")
            % {"example": example}
        )
    return {
        "lot": lot,
        "biz_steps": _biz_steps(parameters["EQ_bizStep"]) if "EQ_bizStep" in parameters else None,
        "since": _time_parameter(parameters["GE_eventTime"]) if "GE_eventTime" in parameters else None,
        "until": _time_parameter(parameters["LT_eventTime"]) if "LT_eventTime" in parameters else None,
    }


@no_append_slash
@csrf_exempt
@require_safe
def events(request):
    try:
        query = _query(request.GET)
    except QueryError as error:
        return _problem(400, "QueryParameterException", str(error))
    gtin14, code = query.pop("lot")
    lot = lot_with_gtin(gtin14, code)
    entries = epcis.select(_entries(request, lot), **query) if lot is not None else []
    return _respond(epcis.epcis_query_document(entries, created_at=timezone.now()))


EVENT_NAME = re.compile(
    r"^(?:(?P<event>[0-9]{1,12})|stamps-(?P<run>[0-9]{1,12})-[0-9]{1,6}|recall-(?P<lot>[0-9]{1,12}))$"
)


@no_append_slash
@csrf_exempt
@require_safe
def event(request, name: str):
    """An eventID dereferenced: ``/epcis/events/{name}`` answers the query document holding that event
    (and its error declaration, which shares its eventID), under the same serial rule."""
    match = EVENT_NAME.match(name.removesuffix("/"))
    lot = None
    if match and match["event"]:
        lot = HarvestLot.objects.filter(events__pk=match["event"]).select_related("product", "owner").first()
    elif match and match["run"]:
        lot = (
            HarvestLot.objects.filter(stamp_runs__pk=match["run"]).select_related("product", "owner").first()
        )
    elif match and match["lot"]:
        lot = HarvestLot.objects.filter(pk=match["lot"]).select_related("product", "owner").first()
    wanted = epcis.event_id(name.removesuffix("/"))
    found = [entry for entry in _entries(request, lot) if entry.event["eventID"] == wanted] if lot else []
    if not found or not lot.product.gtin:
        return _problem(404, "NoSuchResourceException", _("We have no event with this identifier."))
    return _respond(epcis.epcis_query_document(found, created_at=timezone.now()))
