"""EPCIS 2.0 JSON-LD for harvest lots (GS1 EPCIS 2.0 and CBV 2.0): what happened to a lot, when, where, why.

Only lots of products with a GTIN have one: every event names the lot by its class-level identifier,
the Digital Link of GTIN + lot (``{STAMP_BASE_URL}/01/{GTIN-14}/10/{lot}``), in ``quantityList``.

- Each LotEvent is an ObjectEvent. The harvest (``commissioning``) brings the lot into being: action
  ADD, its quantity, its instance/lot master data (ILMD: harvest date, best before, country of origin)
  and, as read point and business location, the first plot's coordinates (a ``geo:`` URI). Later
  steps observe the lot (action OBSERVE). The free-text place and notes are extensions
  (``ocop:place``, ``ocop:notes``) in our own vocabulary, declared in the ``@context``.
- The stamps activated together (one click on the desk) are an ObjectEvent ADD ``commissioning``: in
  CBV 2.0 commissioning is "associating an instance-level identifier with a specific object", which
  is what sticking an activated stamp on a package does (``packing`` is putting objects into a
  container, an AggregationEvent). Their Digital Link URIs go in ``epcList`` only when
  ``with_serials``: a serial is a secret (whoever knows one can print a copy of the stamp). Otherwise
  the event gives their number in ``quantityList`` and an empty ``epcList``.
- A recall is an ObjectEvent OBSERVE with the disposition ``recalled``.
- A corrected event (``LotEvent.corrects``) appears as recorded, then again with the same eventID and
  an ``errorDeclaration`` naming its corrections (``correctiveEventIDs``); each correction is an event
  of its own.

Business steps, dispositions and error reasons are full ``https://ref.gs1.org/cbv/...`` URIs (the
JSON-LD context would expand the bare words to the same URIs). Event IDs are stable URIs under
``{STAMP_BASE_URL}/epcis/events/``. The reading (``selectors.lot_with_gtin``, ``lot_journey``) takes a
fixed number of queries whatever the number of events and stamps; the rest are pure functions.
"""

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import timezone
from oscar.core.loading import get_model

from ground import gs1
from traceability.models import CBV_STEPS, FarmPlot, HarvestLot, LotEvent, Stamp
from traceability.selectors import stamp_url_for

Product = get_model("catalogue", "Product")

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
CBV = "https://ref.gs1.org/cbv/"
# Our extension vocabulary: a fixed name (not STAMP_BASE_URL, which differs per deployment), so that
# ``ocop:place`` means the same in every document whoever serves it.
OCOP_VOCABULARY = "https://cho-ocop.vn/voc/"
CONTEXT = [EPCIS_CONTEXT, {"ocop": OCOP_VOCABULARY}]
COUNTRY_OF_ORIGIN = "VN"

STEPS = CBV_STEPS

# UN/CEFACT Recommendation 20 codes for the units a lot is weighed in, with the factor to them: yến and
# tạ are 10 and 100 kg. Anything else is counted (quả, hộp, túi, thùng...): H87, "piece".
UNITS = {
    "kg": ("KGM", 1),
    "g": ("GRM", 1),
    "yến": ("KGM", 10),
    "yen": ("KGM", 10),
    "tạ": ("KGM", 100),
    "ta": ("KGM", 100),
    "tấn": ("TNE", 1),
    "tan": ("TNE", 1),
    "t": ("TNE", 1),
    "l": ("LTR", 1),
    "lít": ("LTR", 1),
    "lit": ("LTR", 1),
    "ml": ("MLT", 1),
}
PIECE = "H87"


def bizstep_uri(word: str) -> str:
    return f"{CBV}BizStep-{word}"


def disposition_uri(word: str) -> str:
    return f"{CBV}Disp-{word}"


def class_uri(gtin14: str, code: str) -> str:
    """The lot's class-level identifier: the Digital Link of its GTIN and lot code."""
    return f"{settings.STAMP_BASE_URL}/01/{gtin14}/10/{code}"


def lot_class_uri(lot: HarvestLot) -> str:
    return class_uri(gs1.gtin14(lot.product.gtin), lot.code)


def event_id(name) -> str:
    return f"{settings.STAMP_BASE_URL}/epcis/events/{name}"


def parse_class_uri(uri: str) -> tuple[str, str] | None:
    """(GTIN-14, lot code) of one of our class-level identifiers, or None when ``uri`` is not one."""
    prefix = f"{settings.STAMP_BASE_URL}/01/"
    if not uri.startswith(prefix):
        return None
    parts = uri.removeprefix(prefix).split("/")
    if len(parts) != 3 or parts[1] != "10" or not gs1.is_gtin14(parts[0]):
        return None
    try:
        gtin14 = gs1.normalize_gtin(parts[0])
    except ValidationError:
        return None
    code = parts[2].upper()
    return (gtin14, code) if gs1.OUR_CODE.match(code) else None


# Reading ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StampBatch:
    """Stamps of one run activated together (they share their activation time)."""

    run_id: int
    number: int  # 1 for the run's first activation, 2 for the next...
    activated_at: datetime
    count: int
    urls: tuple[str, ...] = ()  # their Digital Link URIs, only when serials may be shown


@dataclass(frozen=True)
class LotJourney:
    lot: HarvestLot
    plot: FarmPlot | None
    events: list[LotEvent]
    batches: list[StampBatch]


def lot_journey(lot: HarvestLot, *, with_serials: bool) -> LotJourney:
    """What the lot's EPCIS events are made of, in three queries."""
    plot = next(iter(lot.plots.all()[:1]), None)
    events = list(LotEvent.objects.filter(lot=lot).order_by("occurred_at", "pk"))
    activated = Stamp.objects.filter(lot=lot, activated_at__isnull=False)
    if with_serials:
        groups: dict[tuple[int, datetime], list[str]] = {}
        for stamp in activated.only("run", "activated_at", "serial", "lot").order_by(
            "run_id", "activated_at", "number"
        ):
            stamp.lot = lot  # already read: stamp_url_for needs its GTIN and code
            groups.setdefault((stamp.run_id, stamp.activated_at), []).append(stamp_url_for(stamp))
        rows = [(run_id, at, len(urls), tuple(urls)) for (run_id, at), urls in groups.items()]
    else:
        rows = [
            (row["run_id"], row["activated_at"], row["count"], ())
            for row in activated.values("run_id", "activated_at")
            .annotate(count=Count("pk"))
            .order_by("run_id", "activated_at")
        ]
    batches, previous_run, number = [], None, 0
    for run_id, activated_at, count, urls in rows:
        number = number + 1 if run_id == previous_run else 1
        previous_run = run_id
        batches.append(StampBatch(run_id, number, activated_at, count, urls))
    return LotJourney(lot=lot, plot=plot, events=events, batches=batches)


# Building -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """An event and the moment it happened (for sorting and the query's time filters)."""

    at: datetime
    event: dict


def _local(moment: datetime) -> datetime:
    """In the marketplace's time zone (Asia/Ho_Chi_Minh), whatever zone the request activated."""
    return timezone.localtime(moment, timezone.get_default_timezone())


def _time(moment: datetime) -> str:
    return _local(moment).isoformat()


def _offset(moment: datetime) -> str:
    minutes = int(_local(moment).utcoffset().total_seconds()) // 60
    return f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _quantity(lot: HarvestLot) -> dict:
    unit = unicodedata.normalize("NFC", lot.unit or "").strip().lower()
    code, factor = UNITS.get(unit, (PIECE, 1))
    return {"epcClass": lot_class_uri(lot), "quantity": _number(lot.quantity * factor), "uom": code}


def _base(*, name, at: datetime, recorded_at: datetime, action: str) -> dict:
    return {
        "type": "ObjectEvent",
        "eventID": event_id(name),
        "eventTime": _time(at),
        "eventTimeZoneOffset": _offset(at),
        "recordTime": _time(recorded_at),
        "action": action,
    }


def lot_event(event: LotEvent, *, lot: HarvestLot, plot: FarmPlot | None) -> dict:
    step, disposition = STEPS.get(event.step, (None, None))
    harvest = event.step == LotEvent.Step.COMMISSIONING
    data = _base(
        name=event.pk,
        at=event.occurred_at,
        recorded_at=event.recorded_at,
        action="ADD" if harvest else "OBSERVE",
    )
    data["quantityList"] = [_quantity(lot) if harvest else {"epcClass": lot_class_uri(lot)}]
    # A step added to LotEvent.Step later and not mapped above keeps its name, in our vocabulary.
    data["bizStep"] = bizstep_uri(step) if step else f"{OCOP_VOCABULARY}BizStep-{event.step}"
    if disposition:
        data["disposition"] = disposition_uri(disposition)
    if harvest and plot is not None:
        where = f"geo:{plot.latitude},{plot.longitude}"
        data["readPoint"] = {"id": where}
        data["bizLocation"] = {"id": where}
    if harvest:
        ilmd = {"cbvmda:harvestStartDate": lot.harvest_date.isoformat()}
        if lot.best_before:
            ilmd["cbvmda:bestBeforeDate"] = lot.best_before.isoformat()
        ilmd["cbvmda:countryOfOrigin"] = COUNTRY_OF_ORIGIN
        data["ilmd"] = ilmd
    data["ocop:place"] = event.place
    if event.notes:
        data["ocop:notes"] = event.notes
    return data


def error_declaration(data: dict, corrections: list[LotEvent]) -> dict:
    """The corrected event again, with the same eventID, declared wrong by its first correction."""
    declared_at = _time(corrections[0].recorded_at)
    return {
        **data,
        "recordTime": declared_at,
        "errorDeclaration": {
            "declarationTime": declared_at,
            "reason": f"{CBV}ER-incorrect_data",
            "correctiveEventIDs": [event_id(correction.pk) for correction in corrections],
        },
    }


def stamp_event(batch: StampBatch, *, lot: HarvestLot) -> dict:
    data = _base(
        name=f"stamps-{batch.run_id}-{batch.number}",
        at=batch.activated_at,
        recorded_at=batch.activated_at,
        action="ADD",
    )
    data["epcList"] = list(batch.urls)
    if not batch.urls:  # serials hidden: only how many
        data["quantityList"] = [{"epcClass": lot_class_uri(lot), "quantity": batch.count}]
    data["bizStep"] = bizstep_uri("commissioning")
    data["disposition"] = disposition_uri("active")
    return data


def recall_event(lot: HarvestLot) -> dict:
    data = _base(name=f"recall-{lot.pk}", at=lot.recalled_at, recorded_at=lot.recalled_at, action="OBSERVE")
    data["quantityList"] = [{"epcClass": lot_class_uri(lot)}]
    data["disposition"] = disposition_uri("recalled")
    data["ocop:reason"] = lot.recall_reason
    return data


def journey_entries(journey: LotJourney) -> list[Entry]:
    """Every event of the lot, in the order they happened (a correction's declaration right after
    the event it corrects)."""
    lot = journey.lot
    corrections: dict[int, list[LotEvent]] = {}
    for event in sorted(journey.events, key=lambda e: (e.recorded_at, e.pk)):
        if event.corrects_id is not None:
            corrections.setdefault(event.corrects_id, []).append(event)
    entries = []
    for event in journey.events:
        data = lot_event(event, lot=lot, plot=journey.plot)
        entries.append(Entry(event.occurred_at, data))
        if event.pk in corrections:
            entries.append(Entry(event.occurred_at, error_declaration(data, corrections[event.pk])))
    entries += [Entry(batch.activated_at, stamp_event(batch, lot=lot)) for batch in journey.batches]
    if lot.recalled_at:
        entries.append(Entry(lot.recalled_at, recall_event(lot)))
    return sorted(entries, key=lambda entry: entry.at)  # stable: declarations stay after their event


def select(
    entries: list[Entry],
    *,
    biz_steps: set[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[Entry]:
    """The query's filters: EQ_bizStep (full URIs), GE_eventTime and LT_eventTime."""
    return [
        entry
        for entry in entries
        if (biz_steps is None or entry.event.get("bizStep") in biz_steps)
        and (since is None or entry.at >= since)
        and (until is None or entry.at < until)
    ]


def epcis_document(entries: list[Entry], *, created_at: datetime) -> dict:
    return {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": _time(created_at),
        "epcisBody": {"eventList": [entry.event for entry in entries]},
    }


def epcis_query_document(entries: list[Entry], *, created_at: datetime) -> dict:
    return {
        "@context": CONTEXT,
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": _time(created_at),
        "epcisBody": {
            "queryResults": {
                "queryName": "SimpleEventQuery",
                "resultsBody": {"eventList": [entry.event for entry in entries]},
            }
        },
    }
