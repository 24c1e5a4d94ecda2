"""A household opens its stall on a phone (issue #16): what it sees and what it is told."""

import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from oscar.core.loading import get_model
from PIL import Image

from sellers import pending_photos
from sellers.models import Stall
from tests.factories import CommuneFactory, commune_member, make_product, seller_with_stall

Product = get_model("catalogue", "Product")
pytestmark = pytest.mark.django_db
HOUSEHOLD = "+84987654321"


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), "#c0392b").save(buffer, "JPEG")
    return buffer.getvalue()


def options(html: str, name: str) -> list[tuple[str, str, bool]]:
    """(value, text, selected) of each option of the select named ``name``."""
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return [
        (value, text.strip(), "selected" in attrs)
        for value, attrs, text in re.findall(r'<option value="([^"]*)"([^>]*)>([^<]*)</option>', select)
    ]


# 1. Lists that start on words, with what is known already chosen ---------------------------------


def test_on_a_communes_own_site_its_commune_is_already_chosen_and_banks_go_by_their_name(
    client, make_storefront
):
    commune = CommuneFactory(name="Xã Lục Ngạn")
    CommuneFactory(name="Xã Kép")
    make_storefront(communes=[commune])
    user, _stall = seller_with_stall()
    Stall.objects.all().delete()
    client.force_login(user)

    html = client.get("/ban-hang/gian-hang/moi/").content.decode()

    assert options(html, "commune") == [(str(commune.pk), str(commune), True)]
    banks = options(html, "bank_bin")
    assert banks[0] == ("", "Chọn ngân hàng", True)
    assert ("970405", "Agribank", False) in banks
    assert "970405)" not in html and "---------" not in html


def test_on_the_platform_site_the_commune_list_starts_on_choose_your_commune(client, seller):
    html = client.get("/ban-hang/gian-hang/moi/").content.decode()

    assert options(html, "commune")[0] == ("", "Chọn xã của bạn", True)


def test_a_helper_of_one_commune_finds_it_chosen(client, make_storefront):
    commune = CommuneFactory(name="Xã Lục Ngạn")
    CommuneFactory(name="Xã Kép")
    make_storefront()
    client.force_login(commune_member(commune=commune, role="digital_helper"))

    html = client.get("/ban-hang/ho-tro/").content.decode()

    assert options(html, "commune") == [(str(commune.pk), str(commune), True)]


def test_the_category_list_starts_on_words(client, seller):
    html = client.get(f"/ban-hang/gian-hang/{seller.pk}/san-pham/moi/").content.decode()

    assert options(html, "category")[0] == ("", "Chọn loại hàng", True)
    assert "---------" not in html


# 2. A photo chosen is kept across an error -------------------------------------------------------


def test_a_product_photo_is_kept_after_an_error_for_this_session_only(client, seller):
    url = f"/ban-hang/gian-hang/{seller.pk}/san-pham/moi/"
    photo = SimpleUploadedFile("vai.jpg", jpeg(), content_type="image/jpeg")

    html = client.post(url, {"title": "", "price": "65k", "unit": "kg", "stock": "5", "photo": photo})
    html = html.content.decode()

    assert "Ảnh đã chọn" in html
    preview = re.search(r'<img src="(/ban-hang/anh-da-chon/[^"]+)"', html).group(1)
    shown = client.get(preview)
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    stranger, _stall = seller_with_stall()
    other = Client()
    other.force_login(stranger)
    assert other.get(preview).status_code == 404

    client.post(url, {"title": "Vải thiều", "price": "65k", "unit": "kg", "stock": "5"})

    product = Product.objects.get(title="Vải thiều")
    assert product.images.count() == 1
    assert client.get(preview).status_code == 404  # taken by the saved product


def test_photos_of_forms_never_sent_again_are_deleted(client, seller):
    url = f"/ban-hang/gian-hang/{seller.pk}/san-pham/moi/"
    photo = SimpleUploadedFile("vai.jpg", jpeg(), content_type="image/jpeg")
    html = client.post(url, {"title": "", "price": "65k", "unit": "kg", "stock": "5", "photo": photo})
    preview = re.search(r'<img src="(/ban-hang/anh-da-chon/[^"]+)"', html.content.decode()).group(1)

    assert pending_photos.prune() == 0  # a photo kept a moment ago stays
    assert pending_photos.prune(older_than=timedelta(0)) >= 1  # as it would be a day later

    assert client.get(preview).status_code == 404


def test_a_stall_photo_is_kept_after_an_error(client, seller):
    photo = SimpleUploadedFile("vuon.jpg", jpeg(), content_type="image/jpeg")
    url = f"/ban-hang/gian-hang/{seller.pk}/sua/"

    html = client.post(url, {"name": "", "kind": "household", "photo": photo}).content.decode()
    assert "Ảnh đã chọn" in html

    client.post(url, {"name": "Vườn nhà bác Tư", "kind": "household"})
    assert seller.photos.count() == 1


# 3. Prices as people type them --------------------------------------------------------------------


@pytest.mark.parametrize("price", ["65k", "65K", "65 nghìn", "65 ngàn", "65.000", "65,000", "65000đ"])
def test_prices_typed_the_short_way_are_understood(client, seller, price):
    client.post(
        f"/ban-hang/gian-hang/{seller.pk}/san-pham/moi/",
        {"title": "Vải thiều", "price": price, "unit": "kg", "stock": "5"},
    )

    assert int(Product.objects.get().stockrecords.get().price) == 65000


def test_a_price_that_means_nothing_is_explained(client, seller):
    response = client.post(
        f"/ban-hang/gian-hang/{seller.pk}/san-pham/moi/",
        {"title": "Vải thiều", "price": "sáu lăm", "unit": "kg", "stock": "5"},
    )

    assert "ví dụ 65000, 65.000 hoặc 65k" in response.content.decode()
    assert not Product.objects.exists()


# 4. A draft stall shows only what it can use -----------------------------------------------------


def test_a_draft_stall_shows_no_sales_orders_or_stamps_yet(client, seller):
    html = client.get(f"/ban-hang/gian-hang/{seller.pk}/").content.decode()

    assert "Doanh thu" not in html and "Truy xuất" not in html
    assert f"/ban-hang/gian-hang/{seller.pk}/don-hang/" not in html
    assert "Thêm sản phẩm đầu tiên" in html


def test_a_verified_stall_shows_its_sales(client, make_storefront):
    make_storefront()
    user, stall = seller_with_stall(status=Stall.Status.VERIFIED)
    client.force_login(user)

    html = client.get(f"/ban-hang/gian-hang/{stall.pk}/").content.decode()

    assert "Doanh thu" in html and "Truy xuất" in html


# 5. The consent text names the helper; the log names the bank account -----------------------------


def test_the_consent_code_names_the_helper_and_the_purpose(client, committed, outbox, make_storefront):
    commune = CommuneFactory(name="Xã Lục Ngạn")
    make_storefront(communes=[commune])
    helper = commune_member(commune=commune, role="digital_helper")
    helper.first_name = "Nguyễn Văn An"  # the whole name, as the sign-up form keeps it
    helper.save()
    client.force_login(helper)

    with committed():
        client.post(
            "/ban-hang/ho-tro/",
            {
                "household_phone": "0987 654 321",
                "household_name": "Bà Cất",
                "stall_name": "Vườn nhà bà Cất",
                "commune": commune.pk,
            },
        )

    [text] = [message.text for message in outbox if message.phone == HOUSEHOLD]
    name = "Nguyễn Văn An"
    assert f"{name} (to cong nghe so Xã Lục Ngạn) xin phep mo gian hang “Vườn nhà bà Cất” cho bac" in text
    assert "chi dua ma" in text and f"cho {name}, khong dua cho ai khac" in text
    assert re.search(r"\b\d{6}\b", text)


def test_the_log_says_the_bank_account_changed(client, seller):
    client.post(
        f"/ban-hang/gian-hang/{seller.pk}/sua/",
        {
            "name": seller.name,
            "kind": seller.kind,
            "village": seller.village,
            "story": seller.story,
            "bank_bin": "970405",
            "bank_account_number": "0011001234567",
            "bank_account_name": "Nguyen Van Tu",
        },
    )

    html = client.get(f"/ban-hang/gian-hang/{seller.pk}/nhat-ky/").content.decode()
    assert "sửa gian hàng" in html and "tài khoản ngân hàng" in html
    assert "Agribank ••••4567 · NGUYEN VAN TU" in html and "0011001234567" not in html


# 6. The commune sees what it vouches for; the household is told ---------------------------------


@pytest.fixture
def waiting(client, make_storefront):
    commune = CommuneFactory(name="Xã Lục Ngạn")
    make_storefront(communes=[commune])
    owner, stall = seller_with_stall(
        commune=commune,
        phone=HOUSEHOLD,
        status=Stall.Status.SUBMITTED,
        bank_bin="970405",
        bank_account_number="0011001234567",
        bank_account_name="NGUYEN THI CAT",
    )
    stall.phone = HOUSEHOLD
    stall.save()
    make_product(
        stall=stall, title="Vải thiều Lục Ngạn", price=65000, ocop_stars=4, ocop_certificate_number="BN-0042"
    )
    client.force_login(commune_member(commune=commune, role="commune_staff"))
    return stall


def test_the_review_card_shows_products_prices_ocop_bank_and_phone(client, waiting):
    html = client.get("/ban-hang/xa/").content.decode()

    card = re.search(r'<article class="order review-card">.*?</article>', html, re.S).group(0)
    assert "Vải thiều Lục Ngạn" in card and "65.000 ₫" in card
    assert "OCOP 4 sao" in card and "BN-0042" in card
    assert "Agribank ••••4567 · NGUYEN THI CAT" in card
    assert 'href="tel:0987654321"' in card


def test_the_household_is_texted_when_its_stall_is_verified(client, committed, outbox, waiting):
    with committed():
        client.post(f"/ban-hang/xa/{waiting.pk}/verify/")

    [text] = [message.text for message in outbox if message.phone == HOUSEHOLD]
    assert "Xã Lục Ngạn da duyet gian hang" in text and waiting.name in text


def test_the_household_is_texted_the_reason_when_its_stall_is_sent_back(client, committed, outbox, waiting):
    with committed():
        client.post(f"/ban-hang/xa/{waiting.pk}/reject/", {"reason": "Thiếu ảnh vườn."})

    [text] = [message.text for message in outbox if message.phone == HOUSEHOLD]
    assert "tra lai gian hang" in text and "Thiếu ảnh vườn" in text


def test_a_verified_stall_is_a_link_to_its_page_on_the_communes_list(client, waiting):
    client.post(f"/ban-hang/xa/{waiting.pk}/verify/")
    waiting.refresh_from_db()

    html = client.get("/ban-hang/xa/").content.decode()

    verified = html[html.index("Gian hàng đã duyệt") :]
    assert f'<a href="{waiting.page.url}">{waiting.name}</a>' in verified
