"""The demo's staff see real figures: its commune staff their commune's, its province staff Bắc Ninh's
communes side by side (issue #18, "Done when")."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone, translation

from marketplace import demo_data
from marketplace.reports import figures
from marketplace.reports.scope import report_reach
from marketplace.reports.tables import Period

pytestmark = pytest.mark.django_db


def _headline(report) -> dict:
    with translation.override("en"):
        return {str(figure.label): figure.value for panel in report.panels for figure in panel.headline}


def test_the_demo_staff_see_their_figures(client):
    call_command("seed_demo", "--no-images")
    User = get_user_model()
    commune_staff = User.objects.get(username=demo_data.COMMUNE_STAFF_USER["username"])
    province_staff = User.objects.get(username=demo_data.PROVINCE_STAFF_USER["username"])
    today = timezone.localdate()
    # The demo's orders and scans go back a few weeks from the day it was seeded.
    period = Period(today - datetime.timedelta(days=40), today)

    with translation.override("en"):  # the figures' labels, as this test reads them
        commune = figures.report(report_reach(commune_staff).scope, period)
        province = figures.report(report_reach(province_staff).scope, period)

    seen = _headline(commune)
    assert seen["Orders"] > 0 and seen["Value of the orders"] > 0
    assert seen["Households helped by a digital helper"] == len(demo_data.HELPED_HOUSEHOLDS)
    assert seen["Scans"] == len(demo_data.SCAN_REGIONS) + len(demo_data.COPIED_STAMP_REGIONS)
    assert seen["Stamps that look copied"] == 1
    places = [row["place"] for row in province.table("stall-map").rows]
    assert places == ["Xã Lục Ngạn", "Xã Phúc Hòa"]
    assert _headline(province)["Orders"] >= seen["Orders"]

    client.force_login(province_staff)
    page = client.get("/bao-cao/", {"tu": period.start.isoformat(), "den": period.end.isoformat()})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Xã Lục Ngạn" in html and "Xã Phúc Hòa" in html and "<svg" in html
    assert "Xuân Lộc" not in html  # Đồng Nai's commune is not Bắc Ninh's
