"""One contract for every search backend: the same Vietnamese behaviour, facets, sorting,
suggestions, and updates after the catalogue changes."""

import pytest
from oscar.core.loading import get_model

from search import indexing
from search.requests import SearchRequest
from sellers.models import Stall
from tests.factories import CommuneFactory, StallFactory, make_product
from traceability.models import Certification

pytestmark = pytest.mark.django_db

Product = get_model("catalogue", "Product")


@pytest.fixture
def catalogue():
    luc_ngan = CommuneFactory(code=7582, name="Xã Lục Ngạn", province_code=24, province_name="Bắc Ninh")
    xuan_loc = CommuneFactory(code=26425, name="Xã Xuân Lộc", province_code=75, province_name="Đồng Nai")
    coop = StallFactory(commune=luc_ngan, partner__name="HTX Đồng Cốc Xanh")
    farm = StallFactory(commune=xuan_loc, partner__name="Vườn bưởi cô Lan")
    products = {
        "vai": make_product(stall=coop, title="Vải thiều Lục Ngạn", price=120000, ocop_stars=4),
        "vai_say": make_product(stall=coop, title="Vải thiều sấy khô", price=250000, ocop_stars=3),
        "dieu": make_product(stall=coop, title="Hạt điều rang muối", price=180000, stock=0),
        "che": make_product(stall=coop, title="Chè búp Tân Cương", price=90000, ocop_stars=3),
        "buoi": make_product(
            stall=farm, title="Bưởi da xanh", description="Bưởi ruột hồng, ít hạt", price=65000, ocop_stars=4
        ),
        "cam": make_product(stall=farm, title="Cam sành Xuân Lộc", price=40000),
    }
    Certification.objects.create(
        holder=farm, kind="vietgap", number="VG-01", issuer="Sở NN", valid_from="2026-01-01"
    )
    return products


def index(backend, products=None):
    ids = [p.pk for p in (products or Product.objects.all())]
    indexing.reindex_products(ids)
    if hasattr(backend, "refresh"):
        backend.refresh()


def titles(result) -> set[str]:
    return set(Product.objects.filter(pk__in=result.product_ids).values_list("title", flat=True))


def search(backend, text="", **kwargs):
    return backend.search(SearchRequest(text=text, **kwargs))


@pytest.mark.parametrize("query", ["vải thiều", "vai thieu", "VẢI THIỀU", "Vai   Thieu"])
def test_diacritics_and_case_do_not_matter(backend, catalogue, query):
    index(backend)

    found = titles(search(backend, query))

    assert {"Vải thiều Lục Ngạn", "Vải thiều sấy khô"} <= found
    assert not found & {"Bưởi da xanh", "Cam sành Xuân Lộc", "Hạt điều rang muối"}


def test_d_matches_đ(backend, catalogue):
    index(backend)

    assert titles(search(backend, "hat dieu")) == {"Hạt điều rang muối"}
    assert titles(search(backend, "dong coc")) == {
        "Vải thiều Lục Ngạn",
        "Vải thiều sấy khô",
        "Hạt điều rang muối",
        "Chè búp Tân Cương",
    }


@pytest.mark.parametrize(
    ("typed", "meant"), [("vai thieuu", "Vải thiều Lục Ngạn"), ("buoii da xanh", "Bưởi da xanh")]
)
def test_a_mistyped_word_still_finds_its_product(backend, catalogue, typed, meant):
    index(backend)

    assert meant in titles(search(backend, typed))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lychee", "Vải thiều Lục Ngạn"),
        ("pomelo", "Bưởi da xanh"),
        ("orange", "Cam sành Xuân Lộc"),
        ("tea", "Chè búp Tân Cương"),
        ("tra", "Chè búp Tân Cương"),
    ],
)
def test_synonyms_from_the_data_file(backend, catalogue, query, expected):
    index(backend)

    assert expected in titles(search(backend, query))


def test_description_words_match(backend, catalogue):
    index(backend)

    assert titles(search(backend, "ruot hong")) == {"Bưởi da xanh"}


def test_facet_counts_follow_the_other_choices(backend, catalogue):
    index(backend)

    result = search(backend, filters={"province": ["24"]})
    facets = {
        name: {v.value: (v.count, v.selected) for v in values} for name, values in result.facets.items()
    }

    assert result.total == 4
    # The chosen facet still offers the other province, counted without its own choice...
    assert facets["province"] == {"24": (4, True), "75": (2, False)}
    # ...and the other facets count within the choice.
    assert facets["stars"] == {"4": (1, False), "3": (2, False)}
    assert facets["commune"] == {"7582": (4, False)}
    assert facets["in_stock"]["true"] == (3, False)
    assert facets["price"] == {
        "0-100000": (1, False),
        "100000-200000": (2, False),
        "200000-500000": (1, False),
    }
    assert facets["certification"] == {"ocop": (3, False)}


def test_filters_combine(backend, catalogue):
    index(backend)

    assert titles(search(backend, filters={"stars": ["4"], "price": ["0-100000"]})) == {"Bưởi da xanh"}
    assert titles(search(backend, filters={"certification": ["vietgap"]})) == {
        "Bưởi da xanh",
        "Cam sành Xuân Lộc",
    }
    assert "Hạt điều rang muối" not in titles(search(backend, filters={"in_stock": ["true"]}))


@pytest.mark.parametrize(
    ("sort", "first", "last"),
    [
        ("price", "Cam sành Xuân Lộc", "Vải thiều sấy khô"),
        ("-price", "Vải thiều sấy khô", "Cam sành Xuân Lộc"),
    ],
)
def test_sorting_by_price(backend, catalogue, sort, first, last):
    index(backend)

    ids = search(backend, sort=sort, filters={"in_stock": ["true", "false"]}).product_ids
    names = dict(Product.objects.values_list("pk", "title"))

    assert (names[ids[0]], names[ids[-1]]) == (first, last)


def test_newest_first(backend, catalogue):
    index(backend)

    ids = search(backend, "vai", sort="newest").product_ids

    assert ids == [catalogue["vai_say"].pk, catalogue["vai"].pk]


def test_pages_and_a_bounded_depth(backend, catalogue):
    index(backend)

    first = search(backend, "dong coc", per_page=3, page=1)
    second = search(backend, "dong coc", per_page=3, page=2)
    far = SearchRequest(text="dong coc", per_page=3, page=10_000)

    assert len(first.product_ids) == 3 and len(second.product_ids) == 1
    assert not set(first.product_ids) & set(second.product_ids)
    assert far.page == far.max_page  # a page past the deepest allowed is the deepest


def test_the_storefront_sees_only_its_communes(backend, catalogue):
    index(backend)

    assert titles(search(backend, "da xanh", communes=[7582])) == set()
    assert titles(search(backend, "da xanh", communes=[26425])) == {"Bưởi da xanh"}


def test_suggestions_as_you_type(backend, catalogue):
    index(backend)

    assert "Vải thiều Lục Ngạn" in backend.suggest("vai th")
    assert "Vải thiều Lục Ngạn" in backend.suggest("VẢI THI")
    assert "Bưởi da xanh" in backend.suggest("buoi")
    assert "HTX Đồng Cốc Xanh" in backend.suggest("htx dong")
    assert "Vườn bưởi cô Lan" in backend.suggest("bưởi cô", communes=[26425])
    assert backend.suggest("bưởi cô", communes=[7582]) == []
    assert backend.suggest("") == []


@pytest.mark.parametrize("query", ["", "   ", "xyzzy qwerty", "%_'\"<script>" * 10, "a" * 500])
def test_empty_and_nonsense_queries_are_not_errors(backend, catalogue, query):
    index(backend)

    result = search(backend, query)

    assert result.total == len(result.product_ids) or query.strip() == ""
    assert backend.suggest(query) is not None


def test_a_changed_product_is_found_by_its_new_name(backend, catalogue, committed):
    index(backend)
    product = catalogue["cam"]

    with committed():
        product.title = "Quýt đường Xuân Lộc"
        product.save()
    backend_refresh(backend)

    assert titles(search(backend, "quyt duong")) == {"Quýt đường Xuân Lộc"}
    assert titles(search(backend, "cam sanh")) == set()


def test_a_new_price_and_stock_are_indexed(backend, catalogue, committed):
    index(backend)
    record = catalogue["dieu"].stockrecords.get()

    with committed():
        record.num_in_stock = 20
        record.price = 95000
        record.save()
    backend_refresh(backend)

    assert "Hạt điều rang muối" in titles(
        search(backend, filters={"in_stock": ["true"], "price": ["0-100000"]})
    )


def test_a_deleted_product_and_a_suspended_stall_disappear(backend, catalogue, committed):
    index(backend)

    with committed():
        catalogue["che"].delete()
    with committed():
        stall = Stall.objects.get(partner__name="Vườn bưởi cô Lan")
        stall.status = Stall.Status.SUSPENDED
        stall.save()
    backend_refresh(backend)

    assert titles(search(backend, "che")) == set()
    assert titles(search(backend, "buoi")) == set()
    assert backend.suggest("buoi") == []


def backend_refresh(backend):
    if hasattr(backend, "refresh"):
        backend.refresh()
