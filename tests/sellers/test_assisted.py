import pytest

from sellers.models import HelperConsent, PhoneAccount, Stall
from tests.conftest import last_code
from tests.factories import CommuneFactory, commune_member

pytestmark = pytest.mark.django_db
HOUSEHOLD = "+84987654321"


@pytest.fixture
def helper_and_commune(make_storefront):
    commune = CommuneFactory(name="Xã Lục Ngạn")
    make_storefront(communes=[commune])
    return commune_member(commune=commune, role="digital_helper"), commune


def start(client, committed, helper, commune):
    """The helper asks for the household's code (texted to the household's phone)."""
    client.force_login(helper)
    with committed():
        client.post(
            "/ban-hang/ho-tro/",
            {
                "household_phone": "0987 654 321",
                "household_name": "Bà Nguyễn Thị Cất",
                "stall_name": "Vườn nhà bà Cất",
                "commune": commune.pk,
            },
        )


def start_and_confirm(client, committed, outbox, helper, commune):
    start(client, committed, helper, commune)
    return client.post("/ban-hang/ho-tro/xac-nhan/", {"code": last_code(outbox, HOUSEHOLD)}, follow=True)


def test_helper_starts_household_confirms_and_the_log_shows_both(
    client, committed, outbox, helper_and_commune
):
    helper, commune = helper_and_commune

    response = start_and_confirm(client, committed, outbox, helper, commune)

    household = PhoneAccount.objects.get(phone=HOUSEHOLD).user
    stall = Stall.objects.get(partner__name="Vườn nhà bà Cất")
    consent = HelperConsent.objects.get(stall=stall)
    assert stall.owner == household and household.first_name == "Bà Nguyễn Thị Cất"
    assert (consent.helper, consent.household, consent.is_active) == (helper, household, True)
    assert consent.confirmed_with.phone == HOUSEHOLD and consent.confirmed_with.used_at is not None
    assert "Bạn đang hỗ trợ Bà Nguyễn Thị Cất" in response.content.decode()
    log = list(stall.audit_entries.order_by("pk").values_list("action", "actor", "on_behalf_of"))
    assert log == [("stall_created", helper.pk, household.pk), ("helper_consent_given", household.pk, None)]

    # the helper's later changes are logged as done for the household
    client.post(
        f"/ban-hang/gian-hang/{stall.pk}/sua/",
        {"name": "Vườn nhà bà Cất", "kind": "household", "village": "Ấp Gia Ray 2"},
    )
    html = client.get(f"/ban-hang/gian-hang/{stall.pk}/nhat-ky/").content.decode()
    assert "thay cho Bà Nguyễn Thị Cất" in html
    assert "đồng ý nhận hỗ trợ" in html and "mở gian hàng" in html and "sửa gian hàng" in html


def test_wrong_household_code_opens_nothing(client, committed, outbox, helper_and_commune):
    helper, commune = helper_and_commune
    client.force_login(helper)
    with committed():
        client.post(
            "/ban-hang/ho-tro/",
            {
                "household_phone": "0987654321",
                "household_name": "Bà Cất",
                "stall_name": "Vườn bà Cất",
                "commune": commune.pk,
            },
        )
    wrong = "000000" if last_code(outbox, HOUSEHOLD) != "000000" else "111111"

    response = client.post("/ban-hang/ho-tro/xac-nhan/", {"code": wrong})

    assert "Mã chưa đúng" in response.content.decode()
    assert not Stall.objects.exists()


def test_helper_loses_access_when_the_household_stops_the_help(client, committed, outbox, helper_and_commune):
    helper, commune = helper_and_commune
    start_and_confirm(client, committed, outbox, helper, commune)
    stall = Stall.objects.get()
    household = stall.owner

    client.force_login(household)
    client.post(f"/ban-hang/gian-hang/{stall.pk}/nguoi-ho-tro/thu-hoi/")

    client.force_login(helper)
    assert client.get(f"/ban-hang/gian-hang/{stall.pk}/").status_code == 404
    assert "helper_consent_revoked" in stall.audit_entries.values_list("action", flat=True)


def test_helper_cannot_open_stalls_in_another_commune(client, helper_and_commune, outbox):
    helper, _ = helper_and_commune
    elsewhere = CommuneFactory(name="Xã Xuân Lộc")
    client.force_login(helper)

    response = client.post(
        "/ban-hang/ho-tro/",
        {
            "household_phone": "0987654321",
            "household_name": "Bà Cất",
            "stall_name": "Vườn",
            "commune": elsewhere.pk,
        },
    )

    assert "Hãy chọn một lựa chọn hợp lệ" in response.content.decode()
    assert outbox == []


def test_only_the_household_can_stop_the_help(client, committed, outbox, helper_and_commune):
    helper, commune = helper_and_commune
    start_and_confirm(client, committed, outbox, helper, commune)
    stall = Stall.objects.get()

    response = client.post(f"/ban-hang/gian-hang/{stall.pk}/nguoi-ho-tro/thu-hoi/")

    assert response.status_code == 403
    assert HelperConsent.objects.get(stall=stall).is_active


def test_wrong_consent_codes_stay_counted_until_the_code_is_used_up(
    client, committed, outbox, helper_and_commune
):
    helper, commune = helper_and_commune
    start(client, committed, helper, commune)
    right = last_code(outbox, HOUSEHOLD)
    wrong = "000000" if right != "000000" else "111111"

    for _ in range(5):
        client.post("/ban-hang/ho-tro/xac-nhan/", {"code": wrong})
    response = client.post("/ban-hang/ho-tro/xac-nhan/", {"code": right})

    assert "Nhập sai quá nhiều lần" in response.content.decode()
    assert not Stall.objects.filter(partner__name="Vườn nhà bà Cất").exists()
