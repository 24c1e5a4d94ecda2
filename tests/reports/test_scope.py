"""Who sees whose figures on /bao-cao/: commune staff their commune, province staff their province,
platform admins everything; narrowing to a commune or province outside one's reach is a 404."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from marketplace.reports import figures
from marketplace.reports.scope import report_reach
from sellers import roles
from sellers.access import needs_password
from sellers.models import CommuneAssignment
from tests.factories import CommuneFactory, UserFactory, commune_member, province_member, seller_with_stall

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    return {
        "luc_ngan": CommuneFactory(name="Xã Lục Ngạn", province_code=24, province_name="Bắc Ninh"),
        "kep": CommuneFactory(name="Xã Kép", province_code=24, province_name="Bắc Ninh"),
        "dai_tu": CommuneFactory(name="Xã Đại Từ", province_code=19, province_name="Thái Nguyên"),
    }


@pytest.fixture
def no_panels(monkeypatch):
    """The page without its figures: these tests are about who sees whose, not the sums."""
    monkeypatch.setattr(figures, "PANELS", ())


def test_commune_staff_see_their_commune_only(places):
    staff = commune_member(commune=places["luc_ngan"], role=roles.COMMUNE_STAFF)

    reach = report_reach(staff)

    assert reach.scope.commune_ids == (places["luc_ngan"].pk,)
    assert reach.scope.label == str(places["luc_ngan"])
    assert not reach.scope.wide
    with pytest.raises(Http404):
        report_reach(staff, commune=str(places["kep"].code))
    with pytest.raises(Http404):
        report_reach(staff, province="24")  # their province is wider than their reach


def test_province_staff_see_every_commune_of_their_province(places):
    staff = province_member(province_code=24)

    reach = report_reach(staff)

    assert set(reach.scope.commune_ids) == {places["luc_ngan"].pk, places["kep"].pk}
    assert reach.scope.label == "Bắc Ninh"
    assert reach.scope.wide
    narrowed = report_reach(staff, commune=str(places["kep"].code))
    assert narrowed.scope.commune_ids == (places["kep"].pk,)
    with pytest.raises(Http404):
        report_reach(staff, commune=str(places["dai_tu"].code))
    with pytest.raises(Http404):
        report_reach(staff, province="19")


def test_a_province_assignment_without_the_role_gives_nothing(places):
    """The role group and the assignment both: an assignment left behind after the role was taken
    away opens nothing."""
    staff = province_member(province_code=24)
    staff.groups.clear()

    with pytest.raises(PermissionDenied):
        report_reach(staff)


def test_platform_admins_see_the_whole_platform_and_may_narrow_it(places):
    admin = UserFactory()
    admin.groups.add(roles.role_group(roles.PLATFORM_ADMIN))

    reach = report_reach(admin)

    assert reach.scope.commune_ids is None
    assert {code for code, _name in reach.provinces} == {24, 19}
    assert report_reach(admin, province="19").scope.commune_ids == (places["dai_tu"].pk,)


@pytest.mark.parametrize("asked", ["abc", "-1", "9" * 40, "24 OR 1=1"])
def test_a_commune_code_that_is_not_one_is_a_404(places, asked):
    admin = UserFactory(is_superuser=True)

    with pytest.raises(Http404):
        report_reach(admin, commune=asked)


def test_sellers_helpers_and_buyers_have_no_figures(places):
    seller, _stall = seller_with_stall(commune=places["luc_ngan"])
    helper = commune_member(commune=places["luc_ngan"], role=roles.DIGITAL_HELPER)

    for user in (seller, helper, UserFactory()):
        with pytest.raises(PermissionDenied):
            report_reach(user)


def test_commune_staff_without_the_role_group_have_no_figures(places):
    """Like verifying stalls: the assignment alone is not enough."""
    user = UserFactory()
    CommuneAssignment.objects.create(user=user, commune=places["luc_ngan"], role=CommuneAssignment.Role.STAFF)

    with pytest.raises(PermissionDenied):
        report_reach(user)


def test_province_staff_log_in_with_their_password(places):
    assert needs_password(province_member(province_code=24))


def test_the_page_asks_a_guest_to_log_in_and_refuses_a_seller(client, places, no_panels):
    response = client.get("/bao-cao/")
    assert response.status_code == 302
    assert response["Location"].startswith("/ban-hang/dang-nhap/")

    seller, _stall = seller_with_stall(commune=places["luc_ngan"])
    client.force_login(seller)
    assert client.get("/bao-cao/").status_code == 403
    assert client.get("/bao-cao/xuat/bao-cao.xlsx").status_code == 403


def test_staff_find_the_figures_from_their_page(client, places, no_panels):
    client.force_login(province_member(province_code=24))

    page = client.get("/ban-hang/").content.decode()

    assert 'href="/bao-cao/"' in page
    assert client.get("/bao-cao/").status_code == 200
