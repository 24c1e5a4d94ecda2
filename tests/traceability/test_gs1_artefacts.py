"""The vendored GS1-Conformant Resolver artefacts in tests/fixtures/gs1/ (they only, not our resolver).

Each file must keep the bytes recorded in its README (published bytes, never edited); the two schemas must be
valid JSON Schema, and the linkset schema must accept GS1's model linkset and reject broken linksets.
"""

import hashlib
import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft7Validator

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "gs1"
README_ROW = re.compile(r"^\| `(?P<name>[^`]+)` \|.*?\| `(?P<sha>[0-9a-f]{64})` \| (?P<size>\d+) \|", re.M)


def recorded():
    """{file name: (sha256, bytes)} from the README table."""
    text = (FIXTURES / "README.md").read_text(encoding="utf-8")
    return {m["name"]: (m["sha"], int(m["size"])) for m in README_ROW.finditer(text)}


def load(name):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


LINKSET = Draft7Validator(load("linkset-schema-1.2.1.json"))
DESCRIPTION = Draft7Validator(load("description-file-schema-1.2.0.json"))


def test_every_vendored_file_is_listed_in_the_readme():
    on_disk = {p.name for p in FIXTURES.iterdir() if p.name != "README.md"}
    assert on_disk == set(recorded())


@pytest.mark.parametrize("name", sorted(recorded()))
def test_file_has_the_recorded_sha256(name):
    data = (FIXTURES / name).read_bytes()
    sha, size = recorded()[name]
    assert (hashlib.sha256(data).hexdigest(), len(data)) == (sha, size)


@pytest.mark.parametrize("name", ["linkset-schema-1.2.1.json", "description-file-schema-1.2.0.json"])
def test_schema_is_valid_draft_07(name):
    schema = load(name)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    Draft7Validator.check_schema(schema)


def test_linkset_context_and_link_types_are_json():
    assert load("linkset-context-1.2.1.jsonld")["@context"]["anchor"] == "@id"
    link_types = load("linktypes.json")
    assert {"defaultLink", "pip", "traceability", "epcisRepository", "certificationInfo"} <= set(link_types)
    assert "epcis" not in link_types  # renamed to epcisRepository in the current vocabulary
    assert all("title" in value for value in link_types.values())


def test_model_linkset_of_the_test_suite_is_accepted():
    assert list(LINKSET.iter_errors(load("testsuite-model-linkset.json"))) == []


def linkset(namespace="https://gs1.org/voc/", **link):
    """A small two-level linkset; the link object of the pip link can be overridden."""
    pip = {
        "href": "https://shop.example/p/1",
        "title": "Product",
        "type": "text/html",
        "hreflang": ["vi"],
        **link,
    }
    return {
        "linkset": [
            {
                "anchor": "https://id.example/01/09506000134352/10/LOT1",
                f"{namespace}certificationInfo": [
                    {"href": "https://shop.example/c/1", "title": "Certificate"}
                ],
            },
            {
                "anchor": "https://id.example/01/09506000134352",
                "description": "A product",
                f"{namespace}pip": [pip],
                f"{namespace}defaultLink": [{"href": "https://shop.example/p/1", "title": "Product"}],
            },
        ]
    }


@pytest.mark.parametrize(
    "namespace", ["https://gs1.org/voc/", "https://ref.gs1.org/voc/", "http://gs1.org/voc/"]
)
def test_both_gs1_namespaces_are_accepted_as_link_type_keys(namespace):
    assert list(LINKSET.iter_errors(linkset(namespace))) == []


def test_hreflang_region_and_context_are_accepted():
    assert list(LINKSET.iter_errors(linkset(hreflang=["en-GB", "vi"], context=["VN"], fwqs=False))) == []


def without_anchor():
    doc = linkset()
    del doc["linkset"][0]["anchor"]
    return doc


def without_title():
    doc = linkset()
    del doc["linkset"][1]["https://gs1.org/voc/pip"][0]["title"]
    return doc


def with_top_level(key):
    return {**linkset(), key: "https://ref.gs1.org/standards/resolver/linkset-context"}


def with_key(key):
    doc = linkset()
    doc["linkset"][1][key] = [{"href": "https://shop.example/p/1", "title": "Product"}]
    return doc


@pytest.mark.parametrize(
    "doc",
    [
        pytest.param(without_anchor(), id="missing-anchor"),
        pytest.param({"linkset": {"anchor": "https://id.example/01/09506000134352"}}, id="linkset-not-array"),
        pytest.param(with_top_level("@context"), id="embedded-@context"),
        pytest.param(with_key("gs1:pip"), id="curie-key"),
        pytest.param(with_key("https://cho-ocop.vn/voc/stall"), id="hyphen-in-link-type-uri"),
        pytest.param(with_key("http://www.w3.org/ns/json-ld#context"), id="hash-in-link-type-uri"),
        pytest.param(without_title(), id="missing-title"),
        pytest.param(linkset(hreflang="vi"), id="hreflang-string"),
        pytest.param(linkset(hreflang=["zh-Hant"]), id="hreflang-script-subtag"),
        pytest.param(linkset(hreflang=["fil"]), id="hreflang-three-letters"),
        pytest.param(linkset(**{"title*": [{"value": "Sản phẩm", "language": "vi"}]}), id="title-star"),
        pytest.param(linkset(href="/shop/p/1"), id="relative-href"),
        pytest.param({"linkset": [{"anchor": "/01/09506000134352"}]}, id="relative-anchor"),
    ],
)
def test_broken_linkset_is_rejected(doc):
    assert list(LINKSET.iter_errors(doc)), "the schema accepted a linkset it must reject"


def test_description_file_needs_root_and_primary_keys():
    good = {"resolverRoot": "https://id.example", "supportedPrimaryKeys": ["01"], "name": "x", "extra": 1}
    assert list(DESCRIPTION.iter_errors(good)) == []
    assert list(DESCRIPTION.iter_errors({"resolverRoot": "https://id.example"}))
    assert list(DESCRIPTION.iter_errors({"supportedPrimaryKeys": ["01"]}))
    assert list(DESCRIPTION.iter_errors({**good, "supportedPrimaryKeys": ["gtin"]}))
    assert list(DESCRIPTION.iter_errors({**good, "supportedLinkType": [{"prefix": "gs1"}]}))
