import pytest
from django.core.exceptions import PermissionDenied
from wagtail.models import Site

from sellers import services
from sellers.models import Stall, StallPage
from tests.factories import CommuneFactory, commune_member, make_product, seller_with_stall

pytestmark = pytest.mark.django_db


def test_new_stall_is_a_draft_with_its_partner_and_audit(client, make_storefront):
    make_storefront()
    commune = CommuneFactory(name="Xã Lục Ngạn")
    seller, _ = seller_with_stall()  # a seller who will open a second stall through the form
    client.force_login(seller)

    response = client.post(
        "/ban-hang/gian-hang/moi/",
        {
            "name": "Vườn vải bà Tư",
            "kind": "household",
            "commune": commune.pk,
            "village": "Thôn Kép 2",
            "story": "Ba đời trồng vải.",
        },
        follow=True,
    )

    stall = Stall.objects.get(partner__name="Vườn vải bà Tư")
    assert response.status_code == 200
    assert stall.status == Stall.Status.DRAFT and stall.owner == seller
    assert seller in stall.partner.users.all()
    assert list(stall.audit_entries.values_list("action", flat=True)) == ["stall_created"]
    assert "Đã lưu gian hàng" in response.content.decode()


def test_unverified_stall_products_stay_off_the_storefront_until_the_commune_verifies(
    client, make_storefront, committed
):
    # given a household whose stall and product are ready, in Lục Ngạn
    commune = CommuneFactory(name="Xã Lục Ngạn")
    home = make_storefront(title="Chợ OCOP xã Lục Ngạn", communes=[commune])
    seller, stall = seller_with_stall(
        commune=commune, status=Stall.Status.DRAFT, partner__name="Vườn vải bà Tư"
    )
    make_product(stall=stall, title="Vải thiều bà Tư", price=60000)
    staff = commune_member(commune=commune, role="commune_staff")
    assert "Vải thiều bà Tư" not in client.get("/").content.decode()

    # when the household sends it and the commune verifies it
    client.force_login(seller)
    sent = client.post(f"/ban-hang/gian-hang/{stall.pk}/gui-duyet/", follow=True).content.decode()
    assert "Xã sẽ kiểm tra gian hàng và nhắn tin trả lời cho bạn" in sent  # it says a text will come
    client.force_login(staff)
    with committed():  # and it commits: its products are indexed
        response = client.post(f"/ban-hang/xa/{stall.pk}/verify/", follow=True)

    # then the product is on the commune's home page, and the stall has its page under it
    assert "đã được duyệt" in response.content.decode()
    stall.refresh_from_db()
    assert stall.status == Stall.Status.VERIFIED and stall.verified_by == staff
    page = StallPage.objects.get(stall=stall)
    assert page.get_parent().specific == home and page.live
    assert "Vải thiều bà Tư" in client.get("/").content.decode()
    stall_page = client.get(page.get_url()).content.decode()
    assert "Vườn vải bà Tư" in stall_page and "Vải thiều bà Tư" in stall_page and "60.000 ₫" in stall_page
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk


def test_commune_sends_a_stall_back_with_a_reason_the_household_reads(client, make_storefront):
    commune = CommuneFactory()
    make_storefront(communes=[commune])
    seller, stall = seller_with_stall(commune=commune, status=Stall.Status.SUBMITTED)
    staff = commune_member(commune=commune, role="commune_staff")
    client.force_login(staff)

    client.post(f"/ban-hang/xa/{stall.pk}/reject/", {"reason": "Thiếu ảnh vườn và số tài khoản."})

    client.force_login(seller)
    html = client.get(f"/ban-hang/gian-hang/{stall.pk}/").content.decode()
    assert "Cần sửa" in html
    assert "Thiếu ảnh vườn và số tài khoản." in html
    assert "Tôi đã sửa: gửi lại" in html


def test_reject_without_a_reason_is_refused(make_storefront):
    commune = CommuneFactory()
    _, stall = seller_with_stall(commune=commune, status=Stall.Status.SUBMITTED)
    staff = commune_member(commune=commune, role="commune_staff")

    with pytest.raises(services.ValidationError):
        services.stall_reject(stall=stall, staff=staff, reason="  ")
    stall.refresh_from_db()
    assert stall.status == Stall.Status.SUBMITTED


def test_staff_of_another_commune_is_refused_by_the_service_too():
    _, stall = seller_with_stall(status=Stall.Status.SUBMITTED)
    other_staff = commune_member(commune=CommuneFactory(), role="commune_staff")

    with pytest.raises(PermissionDenied):
        services.stall_verify(stall=stall, staff=other_staff)


def test_suspending_a_verified_stall_takes_its_products_off(client, make_storefront, committed):
    commune = CommuneFactory()
    make_storefront(communes=[commune])
    _, stall = seller_with_stall(commune=commune, status=Stall.Status.SUBMITTED)
    make_product(stall=stall, title="Mật ong hoa vải")
    staff = commune_member(commune=commune, role="commune_staff")
    with committed():  # its products are indexed once it commits
        services.stall_verify(stall=stall, staff=staff)
    assert "Mật ong hoa vải" in client.get("/").content.decode()

    with committed():
        services.stall_reject(stall=stall, staff=staff, reason="Bán hàng không rõ nguồn gốc.")

    assert "Mật ong hoa vải" not in client.get("/").content.decode()
    stall.refresh_from_db()
    assert stall.status == Stall.Status.SUSPENDED
    assert not StallPage.objects.get(stall=stall).live
