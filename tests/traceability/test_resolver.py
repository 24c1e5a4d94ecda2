"""The GS1 resolver as GS1's Conformant Resolver standard (1.2.0) and Digital Link URI syntax ask, from the
outside: statuses, redirects, linksets, CORS, HEAD and OPTIONS, the description file."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from jsonschema import Draft7Validator, FormatChecker

from tests.factories import make_lot, make_product
from traceability import services
from traceability.models import Certification, Scan

pytestmark = pytest.mark.django_db

G = "08938536000015"  # the lychee's GTIN
LOT = "LN2026-06A"
BASE = "https://cho-ocop.vn"
HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
VOC = "https://gs1.org/voc/"
# GS1's own artefacts, vendored (CI cannot reach ref.gs1.org): see tests/fixtures/gs1/README.md.
GS1_FILES = Path(__file__).resolve().parent.parent / "fixtures" / "gs1"


def gs1_file(name: str):
    return json.loads((GS1_FILES / name).read_text(encoding="utf-8"))


LINKSET_SCHEMA = Draft7Validator(gs1_file("linkset-schema-1.2.1.json"), format_checker=FormatChecker())
DESCRIPTION_SCHEMA = Draft7Validator(
    gs1_file("description-file-schema-1.2.0.json"), format_checker=FormatChecker()
)
RATIFIED_LINK_TYPES = set(gs1_file("linktypes.json"))


@pytest.fixture
def stamp(make_storefront, settings):
    settings.STAMP_BASE_URL = BASE
    make_storefront()
    lot = make_lot(gtin=G, best_before=timezone.localdate() + timedelta(days=10))
    Certification.objects.create(
        holder=lot.owner,
        product=lot.product,
        kind="vietgap",
        number="VG-2026-118",
        issuer="Trung tâm Chứng nhận Phù hợp",
        valid_from=timezone.localdate() - timedelta(days=100),
    )
    run = services.stamp_run_create(lot=lot, count=2, actor=lot.created_by)
    services.stamps_activate(run=run, actor=lot.created_by)
    return run.stamps.select_related("lot__product").first()


def full(stamp) -> str:
    return f"/01/{G}/10/{LOT}/21/{stamp.serial}"


# Written from GS1 Digital Link URI Syntax 1.4 (sections 4 and 6) and the resolver standard 1.2.0.
# {S} is an issued serial, {s} the same in lower case. 307: answered (redirect to the default link);
# 404: a valid URI whose GTIN is not ours; 400: not a GS1 Digital Link.
URIS = [
    # Valid, every level, with and without a trailing slash
    (f"/01/{G}", 307),
    (f"/01/{G}/", 307),
    (f"/01/{G}/10/{LOT}", 307),
    (f"/01/{G}/10/{LOT}/", 307),
    (f"/01/{G}/10/{LOT}/21/{{S}}", 307),
    (f"/01/{G}/10/{LOT}/21/{{S}}/", 307),
    (f"/01/{G}/21/{{S}}", 307),
    (f"/01/{G}/21/{{s}}", 307),  # Crockford serials read in any case
    (f"/01/{G}/10/ln2026-06a/21/{{S}}", 307),
    (f"/01/{G}/22/V1/10/{LOT}/21/{{S}}", 307),  # a variant we do not know: the stamp still answers
    (f"/01/{G}/21/{{S}}/235/TPX1", 307),
    # Data attributes and the resolver's own parameters in the query string
    (f"/01/{G}/10/{LOT}/21/{{S}}?17=270101", 307),
    (f"/01/{G}/10/{LOT}?3103=000500", 307),
    (f"/01/{G}/10/{LOT}/21/{{S}}?17=270101&utm_source=tem", 307),
    (f"/01/{G}?linkType=linkset", 200),
    (f"/01/{G}/10/{LOT}?linkType=all", 200),
    (f"/01/{G}/10/{LOT}/21/{{S}}?linkType=linkset", 200),
    (f"/01/{G}/10/{LOT}/21/{{S}}?linkType=gs1:pip", 307),
    (f"/01/{G}/10/{LOT}/21/{{S}}?linkType=https://gs1.org/voc/epcis", 307),
    (f"/01/{G}/10/{LOT}/21/{{S}}?linkType=https://ref.gs1.org/voc/certificationInfo", 307),
    (f"/01/{G}?linkType=gs1:traceability", 307),
    (f"/01/{G}/10/{LOT}/21/{{S}}?linkType=gs1:nosuchlt", 404),
    (f"/01/{G}?linkType=gs1:recallStatus", 404),  # not recalled: no such link
    (f"/01/{G}?linkType=nonsense", 404),
    # Valid, but not issued by us: walk up to what we know
    (f"/01/{G}/10/LN2026-07X", 307),
    (f"/01/{G}/10/{LOT}/21/0000000000000000", 307),
    (f"/01/{G}/21/ZZZZ", 307),
    (f"/01/{G}/10/LN2026-07X/21/{{S}}", 307),  # our serial, on another lot's URI
    (f"/01/{G}/10/A%2FB", 307),  # a '/' inside a lot code is percent-encoded: a value, unknown here
    # Valid, not ours
    ("/01/08938536000022", 404),
    ("/01/09520123456788/10/ABC123", 404),
    ("/01/00000000000000", 404),  # not the products without a GTIN
    # GTIN: check digit, length, characters
    ("/01/12312312312334", 400),
    ("/01/08938536000016", 400),
    ("/01/8938536000015", 400),  # 13 digits: a Digital Link carries 14
    ("/01/2112345678900", 400),
    ("/01/938536000015", 400),
    ("/01/96385074", 400),
    ("/01/089385360000150", 400),
    ("/01/0893853600001A", 400),
    ("/01/", 400),
    ("/01//10/LN", 400),
    # Order and repetition of qualifiers, unknown and misplaced keys
    (f"/01/{G}/21/{{S}}/10/{LOT}", 400),
    (f"/01/{G}/10/{LOT}/22/V1", 400),
    (f"/01/{G}/10/A/10/B", 400),
    (f"/01/{G}/10/{LOT}?10={LOT}", 400),
    (f"/01/{G}/21/{{S}}?10={LOT}", 400),
    (f"/01/{G}?01=12312312312334", 400),
    (f"/01/{G}/10/{LOT}/21/{{S}}?17=260630&17=260631", 400),
    (f"/01/{G}/89/ABC", 400),
    (f"/01/{G}?89=x", 400),
    (f"/01/{G}/gtin", 400),
    (f"/01/{G}/10/{LOT}/21/{{S}}/foo", 400),  # the test suite's own check
    (f"/01/{G}/10/{LOT}/21/{{S}}/foo/", 400),
    # Empty values and bad data attributes
    (f"/01/{G}?99=", 400),
    (f"/01/{G}?17=", 400),
    (f"/01/{G}/10/", 400),
    (f"/01/{G}/10//21/{{S}}", 400),
    (f"/01/{G}?17=261399", 400),
    (f"/01/{G}?17=260631", 400),
    # Lengths and character sets (GS1 AI 10 and 21: 1 to 20 of the 82 characters)
    (f"/01/{G}/10/{'A' * 21}", 400),
    (f"/01/{G}/10/{LOT}/21/{'7' * 21}", 400),
    (f"/01/{G}/10/L%C3%B4", 400),  # "Lô": not in the 82 characters
    (f"/01/{G}/10/LN%202026", 400),
    (f"/01/{G}/10/LN%232026", 400),
    (f"/01/{G}/10/%FF", 400),  # not UTF-8
    (f"/01/{G}/10/%", 400),  # RFC 3986: '%' only as the start of a percent-encoded byte
    (f"/01/{G}/10/%zz", 400),
    (f"/01/{G}?17=%2", 400),
    # Percent-encoded control bytes, in every position
    ("/01/1231231231233%003", 400),
    (f"/01/{G}/10/LN%00", 400),
    (f"/01/{G}/10/LN%1D2", 400),
    (f"/01/{G}/10/LN%0A", 400),
    (f"/01/{G}/10/{LOT}/21/{{S}}%00", 400),
    (f"/01/{G}?17=26%0001", 400),
    (f"/01/{G}?3103=00%0D500", 400),
    ("/01/" + "9" * 2000, 400),
]


def test_the_table_is_as_large_as_the_issue_asks():
    assert len(URIS) >= 60
    assert {status for _uri, status in URIS} == {200, 307, 400, 404}


@pytest.mark.parametrize(("uri", "status"), URIS)
def test_every_uri_gets_the_standard_status_and_never_a_500(stamp, uri, status):
    uri = uri.replace("{S}", stamp.serial).replace("{s}", stamp.serial.lower())

    # RAW_URI: the path as sent, which gunicorn gives Django (a %2F stays inside its value)
    response = Client().get(uri, HTTP_ACCEPT="*/*", RAW_URI=uri)
    as_browser = Client().get(uri, HTTP_ACCEPT=HTML, RAW_URI=uri)

    assert response.status_code == status, response.content[:300]
    # a browser gets the page itself, unless it asked for a link type
    assert as_browser.status_code == (200 if status == 307 and "linkType" not in uri else status)
    assert response["Access-Control-Allow-Origin"] == "*"
    if status == 400:
        assert "không hợp lệ" in as_browser.content.decode()
        problem = Client().get(uri, HTTP_ACCEPT="application/json", RAW_URI=uri).json()
        assert problem["status"] == 400 and problem["error"]


def test_a_bad_uri_says_what_is_wrong_in_vietnamese_and_in_english(stamp):
    vietnamese = Client().get("/01/08938536000016", HTTP_ACCEPT=HTML).content.decode()
    wrong_key = Client().get(f"/01/{G}/89/ABC", HTTP_ACCEPT=HTML).content.decode()
    for_tools = Client().get(f"/01/{G}/89/ABC", HTTP_ACCEPT="application/json").json()

    assert "Đây không phải đường dẫn GS1 Digital Link hợp lệ." in wrong_key
    assert "Expected one of" not in wrong_key  # the parser's English words are for tools only
    assert "Expected one of (22, 10, 21, 235) as qualifier" in for_tools["detail"]
    english = Client().get(
        "/01/08938536000016", HTTP_ACCEPT="application/json", HTTP_COOKIE="django_language=en"
    )

    assert "Chữ số cuối của mã GTIN này sai: phải là 5" in vietnamese
    assert english.json()["error"] == "The last digit of this GTIN is wrong: it should be 5."


@pytest.mark.parametrize(
    "level", [f"/01/{G}", f"/01/{G}/10/{LOT}", f"/01/{G}/10/{LOT}/21/{{S}}", f"/01/{G}/21/{{S}}"]
)
def test_every_level_answers_with_and_without_trailing_slash_alike(stamp, level):
    uri = level.replace("{S}", stamp.serial)

    plain, slashed = Client().get(uri), Client().get(uri + "/")

    assert plain.status_code == slashed.status_code == 307
    assert plain["Location"] == slashed["Location"]
    assert plain["Location"].startswith(f"{BASE}/truy-xuat/")


def test_each_level_redirects_to_its_own_human_page(stamp):
    product = Client().get(f"/01/{G}")
    lot = Client().get(f"/01/{G}/10/{LOT}")
    package = Client().get(full(stamp))
    short = Client().get(f"/01/{G}/21/{stamp.serial.lower()}")

    assert product["Location"] == f"{BASE}/truy-xuat/sp/{G}/"
    assert lot["Location"] == f"{BASE}/truy-xuat/lo/{G}/{LOT}/"
    assert package["Location"] == short["Location"] == f"{BASE}/truy-xuat/tem/{stamp.serial}/"
    assert not Scan.objects.exists()  # a redirect is not a look at the page


def test_the_human_pages_show_their_level(stamp):
    browser = Client(HTTP_ACCEPT=HTML)
    product = browser.get(f"/truy-xuat/sp/{G}/").content.decode()
    lot = browser.get(f"/truy-xuat/lo/{G}/{LOT}/").content.decode()
    package = browser.get(f"/truy-xuat/tem/{stamp.serial}/").content.decode()

    assert "Vải thiều Lục Ngạn" in product and "HTX Lục Ngạn Xanh" in product
    assert f'href="/truy-xuat/lo/{G}/{LOT}/"' in product
    assert "Hành trình của lô hàng" in lot and "VG-2026-118" in lot and stamp.short_code not in lot
    assert stamp.short_code in package and "Tem chính hãng" in package
    assert Scan.objects.count() == 1  # only the stamp's page is a scan


def test_a_serial_we_did_not_issue_is_flagged_on_the_lot_page(stamp):
    html = Client().get(f"/01/{G}/10/{LOT}/21/7K3Q9XZ2ABCD1234", HTTP_ACCEPT=HTML).content.decode()

    assert "Có thể là hàng giả." in html
    assert "Chúng tôi không phát hành mã tem 7K3Q9XZ2ABCD1234" in html
    assert "Hành trình của lô hàng" in html  # still the lot's record: the walk up


def test_a_browser_scan_counts_once_and_head_never(stamp):
    Client().head(full(stamp), HTTP_ACCEPT=HTML)
    Client().options(full(stamp))
    Client().get(full(stamp), HTTP_ACCEPT="application/linkset+json")
    assert not Scan.objects.exists()

    Client().get(full(stamp), HTTP_ACCEPT=HTML)
    assert Scan.objects.count() == 1


@pytest.mark.parametrize("level", [f"/01/{G}", f"/01/{G}/10/{LOT}", f"/01/{G}/10/{LOT}/21/{{S}}", "/t/{S}"])
def test_head_and_options_and_cors_on_every_resolver_path(stamp, level):
    if level.startswith("/t/"):
        stamp.lot.product.__class__.objects.filter(pk=stamp.lot.product_id).update(gtin="")
    uri = level.replace("{S}", stamp.serial)

    head = Client().head(uri)
    options = Client().options(
        uri, HTTP_ORIGIN="https://portal.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )

    assert head.status_code == 307 and head["Location"] and not head.content
    assert options.status_code == 204
    for response in (head, options):
        assert response["Access-Control-Allow-Origin"] == "*"
        assert set(response["Access-Control-Allow-Methods"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
        assert {"Link", "Location"} <= set(response["Access-Control-Expose-Headers"].split(", "))
    assert Client().post(uri).status_code == 405


def test_every_answer_links_its_linkset_and_the_json_ld_context(stamp):
    for uri in (f"/01/{G}", f"/01/{G}/10/{LOT}", full(stamp)):
        for accept in ("*/*", HTML, "application/linkset+json"):
            link = Client().get(uri, HTTP_ACCEPT=accept)["Link"]
            assert f'<{BASE}{uri}?linkType=linkset>; rel="linkset"' in link
            assert (
                "<https://ref.gs1.org/standards/resolver/linkset-context>; "
                'rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'
            ) in link
            assert 'rel="gs1:' not in link  # individual links in the header: deprecated since 1.0.0


def test_the_query_string_is_passed_on_and_link_types_redirect(stamp):
    plain = Client().get(full(stamp), {"foo": "bar", "17": "270101"})
    pip = Client().get(full(stamp), {"linkType": "gs1:pip", "utm_source": "tem"})
    epcis = Client().get(full(stamp), {"linkType": "gs1:epcis"})  # the type's name before gs1:epcisRepository

    assert plain.status_code == 307 and plain["Location"].endswith("?foo=bar&17=270101")
    assert pip.status_code == 307
    assert pip["Location"].startswith(f"{BASE}/shop/catalogue/vai-thieu-luc-ngan_")
    assert pip["Location"].endswith("?utm_source=tem")
    assert epcis["Location"] == f"{BASE}/epcis/lots/{G}/{LOT}"


def test_the_query_string_goes_before_the_links_fragment(stamp):
    response = Client().get(full(stamp), {"linkType": "gs1:certificationInfo", "foo": "bar"})
    english = Client().get(full(stamp), {"linkType": "gs1:certificationInfo"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response["Location"] == f"{BASE}/truy-xuat/lo/{G}/{LOT}/?foo=bar#certs"
    assert english["Location"] == f"{BASE}/truy-xuat/lo/{G}/{LOT}/?hl=en#certs"


def test_a_link_type_we_lack_never_calls_a_genuine_product_fake(stamp):
    html = Client().get(f"/01/{G}", {"linkType": "gs1:nosuchlt"}, HTTP_ACCEPT=HTML).content.decode()

    assert "Sản phẩm này không có liên kết loại này." in html
    assert "giả" not in html


def test_the_short_form_of_a_gtin_stamp_leads_to_its_digital_link(stamp):
    response = Client().get(f"/t/{stamp.serial}")

    assert response.status_code == 307 and response["Location"] == BASE + full(stamp)


def test_a_stamp_asked_for_without_its_lot_walks_up_its_own_uri_first(stamp):
    _response, linkset = linkset_of(f"/01/{G}/21/{stamp.serial}?linkType=linkset")

    assert [entry["anchor"] for entry in linkset] == [
        f"{BASE}/01/{G}/21/{stamp.serial}",
        f"{BASE}/01/{G}",
        f"{BASE}/01/{G}/10/{LOT}",  # its lot (EPCIS, certificates) after the URI's own levels
    ]


def test_accept_language_picks_the_english_link(stamp):
    english = Client().get(full(stamp), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    vietnamese = Client().get(full(stamp), HTTP_ACCEPT_LANGUAGE="vi-VN,vi;q=0.9,en;q=0.8")
    page = Client().get(english["Location"].removeprefix(BASE), HTTP_ACCEPT=HTML)

    assert english["Location"] == f"{BASE}/truy-xuat/tem/{stamp.serial}/?hl=en"
    assert vietnamese["Location"] == f"{BASE}/truy-xuat/tem/{stamp.serial}/"
    assert '<html lang="en">' in page.content.decode()
    assert "Vary" in english and "Accept-Language" in english["Vary"]


def linkset_of(uri: str, **headers) -> tuple:
    response = Client().get(uri, **headers)
    return response, json.loads(response.content)["linkset"]


@pytest.mark.parametrize("how", ["query", "all", "accept"])
def test_the_linkset_has_every_level_up_to_the_gtin(stamp, how):
    uri = full(stamp)
    if how == "accept":
        response, linkset = linkset_of(uri, HTTP_ACCEPT="application/linkset+json")
    else:
        response, linkset = linkset_of(uri + ("?linkType=linkset" if how == "query" else "?linkType=all"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/linkset+json"
    assert [error.message for error in LINKSET_SCHEMA.iter_errors(json.loads(response.content))] == []
    used = {key.removeprefix(VOC) for entry in linkset for key in entry if key.startswith(VOC)}
    assert used <= RATIFIED_LINK_TYPES
    anchors = [entry["anchor"] for entry in linkset]
    assert anchors == [BASE + uri, f"{BASE}/01/{G}/10/{LOT}", f"{BASE}/01/{G}"]
    stamp_level, lot_level, product_level = linkset
    for entry in linkset:
        assert entry["description"]
        assert len(entry[VOC + "defaultLink"]) == 1 and set(entry[VOC + "defaultLink"][0]) == {
            "href",
            "title",
        }
        for key, links in entry.items():
            if key.startswith(VOC) and key != VOC + "defaultLink":
                for link in links:
                    assert link["href"].startswith(BASE + "/") and link["title"] and link["type"]
                    assert link["hreflang"] in (["vi"], ["en"])
    assert {key.removeprefix(VOC) for key in lot_level if key.startswith(VOC)} == {
        "traceability",
        "certificationInfo",
        "epcisRepository",
        "defaultLink",
    }
    assert {"pip", "traceability", "hasRetailers", "defaultLink"} <= {
        key.removeprefix(VOC) for key in product_level if key.startswith(VOC)
    }
    titles = [link["title"] for link in stamp_level[VOC + "traceability"]]
    assert titles == ["Nguồn gốc của gói hàng này", "Origin of this package"]


def test_a_recalled_lot_has_a_recall_status_link(stamp):
    services.lot_recall(lot=stamp.lot, actor=stamp.lot.created_by, reason="Dư lượng thuốc vượt ngưỡng")

    _response, linkset = linkset_of(f"/01/{G}/10/{LOT}?linkType=linkset")
    recall = Client().get(f"/01/{G}/10/{LOT}", {"linkType": "gs1:recallStatus"})

    assert linkset[0][VOC + "recallStatus"][0]["href"] == f"{BASE}/truy-xuat/lo/{G}/{LOT}/"
    assert recall.status_code == 307
    html = Client().get(recall["Location"].removeprefix(BASE), HTTP_ACCEPT=HTML).content.decode()
    assert "Dư lượng thuốc vượt ngưỡng" in html


@pytest.mark.parametrize("uri", [f"/01/{G}", f"/01/{G}/10/{LOT}", "/t/{S}"])
def test_every_linkset_validates_against_gs1s_schema(stamp, uri):
    if uri.startswith("/t/"):
        stamp.lot.product.__class__.objects.filter(pk=stamp.lot.product_id).update(gtin="")
    response, linkset = linkset_of(uri.replace("{S}", stamp.serial), HTTP_ACCEPT="application/linkset+json")

    assert [error.message for error in LINKSET_SCHEMA.iter_errors(json.loads(response.content))] == []
    assert linkset[0]["anchor"] == BASE + uri.replace("{S}", stamp.serial)


def test_an_unknown_serial_walks_up_in_the_linkset_too(stamp):
    _response, linkset = linkset_of(f"/01/{G}/10/{LOT}/21/ZZZZ?linkType=linkset")

    assert [entry["anchor"] for entry in linkset] == [f"{BASE}/01/{G}/10/{LOT}", f"{BASE}/01/{G}"]


def test_the_resolver_description_file(stamp, settings):
    response = Client().get("/.well-known/gs1resolver")

    body = response.json()
    assert [error.message for error in DESCRIPTION_SCHEMA.iter_errors(body)] == []
    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*"
    assert body["resolverRoot"] == BASE
    assert body["supportedPrimaryKeys"] == ["01"]
    assert body["supportedLinkType"] == [{"namespace": VOC, "prefix": "gs1:"}]


def test_resolver_query_counts(stamp, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):  # the stamp, lot and product in one query
        Client().get(full(stamp))
    with django_assert_max_num_queries(3):  # an unknown serial: the stamp, then the lot
        Client().get(f"/01/{G}/10/{LOT}/21/ZZZZ")
    with django_assert_max_num_queries(6):
        Client().get(full(stamp), {"linkType": "linkset"})


def test_two_products_cannot_claim_one_gtin_however_it_is_typed(stamp):
    other = make_product(stall=stamp.lot.owner, title="Vải thiều sấy khô")
    other.gtin = G.lstrip("0")  # the same GTIN, as 13 digits

    with pytest.raises(ValidationError) as error:
        other.full_clean()

    assert "Mã GTIN này đã thuộc về một sản phẩm khác." in error.value.messages
    assert Client().get(f"/01/{G}")["Location"] == f"{BASE}/truy-xuat/sp/{G}/"
