"""Commune staff edit their own site's campaign and guide pages in the real Wagtail admin, nothing else."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from ground.models import ContentPage
from marketplace.campaigns.models import CampaignPage, GuidePage
from sellers import roles
from sellers.models import CommuneAssignment
from tests.factories import CommuneFactory, commune_member, province_member

pytestmark = pytest.mark.django_db


def _list(items) -> dict:
    data = {str(i): {"value": item, "deleted": "", "order": str(i), "id": ""} for i, item in enumerate(items)}
    data["count"] = str(len(items))
    return data


def _campaign_form(title: str, body=(), slug="mua-vai") -> dict:
    today = timezone.localdate()
    return nested_form_data(
        {
            "title": title,
            "slug": slug,
            "starts_on": today.isoformat(),
            "ends_on": (today + datetime.timedelta(days=90)).isoformat(),
            "intro": "Đặt trước vải thiều.",
            "hero_image": "",
            "body": streamfield(list(body)),
            "comments": inline_formset([]),
            "action-publish": "action-publish",
        }
    )


def _add(client, parent, form, model="campaignpage"):
    return client.post(f"/cms/pages/add/campaigns/{model}/{parent.pk}/", form)


@pytest.fixture
def neighbour(make_storefront, lucngan):
    """Another commune's site beside Lục Ngạn's (the default site stays Lục Ngạn's)."""
    home = lucngan["home"]
    other = type(home)(title="Chợ OCOP xã Phúc Hòa", slug="phuc-hoa")
    home.get_parent().add_child(instance=other)
    other.communes.set([lucngan["elsewhere"]])
    other.save_revision().publish()
    return other


def test_commune_staff_publish_a_campaign_on_their_own_site_only(client, lucngan, neighbour):
    staff = commune_member(commune=lucngan["here"], role=roles.COMMUNE_STAFF)
    client.force_login(staff)

    assert client.get("/cms/").status_code == 200
    mine = _add(
        client,
        lucngan["home"],
        _campaign_form("Mùa vải 2027", [("countdown", {"harvest_on": "2027-06-05", "text": ""})]),
    )
    theirs = _add(client, neighbour, _campaign_form("Mùa vải Phúc Hòa"))
    guide = _add(
        client,
        lucngan["home"],
        nested_form_data(
            {
                "title": "Cách mở gian hàng",
                "slug": "mo-gian-hang",
                "intro": rich_text("<p>Năm bước.</p>"),
                "body": streamfield(
                    [("step", {"title": "Nhập số điện thoại", "text": rich_text(""), "image": ""})]
                ),
                "comments": inline_formset([]),
                "action-publish": "action-publish",
            }
        ),
        model="guidepage",
    )

    assert mine.status_code == 302 and guide.status_code == 302
    page = CampaignPage.objects.get()
    assert page.title == "Mùa vải 2027" and page.live and page.get_parent().pk == lucngan["home"].pk
    assert GuidePage.objects.get().live
    assert (
        theirs.status_code in (302, 403)
        and not CampaignPage.objects.filter(title="Mùa vải Phúc Hòa").exists()
    )
    # the storefront itself (its communes), content pages, Oscar's dashboard and Django admin: out of reach
    assert client.get(f"/cms/pages/{lucngan['home'].pk}/edit/").status_code in (302, 403)
    content = nested_form_data({"title": "Tin", "slug": "tin", "body": rich_text(""), "action-publish": "1"})
    refused = client.post(f"/cms/pages/add/marketplace/contentpage/{lucngan['home'].pk}/", content)
    assert refused.status_code in (302, 403) and not ContentPage.objects.exists()
    assert client.get("/shop/dashboard/").status_code in (302, 403)
    assert client.get("/django-admin/").status_code in (302, 403)
    # their own page they can edit again
    assert client.get(f"/cms/pages/{page.pk}/edit/").status_code == 200


def test_a_product_of_another_commune_is_refused(client, lucngan):
    staff = commune_member(commune=lucngan["here"], role=roles.COMMUNE_STAFF)
    client.force_login(staff)
    body = [
        (
            "products",
            {"heading": "", "products": _list([lucngan["lychee"].pk, lucngan["foreign_lychee"].pk])},
        ),
        ("stalls", {"heading": "", "stalls": _list([lucngan["draft"].pk])}),
        ("voucher", {"code": "chua-co", "text": "giảm 10 phần trăm"}),
        ("stalls", {"heading": "", "stalls": _list([lucngan["coop"].pk])}),
    ]

    response = _add(client, lucngan["home"], _campaign_form("Mùa vải 2027", body))

    assert response.status_code == 200
    assert not CampaignPage.objects.exists()
    (error,) = response.context["form"].errors["body"].as_data()
    (message,) = error.block_errors[0].messages
    assert message == (
        "Không phải hàng của gian hàng đã được duyệt thuộc xã của trang này: Vải sớm Phúc Hòa. "
        "Chỉ chọn sản phẩm của trang này."
    )
    assert error.block_errors[1].messages == [
        "Không phải gian hàng đã được duyệt thuộc xã của trang này: Gian hàng nháp. "
        "Chỉ chọn gian hàng của trang này."
    ]
    assert error.block_errors[2].messages == [
        "Không có mã giảm giá nào là CHUA-CO. Hãy xem lại mã trong danh sách mã giảm giá."
    ]
    assert 3 not in error.block_errors  # the site's own verified stall is fine


def test_editors_follow_the_assignments(client, lucngan, neighbour):
    staff = commune_member(commune=lucngan["here"], role=roles.COMMUNE_STAFF)
    helper = commune_member(commune=lucngan["here"], role=roles.DIGITAL_HELPER)
    province = province_member(province_code=lucngan["here"].province_code)
    client.force_login(helper)
    assert client.get("/cms/").status_code == 302  # a digital helper is no editor

    CommuneAssignment.objects.filter(user=staff).delete()
    client.force_login(staff)
    assert client.get("/cms/").status_code == 302

    # a province site: its province staff edit it; the command changes nothing when run again
    bac_ninh = type(lucngan["home"])(title="Chợ OCOP Bắc Ninh", slug="bac-ninh", province_code=24)
    lucngan["home"].get_parent().add_child(instance=bac_ninh)
    bac_ninh.save_revision().publish()
    call_command("sync_page_editors", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("sync_page_editors", stdout=open("/dev/null", "w"))  # noqa: SIM115
    client.force_login(province)
    assert client.get("/cms/").status_code == 200
    assert _add(client, bac_ninh, _campaign_form("Mùa vải Bắc Ninh")).status_code == 302
    assert _add(client, neighbour, _campaign_form("Không được")).status_code in (302, 403)
    assert list(CampaignPage.objects.values_list("title", flat=True)) == ["Mùa vải Bắc Ninh"]


def test_a_commune_without_a_site_gives_no_admin(client, db):
    staff = commune_member(commune=CommuneFactory(), role=roles.COMMUNE_STAFF)
    client.force_login(staff)

    assert client.get("/cms/").status_code == 302


def test_the_choosers_list_only_the_editors_communes(client, lucngan):
    client.force_login(commune_member(commune=lucngan["here"], role=roles.COMMUNE_STAFF))

    products = client.get("/cms/campaigns/products/results/", {"q": "vải"}).content.decode()
    stalls = client.get("/cms/campaigns/stalls/results/").content.decode()

    assert "Vải thiều Lục Ngạn" in products and "Mật ong hoa vải" in products
    assert "Vải sớm Phúc Hòa" not in products
    assert "HTX Lục Ngạn Xanh" in stalls and "Vườn vải ông Thành" in stalls
    assert "Vườn Phúc Hòa" not in stalls and "Gian hàng nháp" not in stalls
