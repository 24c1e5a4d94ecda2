"""The stamps panel, against stamps and scans counted by hand.

Xã Lục Ngạn (in scope) in June 2026:
- HTX Lục Ngạn Xanh, lot LN2026-06A: a run of 10 stamps ordered 5 June, stamps 1-6 activated 6 June;
  a run of 4 ordered in May, stamps 1-2 activated 2 June. Scans of the June run's stamps:
  #1 seven scans from 7 networks, one region, 10 June (phone): looks copied;
  #2 seven scans from one network, one region, 11 June: does not;
  #3 one scan 28 May (first), one 12 June with no region;
  #4 three scans from 3 regions, 12 June at 23:30 (phone): looks copied;
  #5 seven scans from 7 networks, all 20 May: began to look copied in May, not counted in June.
- The same cooperative's lot LN2026-05B: 3 stamps ordered in May, recalled 20 June.
- Vườn nhà bác Hai, lot VN2026-06: 2 stamps ordered 15 June.
So: issued 12, activated 8, first scanned 3 (#1, #2, #4), scans 18 (10 from a phone), began to look
copied 2 (#1 on 10 June at its 6th network, #4 on 12 June at its 3rd region), 1 recall.

Xã Tân Sơn (another commune): 5 stamps ordered, activated, one scanned from 7 networks, and its lot
recalled, all in June.

Every test of the fixture runs three times: with the daily rollup never run, run up to 12 June (the days
before from the rollup, the others from the raw rows) and run up to today (June all from the rollup).
"""

from datetime import date, datetime, timedelta

import pytest
from django.db.models import Min
from django.utils import timezone, translation

from marketplace.reports.models import RollupState, ScanRegionDay, StampCommuneDay, StampDay
from marketplace.reports.rollup import rollup_refresh
from marketplace.reports.stamps import stamps_panel
from marketplace.reports.tables import Period, Scope
from sellers.models import Stall
from tests.factories import CommuneFactory, StallFactory, make_lot
from traceability import services
from traceability.models import HarvestLot, Scan, Stamp, StampRun

pytestmark = pytest.mark.django_db

JUNE = Period(date(2026, 6, 1), date(2026, 6, 30))


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(2026, month, day, hour, minute))


def issue(lot, count: int, ordered: datetime) -> StampRun:
    """A run of stamps with its serials (the sheet is printed after commit, which never comes here)."""
    run = services.stamp_run_create(lot=lot, count=count, actor=lot.created_by)
    StampRun.objects.filter(pk=run.pk).update(created_at=ordered)
    return run


def activate(run: StampRun, first: int, last: int, when: datetime) -> None:
    services.stamps_activate(run=run, actor=run.lot.created_by, first=first, last=last)
    run.stamps.filter(number__gte=first, number__lte=last).update(activated_at=when)


def scan(stamp: Stamp, when: datetime, *, network: str = "net-1", region: str = "Bắc Ninh", agent="desktop"):
    """A scan made at ``when``: the stamp's first scan, and the moment it began to look copied when this
    scan made it, move with it."""
    services.scan_record(stamp_id=stamp.pk, region=region, network=network, agent=agent)
    latest = Scan.objects.filter(stamp=stamp).order_by("-pk").values("pk")[:1]
    Scan.objects.filter(pk__in=latest).update(scanned_at=when)
    first = Scan.objects.filter(stamp=stamp).aggregate(first=Min("scanned_at"))["first"]
    Stamp.objects.filter(pk=stamp.pk).update(first_scanned_at=first)
    Stamp.objects.filter(pk=stamp.pk, copied_at__gt=when + timedelta(days=1)).update(copied_at=when)


def recall(lot: HarvestLot, when: datetime) -> None:
    services.lot_recall(lot=lot, actor=lot.created_by, reason="Dư lượng thuốc vượt mức cho phép")
    HarvestLot.objects.filter(pk=lot.pk).update(recalled_at=when)


def roll(state: str) -> None:
    """The rollup as it stands: never run, run up to the middle of June, or up to today (every day of
    the fixture). The panels must count the same in each."""
    StampDay.objects.all().delete()
    StampCommuneDay.objects.all().delete()
    ScanRegionDay.objects.all().delete()
    RollupState.objects.all().delete()
    if state == "to mid-June":
        rollup_refresh(until=date(2026, 6, 12))
    elif state == "to today":
        rollup_refresh()


@pytest.fixture(params=["live", "to mid-June", "to today"])
def stamps(request):
    luc_ngan = CommuneFactory(name="Xã Lục Ngạn")
    tan_son = CommuneFactory(name="Xã Tân Sơn")
    cooperative = StallFactory(
        commune=luc_ngan, kind=Stall.Kind.COOPERATIVE, partner__name="HTX Lục Ngạn Xanh"
    )
    household = StallFactory(commune=luc_ngan, partner__name="Vườn nhà bác Hai")

    june_lot = make_lot(stall=cooperative, code="LN2026-06A")
    june_run = issue(june_lot, 10, at(6, 5))
    activate(june_run, 1, 6, at(6, 6))
    may_run = issue(june_lot, 4, at(5, 20))
    activate(may_run, 1, 2, at(6, 2))
    one, two, three, four, five = june_run.stamps.order_by("number")[:5]
    for n in range(7):
        scan(one, at(6, 10), network=f"net-{n}", agent="phone")
        scan(two, at(6, 11))
        scan(five, at(5, 20), network=f"net-{n}")
    scan(three, at(5, 28), region="Hà Nội")
    scan(three, at(6, 12), region="")
    for region in ("Hà Nội", "Bắc Giang", "Huế"):
        scan(four, at(6, 12, 23, 30), region=region, agent="phone")

    recalled_lot = make_lot(stall=cooperative, code="LN2026-05B")
    issue(recalled_lot, 3, at(5, 2))
    recall(recalled_lot, at(6, 20))

    issue(make_lot(stall=household, code="VN2026-06"), 2, at(6, 15))

    other = StallFactory(commune=tan_son, kind=Stall.Kind.COOPERATIVE, partner__name="HTX Tân Sơn")
    other_lot = make_lot(stall=other, code="TS2026-06")
    other_run = issue(other_lot, 5, at(6, 3))
    activate(other_run, 1, 5, at(6, 4))
    for n in range(7):
        scan(other_run.stamps.first(), at(6, 8), network=f"far-{n}", region="Lạng Sơn", agent="phone")
    recall(other_lot, at(6, 25))
    roll(request.param)
    return luc_ngan, tan_son


def figures(row: dict) -> tuple:
    keys = ("issued", "activated", "first_scanned", "scans", "copied", "recalled_lots")
    return tuple(row[key] for key in keys)


def test_each_indicator_of_one_commune_per_stall(stamps):
    luc_ngan, _tan_son = stamps

    panel = stamps_panel(Scope("Xã Lục Ngạn", (luc_ngan.pk,)), JUNE)

    table = next(table for table in panel.tables if table.key == "stamps")
    assert [(row["place"], *figures(row)) for row in table.rows] == [
        ("HTX Lục Ngạn Xanh", 10, 8, 3, 18, 2, 1),
        ("Vườn nhà bác Hai", 2, 0, 0, 0, 0, 0),
    ]
    assert figures(table.total) == (12, 8, 3, 18, 2, 1)
    assert [(str(figure.label), figure.value) for figure in panel.headline] == [
        ("Tem đã cấp", 12),
        ("Tem đã kích hoạt", 8),
        ("Lượt quét", 18),
        ("Tem có dấu hiệu bị sao chép", 2),
        ("Lô bị thu hồi", 1),
    ]
    assert [table.key for table in panel.tables] == ["stamps", "scans-by-day", "scans-by-region", "recalls"]


def test_a_wide_scope_has_one_row_per_commune_and_the_whole_platform_no_filter(stamps):
    luc_ngan, tan_son = stamps

    for scope in (Scope("Bắc Ninh", (luc_ngan.pk, tan_son.pk)), Scope("Toàn nền tảng", None)):
        table = stamps_panel(scope, JUNE).tables[0]

        assert [(row["place"], *figures(row)) for row in table.rows] == [
            ("Xã Lục Ngạn", 12, 8, 3, 18, 2, 1),
            ("Xã Tân Sơn", 5, 5, 1, 7, 1, 1),
        ]
        assert figures(table.total) == (17, 13, 4, 25, 3, 2)


def test_a_month_without_the_events_counts_nothing(stamps):
    luc_ngan, _tan_son = stamps

    panel = stamps_panel(Scope("Xã Lục Ngạn", (luc_ngan.pk,)), Period(date(2026, 4, 1), date(2026, 4, 30)))

    assert panel.tables[0].rows == []
    assert [figure.value for figure in panel.headline] == [0, 0, 0, 0, 0]
    assert "Không có tem nào" in str(panel.note)


def test_may_counts_the_copied_stamp_scanned_then(stamps):
    luc_ngan, _tan_son = stamps

    table = stamps_panel(
        Scope("Xã Lục Ngạn", (luc_ngan.pk,)), Period(date(2026, 5, 1), date(2026, 5, 31))
    ).tables[0]

    # The May run (4) and the recalled lot's (3); #5's seven scans and #3's first one.
    assert [(row["place"], *figures(row)) for row in table.rows] == [("HTX Lục Ngạn Xanh", 7, 0, 2, 8, 1, 0)]


def test_scans_by_day_has_every_day_in_local_time(stamps):
    luc_ngan, _tan_son = stamps

    table = stamps_panel(Scope("Xã Lục Ngạn", (luc_ngan.pk,)), JUNE).tables[1]

    assert len(table.rows) == 30 and table.rows[0]["day"] == date(2026, 6, 1)
    busy = {row["day"].day: (row["scans"], row["phone_scans"]) for row in table.rows if row["scans"]}
    assert busy == {10: (7, 7), 11: (7, 0), 12: (4, 3)}  # 23:30 on the 12th is still the 12th
    assert table.rows[0] == {"day": date(2026, 6, 1), "scans": 0, "phone_scans": 0}
    assert (table.total["scans"], table.total["phone_scans"]) == (18, 10)
    assert (table.chart.kind, table.chart.x, table.chart.series) == ("line", "day", ("scans",))


def test_scans_by_region_with_unknown_regions_named(stamps):
    luc_ngan, _tan_son = stamps

    table = stamps_panel(Scope("Xã Lục Ngạn", (luc_ngan.pk,)), JUNE).tables[2]

    assert table.rows[0] == {"region": "Bắc Ninh", "scans": 14, "share": 77.8}
    assert {(str(row["region"]), row["scans"], row["share"]) for row in table.rows[1:]} == {
        ("Không rõ", 1, 5.6),
        ("Hà Nội", 1, 5.6),
        ("Bắc Giang", 1, 5.6),
        ("Huế", 1, 5.6),
    }
    assert (table.total["scans"], table.total["share"]) == (18, 100.0)
    assert (table.chart.kind, table.chart.x, table.chart.series) == ("bars", "region", ("scans",))


def test_regions_beyond_the_top_12_fold_into_other_regions():
    commune = CommuneFactory()
    run = issue(make_lot(stall=StallFactory(commune=commune)), 1, at(6, 1))
    stamp = run.stamps.get()
    # Region 1 has 14 scans, region 2 has 13 ... region 14 has 1.
    Scan.objects.bulk_create(
        Scan(stamp=stamp, scanned_at=at(6, 2), region=f"Vùng {n:02d}", network="net")
        for n in range(1, 15)
        for _ in range(15 - n)
    )

    table = stamps_panel(Scope("xã", (commune.pk,)), JUNE).tables[2]

    assert [row["region"] for row in table.rows[:12]] == [f"Vùng {n:02d}" for n in range(1, 13)]
    assert [row["scans"] for row in table.rows] == [14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 3]
    assert str(table.rows[12]["region"]) == "Các khu vực khác"
    assert table.rows[12]["share"] == round(100 * 3 / 105, 1)
    assert table.total["scans"] == 105


def test_recalls_name_the_lot_and_never_a_serial(stamps):
    luc_ngan, tan_son = stamps

    panel = stamps_panel(Scope("Bắc Ninh", (luc_ngan.pk, tan_son.pk)), JUNE)

    recalls = panel.tables[3]
    assert [{key: row[key] for key in ("code", "stall", "recalled", "stamps")} for row in recalls.rows] == [
        {"code": "TS2026-06", "stall": "HTX Tân Sơn", "recalled": date(2026, 6, 25), "stamps": 5},
        {"code": "LN2026-05B", "stall": "HTX Lục Ngạn Xanh", "recalled": date(2026, 6, 20), "stamps": 3},
    ]
    assert recalls.rows[0]["product"] == "Vải thiều Lục Ngạn"
    assert recalls.rows[0]["reason"] == "Dư lượng thuốc vượt mức cho phép"
    assert recalls.total["stamps"] == 8
    printed = repr([(table.rows, table.total, str(table.note)) for table in panel.tables])
    serials = list(Stamp.objects.values_list("serial", flat=True))
    assert len(serials) == 24
    assert not [serial for serial in serials if serial in printed]


def words(panel) -> list[str]:
    """Every word a reader sees besides the figures and the names of places and things."""
    seen = [panel.title, *(figure.label for figure in panel.headline)]
    for table in panel.tables:
        seen += [table.title, table.note, *(column.label for column in table.columns)]
        seen += [str(table.total[table.columns[0].key])] if table.total else []
    return [str(word) for word in seen]


def test_every_word_is_translated(stamps):
    luc_ngan, tan_son = stamps

    for scope in (Scope("Xã Lục Ngạn", (luc_ngan.pk,)), Scope("Bắc Ninh", (luc_ngan.pk, tan_son.pk))):
        with translation.override("en"):
            english = words(stamps_panel(scope, JUNE))
        vietnamese = words(stamps_panel(scope, JUNE))

        assert len(english) == len(vietnamese) == 37
        assert [word for word, vi in zip(english, vietnamese, strict=True) if word == vi] == []
    assert vietnamese[:2] == ["Tem truy xuất", "Tem đã cấp"]
    assert "hơn 5 mạng hoặc 2 khu vực" in vietnamese[7]


def test_one_query_per_table_however_many_stamps_and_scans(stamps, django_assert_num_queries, request):
    luc_ngan, tan_son = stamps
    scope, wide = Scope("Xã Lục Ngạn", (luc_ngan.pk,)), Scope("Toàn nền tảng", None)
    with django_assert_num_queries(4):
        stamps_panel(scope, JUNE)
    with django_assert_num_queries(4):
        stamps_panel(wide, JUNE)

    # when: ten times the stamps and scans, in both communes
    for commune in (luc_ngan, tan_son):
        run = issue(make_lot(stall=StallFactory(commune=commune), code="MORE"), 100, at(6, 7))
        activate(run, 1, 100, at(6, 8))
        Scan.objects.bulk_create(
            Scan(stamp=stamp, scanned_at=at(6, 9), region="Huế", network=f"net-{stamp.number % 9}")
            for stamp in run.stamps.all()
            for _ in range(3)
        )
        run.stamps.update(scan_count=3, first_scanned_at=at(6, 9))
    roll(request.node.callspec.params["stamps"])  # the new days added up again, as they are

    with django_assert_num_queries(4):
        panel = stamps_panel(scope, JUNE)
    with django_assert_num_queries(4):
        stamps_panel(wide, JUNE)
    assert [figure.value for figure in panel.headline] == [112, 108, 318, 2, 1]
