"""The server-drawn charts: well-formed SVG that draws the numbers of its table's rows, nothing more."""

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from decimal import Decimal

from marketplace.reports import charts
from marketplace.reports.formatting import compact, format_figure
from marketplace.reports.tables import DATE, HOURS, INT, PERCENT, STARS, TEXT, VND, Chart, Column, Table

SVG = "{http://www.w3.org/2000/svg}"


def parse(table: Table) -> ET.Element:
    drawn = str(charts.svg(table))
    root = ET.fromstring(drawn)  # noqa: S314 (our own drawing): well-formed XML, or this raises
    assert root.tag == f"{SVG}svg" and root.get("role") == "img" and root.get("width") == "100%"
    title = root.find(f"{SVG}title")
    assert root.get("aria-labelledby") == title.get("id") and table.title in title.text
    return root


def texts(root: ET.Element) -> list[str]:
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


def line_table(days: int, orders=lambda i: i % 4, value=lambda i: 50_000 * (i % 4)) -> Table:
    start = date(2026, 11, 1)
    rows = [{"day": start + timedelta(days=i), "orders": orders(i), "value": value(i)} for i in range(days)]
    columns = [Column("day", "Ngày", DATE), Column("orders", "Số đơn", INT), Column("value", "Giá trị", VND)]
    return Table(
        "orders-by-day", "Đơn hàng theo ngày", columns, rows, chart=Chart("line", "day", ("orders",))
    )


def bars_table(names: list[str], values: list[int]) -> Table:
    rows = [{"name": name, "value": value} for name, value in zip(names, values, strict=True)]
    columns = [Column("name", "Gian hàng", TEXT), Column("value", "Giá trị", VND)]
    return Table(
        "orders-by-place", "Doanh thu theo gian hàng", columns, rows, chart=Chart("bars", "name", ("value",))
    )


def test_two_weeks_are_a_line_with_a_dot_per_day_and_round_gridlines():
    root = parse(line_table(14))
    (line,) = root.iter(f"{SVG}polyline")
    assert len(line.get("points").split()) == 14
    dots = list(root.iter(f"{SVG}circle"))
    assert len(dots) == 14 and dots[2].find(f"{SVG}title").text == "03/11/2026: 2"  # the row's own number
    labels = texts(root)
    assert {"0", "1", "2", "3", "01/11", "14/11"} <= set(labels), labels
    assert not list(parse(line_table(30)).iter(f"{SVG}circle"))  # a month: the line alone


def test_millions_of_dong_are_labelled_in_tr_and_two_years_by_month():
    table = line_table(731, value=lambda i: 5_000 * i)
    table.chart = Chart("line", "day", ("value",))
    root = parse(table)
    labels = texts(root)
    assert {"0", "2 tr", "4 tr"} <= set(labels), labels  # at most 3.650.000 ₫
    assert "11/2026" in labels and "10/2028" in labels  # 731 days from 01/11/2026
    assert not list(root.iter(f"{SVG}circle"))  # too many points for dots
    (line,) = root.iter(f"{SVG}polyline")
    assert len(line.get("points").split()) == 731


def test_one_day_is_one_dot_in_the_middle():
    root = parse(line_table(1, orders=lambda i: 7))
    (dot,) = root.iter(f"{SVG}circle")
    assert dot.find(f"{SVG}title").text == "01/11/2026: 7"
    assert not list(root.iter(f"{SVG}polyline"))


def test_bars_are_as_long_as_their_values_and_carry_them():
    root = parse(
        bars_table(["Vườn vải ông Thành", "HTX Lục Ngạn Xanh", "Chè Tân Cương"], [100_000, 400_000, 0])
    )
    widths = [float(rect.get("width")) for rect in root.iter(f"{SVG}rect")]
    assert widths[0] > 0 and abs(widths[1] - widths[0] / 4) < 0.1 and widths[2] == 0  # biggest first
    labels = texts(root)
    assert labels[:2] == ["HTX Lục Ngạn Xanh", "400.000 ₫"] and "100.000 ₫" in labels and "0 ₫" in labels


def test_many_bars_end_with_the_rest_added_up_and_long_names_cut():
    names = [f"Gian hàng số {i} của hợp tác xã nông sản sạch Lục Ngạn" for i in range(20)]
    root = parse(bars_table(names, [1000 * (20 - i) for i in range(20)]))
    assert len(list(root.iter(f"{SVG}rect"))) == 15
    labels = texts(root)
    assert labels[0].endswith("…") and len(labels[0]) < len(names[0])
    assert "6 mục khác" in labels and format_figure(sum(range(1, 7)) * 1000, VND) in labels


def test_shares_split_a_bar_per_series_with_percentages():
    rows = [
        {"method": "Tiền mặt khi nhận", "orders": 1, "value": 100_000},
        {"method": "VietQR", "orders": 2, "value": 300_000},
        {"method": "Thẻ", "orders": 0, "value": 0},
    ]
    columns = [
        Column("method", "Cách trả", TEXT),
        Column("orders", "Số đơn", INT),
        Column("value", "Giá trị", VND),
    ]
    root = parse(
        Table(
            "payment-methods",
            "Cách trả tiền",
            columns,
            rows,
            chart=Chart("share", "method", ("orders", "value")),
        )
    )
    labels = texts(root)
    assert labels[0] == "Số đơn" and "33,3 %" in labels and "66,7 %" in labels
    assert "Giá trị" in labels and "25,0 %" in labels and "75,0 %" in labels
    assert "Thẻ" not in labels  # nothing paid by card: no legend line
    segments = [rect for rect in root.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]
    assert segments[0].find(f"{SVG}title").text == "Tiền mặt khi nhận: 1"
    assert abs(float(segments[1].get("width")) - 2 * float(segments[0].get("width"))) < 0.1


def test_the_map_places_communes_by_their_coordinates_sized_by_the_figure():
    rows = [
        {"commune": "Lục Ngạn", "stalls": 9, "latitude": 21.38, "longitude": 106.60},
        {"commune": "Phúc Hòa", "stalls": 1, "latitude": 21.30, "longitude": 106.30},
        {"commune": "Xã mới", "stalls": 0, "latitude": 21.20, "longitude": 106.45},
        {"commune": "Không tọa độ", "stalls": 5, "latitude": None, "longitude": None},
    ]
    columns = [Column("commune", "Xã", TEXT), Column("stalls", "Gian hàng", INT)]
    root = parse(
        Table("stall-map", "Bản đồ gian hàng", columns, rows, chart=Chart("map", "commune", ("stalls",)))
    )
    circles = {c.find(f"{SVG}title").text: c for c in root.iter(f"{SVG}circle")}
    assert set(circles) == {"Lục Ngạn: 9", "Phúc Hòa: 1", "Xã mới: 0"}
    big, small, empty = circles["Lục Ngạn: 9"], circles["Phúc Hòa: 1"], circles["Xã mới: 0"]
    assert float(big.get("cx")) > float(small.get("cx")) and float(big.get("cy")) < float(small.get("cy"))
    assert float(big.get("r")) > float(small.get("r")) > float(empty.get("r")) and empty.get("fill") == "#fff"
    assert {"Lục Ngạn: 9", "Phúc Hòa: 1", "Xã mới: 0"} <= set(texts(root))
    viewbox = [float(v) for v in root.get("viewBox").split()]
    for circle in circles.values():
        assert 0 <= float(circle.get("cx")) <= viewbox[2] and 0 <= float(circle.get("cy")) <= viewbox[3]


def test_names_are_escaped_and_the_svg_stays_well_formed():
    names = ['<script>alert("x")</script>', "Bánh & Kẹo <b>", 'O\'Neil "quoted"']
    root = parse(bars_table(names, [3, 2, 1]))
    assert set(names) <= set(texts(root))
    drawn = str(charts.svg(bars_table(names, [3, 2, 1])))
    assert "<script>" not in drawn and "<b>" not in drawn
    table = Table(
        "x",
        "<Tiêu đề> & co",
        [Column("name", "<n>", TEXT), Column("value", "&v", INT)],
        [{"name": "<a>", "value": 1}],
    )
    for kind in ("share", "map"):
        table.chart = Chart(kind, "name", ("value",))
        table.rows[0].update(latitude=21.0, longitude=105.8)
        assert any(text.startswith("<a>") for text in texts(parse(table)))


def test_no_rows_or_only_zeros_draw_nothing():
    assert charts.svg(line_table(0)) == ""
    assert charts.svg(line_table(5, orders=lambda i: 0)) == ""
    assert charts.svg(bars_table([], [])) == ""
    assert charts.svg(bars_table(["A"], [0])) == ""
    no_place = Table(
        "m",
        "Bản đồ",
        [Column("name", "Xã", TEXT)],
        [{"name": "A", "value": 1}],
        chart=Chart("map", "name", ("value",)),
    )
    assert charts.svg(no_place) == ""
    assert charts.svg(Table("t", "Không có biểu đồ", [Column("n", "N")], [{"n": 1}])) == ""


def test_text_is_at_least_12_px_on_a_360_px_phone():
    root = parse(line_table(10))
    width = float(root.get("viewBox").split()[2])
    assert int(root.get("font-size")) * (360 - 24) / width >= 12
    assert not [t for t in root.iter(f"{SVG}text") if t.get("font-size")]  # none smaller
    assert re.fullmatch(r"0 0 \d+ [\d.]+", root.get("viewBox"))


def test_every_kind_is_written_the_vietnamese_way():
    """The page, its charts and its exports write values with this one function."""
    assert [format_figure(value, kind) for value, kind in written_cases()] == [
        "1.234", "120.000 ₫", "31,8 %", "18 giờ", "dưới 1 giờ", "2,5 ngày", "3 ngày", "4,6", "29/11/2026",
        "Vườn & <b>", "—", "—",
    ]  # fmt: skip
    assert [compact(value, VND) for value in (0, 500_000, 1_200_000, 4_000_000, 2_500_000_000)] == [
        "0", "500.000", "1,2 tr", "4 tr", "2,5 tỷ",
    ]  # fmt: skip


def written_cases():
    return [
        (1234, INT), (120_000, VND), (31.75, PERCENT), (18.2, HOURS), (0.4, HOURS), (60, HOURS), (72, HOURS),
        (4.56, STARS), (date(2026, 11, 29), DATE), ("Vườn & <b>", TEXT), (None, VND), ("", INT),
    ]  # fmt: skip


def test_decimal_sums_from_sql_are_drawn_like_numbers():
    root = parse(bars_table(["A", "B"], [Decimal("300000"), Decimal("100000")]))
    widths = [float(rect.get("width")) for rect in root.iter(f"{SVG}rect")]
    assert widths[0] > 0 and abs(widths[1] - widths[0] / 3) < 0.1 and "300.000 ₫" in texts(root)
