"""EPCIS 2.0 JSON-LD for harvest lots: what the views return passes an independent validator of the EPCIS
2.0 JSON schema (npm's epcis2.js, run with Node), says what happened in CBV terms, and never shows a stamp
serial to someone who may not print the stamps."""

import json
import shutil
import subprocess
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sellers.models import Stall
from tests.conftest import require_service
from tests.factories import UserFactory, make_product, seller_with_stall
from traceability import services
from traceability.models import FarmPlot, Stamp
from traceability.selectors import stamp_url_for

pytestmark = pytest.mark.django_db

BASE = "https://cho-ocop.vn"
GTIN = "08938536000015"
CBV = "https://ref.gs1.org/cbv/"
LOT_CLASS = f"{BASE}/01/{GTIN}/10/LN2026-06A"
LOT_URL = f"/epcis/lots/{GTIN}/LN2026-06A"
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

NODE = shutil.which("node")
VALIDATOR = Path(__file__).resolve().parents[2] / "tools" / "epcis" / "validate.js"


def epcis2js(document: bytes) -> subprocess.CompletedProcess:
    """Run tools/epcis/validate.js (epcis2.js 2.7.3's validateEpcisDocument) on a document."""
    require_service(
        NODE is not None and (VALIDATOR.parent / "node_modules" / "epcis2.js").is_dir(),
        "Node.js with the EPCIS validator (make node-tools: npm ci --prefix tools/epcis)",
    )
    # Fixed arguments: our validator script on the document, given on standard input.
    return subprocess.run(  # noqa: S603
        [NODE, str(VALIDATOR)], input=document, capture_output=True, timeout=60, check=False
    )


def assert_valid(response) -> dict:
    result = epcis2js(response.content)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode().strip() == "valid"
    return json.loads(response.content)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 6, day, hour, minute, tzinfo=VIETNAM)


@pytest.fixture
def lychee(make_storefront, settings):
    """A cooperative's lychee lot: harvested on a plot, sorted, packed, shipped to the wrong place and
    corrected, with a run of 3 stamps activated."""
    settings.STAMP_BASE_URL = BASE
    make_storefront()
    manager, coop = seller_with_stall(kind=Stall.Kind.COOPERATIVE, partner__name="HTX Lục Ngạn Xanh")
    product = make_product(stall=coop, title="Vải thiều Lục Ngạn", gtin=GTIN)
    plot = FarmPlot.objects.create(
        owner=coop, commune=coop.commune, name="Đồi vải Kép 1", latitude="21.37720", longitude="106.60530"
    )
    lot = services.lot_create(
        manager_stall=coop,
        product=product,
        code="ln2026-06a",
        harvest_date=date(2026, 6, 12),
        quantity=Decimal("1200"),
        unit="kg",
        plots=[plot],
        actor=manager,
        best_before=date(2026, 6, 26),
    )

    def record(step, when, place, **fields):
        return services.lot_event_record(
            lot=lot, actor=manager, step=step, occurred_at=when, place=place, **fields
        )

    events = SimpleNamespace(
        harvest=lot.events.get(),
        sorting=record("sorting", at(12, 15, 30), "Nhà sơ chế HTX", notes="Loại 1: 900 kg"),
        packing=record("packing", at(13, 8), "Nhà sơ chế HTX, thôn Kép 1"),
        wrong=record("shipping", at(13, 14), "Chợ đầu mối Long Biên"),
    )
    events.fix = record("shipping", at(13, 16), "Siêu thị Co.op Hà Nội", corrects=events.wrong)
    run = services.stamp_run_create(lot=lot, count=3, actor=manager)
    services.stamps_activate(run=run, actor=manager)
    stamps = list(Stamp.objects.filter(run=run).select_related("lot__product"))
    return SimpleNamespace(manager=manager, coop=coop, lot=lot, run=run, stamps=stamps, events=events)


def event_list(document: dict) -> list[dict]:
    body = document["epcisBody"]
    return body["eventList"] if "eventList" in body else body["queryResults"]["resultsBody"]["eventList"]


def events_by_id(document: dict, event) -> list[dict]:
    return [e for e in event_list(document) if e["eventID"] == f"{BASE}/epcis/events/{event.pk}"]


def stamp_events(document: dict) -> list[dict]:
    return [e for e in event_list(document) if "/epcis/events/stamps-" in e["eventID"]]


# The document, checked by the validator ------------------------------------------------------------


def test_anonymous_document_is_valid_epcis_2(client, lychee):
    response = client.get(LOT_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    assert response["Access-Control-Allow-Origin"] == "*"
    document = assert_valid(response)
    assert document["type"] == "EPCISDocument" and document["schemaVersion"] == "2.0"
    assert document["@context"] == [
        "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
        {"ocop": "https://cho-ocop.vn/voc/"},
    ]


def test_owner_document_with_serials_is_valid_epcis_2(client, lychee):
    client.force_login(lychee.manager)

    document = assert_valid(client.get(LOT_URL))

    assert stamp_events(document)[0]["epcList"]


def test_query_document_is_valid_epcis_2(client, lychee):
    response = client.get("/epcis/events", {"MATCH_anyEPCClass": LOT_CLASS})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    document = assert_valid(response)
    assert document["type"] == "EPCISQueryDocument"
    assert document["epcisBody"]["queryResults"]["queryName"] == "SimpleEventQuery"
    assert len(event_list(document)) == 7  # 5 events, 1 error declaration, 1 stamp activation


def test_recalled_lot_document_is_valid_epcis_2(client, lychee):
    services.lot_recall(lot=lychee.lot, actor=lychee.manager, reason="Dư lượng thuốc vượt ngưỡng")

    document = assert_valid(client.get(LOT_URL))

    recall = event_list(document)[-1]
    assert recall["disposition"] == f"{CBV}Disp-recalled"
    assert recall["ocop:reason"] == "Dư lượng thuốc vượt ngưỡng"


def test_the_validator_refuses_a_broken_document(client, lychee):
    """The validator really checks: the same document without an eventTimeZoneOffset fails."""
    document = json.loads(client.get(LOT_URL).content)
    del event_list(document)[0]["eventTimeZoneOffset"]

    result = epcis2js(json.dumps(document).encode())

    assert result.returncode == 1
    assert "eventTimeZoneOffset" in result.stderr.decode()


# What the events say ----------------------------------------------------------------------------------


def test_harvest_is_commissioning_the_lot_with_quantity_place_and_master_data(client, lychee):
    document = json.loads(client.get(LOT_URL).content)

    [harvest] = events_by_id(document, lychee.events.harvest)
    assert harvest == {
        "type": "ObjectEvent",
        "eventID": f"{BASE}/epcis/events/{lychee.events.harvest.pk}",
        "eventTime": "2026-06-12T12:00:00+07:00",
        "eventTimeZoneOffset": "+07:00",
        "recordTime": harvest["recordTime"],
        "action": "ADD",
        "quantityList": [{"epcClass": LOT_CLASS, "quantity": 1200, "uom": "KGM"}],
        "bizStep": f"{CBV}BizStep-commissioning",
        "disposition": f"{CBV}Disp-active",
        "readPoint": {"id": "geo:21.37720,106.60530"},
        "bizLocation": {"id": "geo:21.37720,106.60530"},
        "ilmd": {
            "cbvmda:harvestStartDate": "2026-06-12",
            "cbvmda:bestBeforeDate": "2026-06-26",
            "cbvmda:countryOfOrigin": "VN",
        },
        "ocop:place": "Đồi vải Kép 1",
    }
    assert harvest["recordTime"].endswith("+07:00")


def test_later_steps_observe_the_lot_and_sorting_is_inspecting(client, lychee):
    document = json.loads(client.get(LOT_URL).content)

    [sorting] = events_by_id(document, lychee.events.sorting)
    assert sorting["action"] == "OBSERVE"
    assert sorting["quantityList"] == [{"epcClass": LOT_CLASS}]
    assert sorting["bizStep"] == f"{CBV}BizStep-inspecting"  # CBV 2.0 has no "sorting"
    assert sorting["eventTime"] == "2026-06-12T15:30:00+07:00"
    assert sorting["ocop:notes"] == "Loại 1: 900 kg"
    assert "ilmd" not in sorting and "readPoint" not in sorting
    steps = [e.get("bizStep", "").removeprefix(f"{CBV}BizStep-") for e in event_list(document)]
    assert steps == [
        "commissioning",
        "inspecting",
        "packing",
        "shipping",
        "shipping",
        "shipping",
        "commissioning",
    ]
    assert "BizStep-sorting" not in json.dumps(document)


def test_a_correction_declares_the_corrected_event_wrong(client, lychee):
    document = json.loads(client.get(LOT_URL).content)

    as_recorded, declared = events_by_id(document, lychee.events.wrong)
    [fix] = events_by_id(document, lychee.events.fix)
    assert "errorDeclaration" not in as_recorded
    assert declared["errorDeclaration"] == {
        "declarationTime": declared["recordTime"],
        "reason": f"{CBV}ER-incorrect_data",
        "correctiveEventIDs": [fix["eventID"]],
    }
    assert {
        key: value for key, value in declared.items() if key not in ("errorDeclaration", "recordTime")
    } == {key: value for key, value in as_recorded.items() if key != "recordTime"}
    assert fix["ocop:place"] == "Siêu thị Co.op Hà Nội" and "errorDeclaration" not in fix


def test_event_ids_are_stable_across_requests(client, lychee):
    first = [e["eventID"] for e in event_list(json.loads(client.get(LOT_URL).content))]
    client.force_login(lychee.manager)
    second = [e["eventID"] for e in event_list(json.loads(client.get(LOT_URL).content))]

    assert first == second
    assert len(set(first)) == len(first) - 1  # the error declaration repeats its event's ID


# Stamp serials are secret -------------------------------------------------------------------------


def serials_in(content: bytes, stamps) -> list[str]:
    text = content.decode().upper()
    return [stamp.serial for stamp in stamps if stamp.serial.upper() in text]


def test_anonymous_requests_never_contain_a_serial(client, lychee):
    responses = [
        client.get(LOT_URL),
        client.get("/epcis/events", {"MATCH_anyEPCClass": LOT_CLASS}),
        client.get("/epcis/events", {"MATCH_anyEPCClass": LOT_CLASS, "EQ_bizStep": "commissioning"}),
    ]

    for response in responses:
        assert response.status_code == 200
        assert serials_in(response.content, lychee.stamps) == []
        [activation] = stamp_events(json.loads(response.content))
        assert activation["epcList"] == []
        assert activation["quantityList"] == [{"epcClass": LOT_CLASS, "quantity": 3}]


def test_a_seller_of_another_cooperative_sees_no_serial(client, lychee):
    stranger, _stall = seller_with_stall(kind=Stall.Kind.COOPERATIVE)
    client.force_login(stranger)

    assert serials_in(client.get(LOT_URL).content, lychee.stamps) == []


def test_the_cooperative_and_superusers_see_the_stamps_as_digital_links(client, lychee):
    expected = sorted(stamp_url_for(stamp) for stamp in lychee.stamps)
    activated_at = lychee.stamps[0].activated_at.astimezone(VIETNAM).isoformat()

    for user in (lychee.manager, UserFactory(staff=True)):
        client.force_login(user)
        for response in (client.get(LOT_URL), client.get("/epcis/events", {"MATCH_anyEPCClass": LOT_CLASS})):
            [activation] = stamp_events(json.loads(response.content))
            assert sorted(activation["epcList"]) == expected
            assert expected[0].startswith(f"{LOT_CLASS}/21/")
            assert "quantityList" not in activation
            assert (activation["action"], activation["bizStep"]) == ("ADD", f"{CBV}BizStep-commissioning")
            assert activation["eventTime"] == activated_at


def test_stamps_activated_in_two_goes_are_two_events(client, lychee):
    run = services.stamp_run_create(lot=lychee.lot, count=4, actor=lychee.manager)
    services.stamps_activate(run=run, actor=lychee.manager, first=1, last=2)
    services.stamps_activate(run=run, actor=lychee.manager, first=3, last=4)

    activations = stamp_events(json.loads(client.get(LOT_URL).content))

    assert [a["quantityList"][0]["quantity"] for a in activations] == [3, 2, 2]
    assert [a["eventID"].rsplit("/", 1)[1] for a in activations] == [
        f"stamps-{lychee.run.pk}-1",
        f"stamps-{run.pk}-1",
        f"stamps-{run.pk}-2",
    ]


# Addresses and odd input ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", [LOT_URL, LOT_URL + "/", "/epcis/lots/8938536000015/ln2026-06a"])
def test_lot_address_takes_a_short_gtin_and_any_case(client, lychee, path):
    assert client.get(path).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        f"/epcis/lots/{GTIN}/LN2026-07X",  # another lot
        "/epcis/lots/08938536000022/LN2026-06A",  # another GTIN
        f"/epcis/lots/{GTIN}/ab!c",  # a GS1 code that cannot be one of ours
        f"/epcis/lots/{GTIN}/A%2FB",  # likewise ('/' is a GS1 character), and no slash redirect to a page
    ],
)
def test_unknown_lots_are_404_problems(client, lychee, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "epcisException:NoSuchResourceException"


@pytest.mark.parametrize(
    "path",
    [
        "/epcis/lots/08938536000016/LN2026-06A",  # check digit
        "/epcis/lots/0893853600001%C2%B2/LN2026-06A",  # "²" is a digit for Python
        "/epcis/lots/abc/LN2026-06A",
        "/epcis/lots/" + "9" * 5000 + "/LN2026-06A",
        f"/epcis/lots/{GTIN}/LN%00",
        f"/epcis/lots/{GTIN}/" + "A" * 21,
        f"/epcis/lots/{GTIN}/L%C3%9D",
    ],
)
def test_malformed_lot_addresses_are_400_problems(client, lychee, path):
    response = client.get(path)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json()["status"] == 400


def test_only_get_and_head(client, lychee):
    assert client.head(LOT_URL).status_code == 200
    assert client.head("/epcis/events", {"MATCH_anyEPCClass": LOT_CLASS}).status_code == 200
    strict = Client(enforce_csrf_checks=True)  # as a real client: no CSRF token, yet 405 rather than 403
    assert strict.post(LOT_URL).status_code == 405
    assert strict.post("/epcis/events").status_code == 405
    assert strict.post("/.well-known/gs1resolver").status_code == 405
    assert client.delete("/epcis/events").status_code == 405


def test_the_answer_is_never_kept_by_a_shared_cache(client, lychee):
    response = client.get(LOT_URL)

    assert "private" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]


# The query -------------------------------------------------------------------------------------------


def query(client, **parameters) -> list[dict]:
    response = client.get("/epcis/events", {"MATCH_anyEPCClass": LOT_CLASS, **parameters})
    assert response.status_code == 200, response.content
    return event_list(response.json())


@pytest.mark.parametrize("step", ["packing", f"{CBV}BizStep-packing"])
def test_query_by_business_step(client, lychee, step):
    [packing] = query(client, EQ_bizStep=step)

    assert packing["eventID"] == f"{BASE}/epcis/events/{lychee.events.packing.pk}"


def test_query_by_several_business_steps_and_time(client, lychee):
    found = query(
        client,
        EQ_bizStep="inspecting|shipping",
        GE_eventTime="2026-06-12T15:30:00+07:00",
        LT_eventTime="2026-06-13T09:00:00Z",  # 16:00 in Vietnam
    )

    assert [e["eventID"] for e in found] == [
        f"{BASE}/epcis/events/{lychee.events.sorting.pk}",
        f"{BASE}/epcis/events/{lychee.events.wrong.pk}",
        f"{BASE}/epcis/events/{lychee.events.wrong.pk}",
    ]
    # A time without an offset is Vietnam's: only the correction, at 16:00.
    [fix] = query(client, GE_eventTime="2026-06-13T15:00", LT_eventTime="2026-06-14")
    assert fix["eventID"] == f"{BASE}/epcis/events/{lychee.events.fix.pk}"


def test_query_for_a_lot_we_do_not_know_is_empty(client, lychee):
    response = client.get("/epcis/events", {"MATCH_anyEPCClass": f"{BASE}/01/{GTIN}/10/LN2026-07X"})

    assert response.status_code == 200
    assert event_list(assert_valid(response)) == []


@pytest.mark.parametrize(
    "parameters",
    [
        {},
        {"EQ_bizStep": "packing"},
        {"MATCH_anyEPCClass": f"https://example.com/01/{GTIN}/10/LN2026-06A"},
        {"MATCH_anyEPCClass": f"{BASE}/01/{GTIN}/10/LN2026-06A/21/ABC"},
        {"MATCH_anyEPCClass": f"{BASE}/01/08938536000016/10/LN2026-06A"},
        {"MATCH_anyEPCClass": f"{BASE}/01/0893853600001²/10/LN2026-06A"},
        {"MATCH_anyEPCClass": LOT_CLASS + "\x00"},
        {"MATCH_anyEPCClass": LOT_CLASS + "A" * 10_000},
        {"MATCH_anyEPCClass": LOT_CLASS, "MATCH_epc": "x"},
        {"MATCH_anyEPCClass": [LOT_CLASS, LOT_CLASS]},
        {"MATCH_anyEPCClass": LOT_CLASS, "GE_eventTime": "hôm qua"},
        {"MATCH_anyEPCClass": LOT_CLASS, "LT_eventTime": "9999-12-31T23:59:59-14:00"},
        {"MATCH_anyEPCClass": LOT_CLASS, "GE_eventTime": "0001-01-01T00:00:00+14:00"},
        {"MATCH_anyEPCClass": LOT_CLASS, "EQ_bizStep": "|".join(["packing"] * 21)},
        {"MATCH_anyEPCClass": LOT_CLASS, "EQ_bizStep": "|"},
    ],
)
def test_bad_queries_are_400_problems(client, lychee, parameters):
    response = client.get("/epcis/events", parameters)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "epcisException:QueryParameterException" and problem["title"]


# Queries ----------------------------------------------------------------------------------------------


def count_queries(client, path, parameters=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, parameters).status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_events_or_stamps(lychee, django_assert_max_num_queries):
    anonymous, owner = Client(), Client()
    owner.force_login(lychee.manager)
    by_class = {"MATCH_anyEPCClass": LOT_CLASS}
    before = [
        count_queries(c, path, p)
        for c in (anonymous, owner)
        for path, p in ((LOT_URL, None), ("/epcis/events", by_class))
    ]

    for n in range(5):
        services.lot_event_record(lot=lychee.lot, actor=lychee.manager, step="receiving", place=f"Kho {n}")
    for _ in range(3):
        run = services.stamp_run_create(lot=lychee.lot, count=20, actor=lychee.manager)
        services.stamps_activate(run=run, actor=lychee.manager)

    after = [
        count_queries(c, path, p)
        for c in (anonymous, owner)
        for path, p in ((LOT_URL, None), ("/epcis/events", by_class))
    ]
    assert after == before
    with django_assert_max_num_queries(4):  # lot, plot, events, stamps
        anonymous.get(LOT_URL)
    with django_assert_max_num_queries(8):  # and the session, the user, the stalls they manage
        owner.get("/epcis/events", by_class)


def test_every_event_id_of_a_document_can_be_dereferenced(client, lychee):
    document = client.get(LOT_URL).json()
    ids = {event["eventID"] for event in document["epcisBody"]["eventList"]}

    for event_id in ids:
        answer = client.get(event_id.removeprefix(BASE))
        assert answer.status_code == 200, event_id
        found = answer.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        assert {event["eventID"] for event in found} == {event_id}
    assert len(ids) >= 5
    assert (
        str(lychee.run.stamps.first().serial)
        not in client.get(f"/epcis/events/stamps-{lychee.run.pk}-1").text
    )


@pytest.mark.parametrize("name", ["999999", "stamps-999999-1", "recall-999999", "abc", "1%00", "9" * 30])
def test_an_event_id_we_did_not_issue_is_a_404_problem(client, lychee, name):
    response = client.get(f"/epcis/events/{name}")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
