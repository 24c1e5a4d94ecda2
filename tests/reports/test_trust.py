"""Satisfaction, complaints and reviews, counted by hand (tests/reports/conftest.py: October 2026 of
Xã Lục Ngạn and Xã Kép)."""

from functools import partial

import pytest

from marketplace.reports import trust
from marketplace.reports.tables import Scope
from tests.reports.conftest import OCTOBER, commerce_by, commerce_table, commerce_untranslated

REVIEWS = ("reviews", "product_stars", "stall_stars")


def figures(row: dict, keys) -> tuple:
    return tuple(row[key] for key in keys)


def test_one_commune_counts_what_its_buyers_said(commerce_world, django_assert_num_queries):
    # satisfaction_counts: one query; complaint_counts: two; the reviews: one.
    with django_assert_num_queries(4):
        panel = trust.trust_panel(commerce_world.commune, commerce_world.period)

    satisfaction = commerce_by(commerce_table(panel, "satisfaction"), "key")
    assert {key: row["answers"] for key, row in satisfaction.items()} == {
        "very_satisfied": 1,
        "satisfied": 1,
        "unsatisfied": 1,
    }
    assert satisfaction["satisfied"]["share"] == 33.3

    complaints = commerce_table(panel, "complaints")
    states = {row["key"]: row["complaints"] for row in complaints.rows}
    assert states == {"open": 1, "refunded": 1, "replaced": 0, "declined": 0, "escalated": 0, "decided": 0}
    assert figures(complaints.total, ("complaints", "refunded")) == (2, 50000)

    reviews = commerce_table(panel, "reviews")
    rows = commerce_by(reviews)
    assert figures(rows["Vườn vải ông Thành"], REVIEWS) == (2, 4.0, 4.5)
    assert figures(rows["HTX Lục Ngạn Xanh"], REVIEWS) == (1, 4.0, 4.0)
    assert figures(reviews.total, REVIEWS) == (3, 4.0, 4.3)  # not the hidden one, nor September's

    assert [figure.value for figure in panel.headline] == [66.7, 2, 50000, 4.0]
    assert panel.note == ""


def test_a_wider_scope_counts_both_communes(commerce_world):
    platform = trust.trust_panel(commerce_world.platform, commerce_world.period)
    province = trust.trust_panel(commerce_world.province, commerce_world.period)

    for panel in (platform, province):
        assert commerce_table(panel, "satisfaction").total["answers"] == 4
        complaints = commerce_table(panel, "complaints")
        assert commerce_by(complaints, "key")["escalated"]["complaints"] == 1
        reviews = commerce_table(panel, "reviews")
        assert figures(commerce_by(reviews)["Xã Kép"], REVIEWS) == (1, 2.0, 3.0)
        assert figures(reviews.total, REVIEWS) == (4, 3.5, 4.0)
        assert [figure.value for figure in panel.headline] == [75.0, 3, 50000, 3.5]
    assert platform.tables == province.tables


@pytest.mark.django_db
def test_nothing_said_yet_says_so(django_assert_num_queries):
    with django_assert_num_queries(4):
        panel = trust.trust_panel(Scope("Toàn nền tảng", None), OCTOBER)

    assert str(panel.note) == "Chưa có ý kiến nào trong thời gian này."
    assert [figure.value for figure in panel.headline] == [None, 0, 0, None]
    assert commerce_table(panel, "reviews").rows == []


@pytest.mark.django_db
def test_every_word_is_translated():
    for scope in (Scope("Xã Lục Ngạn", (1,)), Scope("Toàn nền tảng", None)):
        assert commerce_untranslated(partial(trust.trust_panel, scope, OCTOBER)) == []
