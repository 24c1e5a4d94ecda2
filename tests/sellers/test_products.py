import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from oscar.core.loading import get_model
from PIL import Image

from ground.models import HomePage
from sellers.models import Stall
from sellers.services import stall_page_publish
from tests.factories import make_product

Product = get_model("catalogue", "Product")
pytestmark = pytest.mark.django_db


def jpeg(*, size=(1200, 900), exif_orientation=None, gps=False) -> bytes:
    image = Image.new("RGB", size, "#c0392b")
    exif = Image.Exif()
    if exif_orientation:
        exif[0x0112] = exif_orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (21.0, 20.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def form_data(**overrides):
    data = {
        "title": "Vải thiều Lục Ngạn",
        "price": "65.000",
        "unit": "kg",
        "stock": "40",
        "description": "Vải chín cây.",
    }
    data.update(overrides)
    return data


def test_seller_adds_a_product_with_a_photo(client, seller):
    photo = SimpleUploadedFile("vai.jpg", jpeg(exif_orientation=6, gps=True), content_type="image/jpeg")

    response = client.post(
        f"/ban-hang/gian-hang/{seller.pk}/san-pham/moi/",
        form_data(photo=photo, ocop_stars="4", ocop_certificate_number="OCOP-BN-1", season_months=["6", "7"]),
        follow=True,
    )

    product = Product.objects.get(title="Vải thiều Lục Ngạn")
    record = product.stockrecords.get()
    assert "Đã lưu “Vải thiều Lục Ngạn”" in response.content.decode()
    assert (record.partner, int(record.price), record.num_in_stock) == (seller.partner, 65000, 40)
    assert (product.ocop_stars, product.season_months) == (4, [6, 7])
    stored = Image.open(product.images.get().original)
    assert stored.size == (900, 1200)  # turned upright from the EXIF orientation
    assert not stored.getexif()  # no metadata kept: no GPS position of the farm
    assert "Vải thiều Lục Ngạn" in client.get(f"/ban-hang/gian-hang/{seller.pk}/san-pham/").content.decode()


@pytest.mark.parametrize(
    ("price", "message"),
    [
        ("-5", "Giá không thể nhỏ hơn 0."),
        ("1,5", "không có dấu phẩy"),
        ("mười nghìn", "Hãy viết giá bằng chữ số"),
        ("0", "Giá phải lớn hơn 0 đồng."),
        ("", "Trường này là bắt buộc."),
    ],
)
def test_bad_prices_are_explained_and_the_form_keeps_what_was_typed(client, seller, price, message):
    response = client.post(
        f"/ban-hang/gian-hang/{seller.pk}/san-pham/moi/", form_data(price=price, title="Bưởi da xanh")
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert 'value="Bưởi da xanh"' in html and f'value="{price}"' in html if price else True
    assert not Product.objects.exists()


@pytest.mark.parametrize("price", ["65000", "65.000", "65 000", "65.000 ₫", "65000đ"])
def test_prices_as_people_write_them_are_understood(client, seller, price):
    client.post(f"/ban-hang/gian-hang/{seller.pk}/san-pham/moi/", form_data(price=price))

    assert int(Product.objects.get().stockrecords.get().price) == 65000


def test_a_file_that_is_not_a_photo_is_refused(client, seller):
    fake = SimpleUploadedFile("vai.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")

    response = client.post(f"/ban-hang/gian-hang/{seller.pk}/san-pham/moi/", form_data(photo=fake))

    html = response.content.decode()
    assert "Tệp này không phải là ảnh" in html
    assert 'value="Vải thiều Lục Ngạn"' in html
    assert not Product.objects.exists()


def test_a_40_mb_photo_is_refused(client, seller):
    huge = SimpleUploadedFile(
        "to.jpg", jpeg(size=(64, 64)) + b"\0" * (40 * 1024 * 1024), content_type="image/jpeg"
    )

    response = client.post(f"/ban-hang/gian-hang/{seller.pk}/san-pham/moi/", form_data(photo=huge))

    assert "Ảnh quá lớn (40 MB)" in response.content.decode()
    assert not Product.objects.exists()


def test_seller_edits_price_and_stock(client, seller):
    product = make_product(stall=seller, title="Cam lòng vàng", price=45000, stock=10)

    client.post(
        f"/ban-hang/gian-hang/{seller.pk}/san-pham/{product.pk}/",
        form_data(title="Cam lòng vàng", price="48000", stock="7"),
    )

    record = product.stockrecords.get()
    assert (int(record.price), record.num_in_stock) == (48000, 7)
    assert seller.audit_entries.filter(action="product_updated").exists()


def test_bank_account_with_letters_is_refused_and_the_rest_kept(client, seller):
    response = client.post(
        f"/ban-hang/gian-hang/{seller.pk}/sua/",
        {
            "name": "Vườn nhà tôi",
            "kind": "household",
            "village": "Thôn Kép",
            "bank_bin": "970405",
            "bank_account_number": "1507 205 ABC",
            "bank_account_name": "Nguyen Van A",
        },
    )

    html = response.content.decode()
    assert "Số tài khoản chỉ gồm chữ số" in html
    assert 'value="Vườn nhà tôi"' in html and 'value="1507 205 ABC"' in html
    seller.refresh_from_db()
    assert seller.bank_account_number == ""


def test_bank_account_is_saved_clean(client, seller):
    client.post(
        f"/ban-hang/gian-hang/{seller.pk}/sua/",
        {
            "name": seller.name,
            "kind": "household",
            "bank_bin": "970405",
            "bank_account_number": "1507 2050 12345",
            "bank_account_name": "Nguyen Van A",
        },
    )

    seller.refresh_from_db()
    assert (seller.bank_account_number, seller.bank_account_name) == ("1507205012345", "NGUYEN VAN A")


def test_stall_photo_is_checked_stored_and_shown_on_the_stall_page(client, seller):
    photo = SimpleUploadedFile("vuon.jpg", jpeg(exif_orientation=6), content_type="image/jpeg")

    data = {"name": seller.name, "kind": "household", "photo": photo}

    client.post(f"/ban-hang/gian-hang/{seller.pk}/sua/", data)

    stored = seller.photos.get()
    assert Image.open(stored.image).size == (900, 1200)
    seller.status = Stall.Status.VERIFIED
    seller.save()
    home = HomePage.objects.get()
    home.communes.add(seller.commune)
    home.save()  # modelcluster keeps parental M2M changes until the page is saved

    html = client.get(stall_page_publish(stall=seller).get_url()).content.decode()
    assert 'class="stall-photos"' in html and "/media/cache/" in html


def test_stall_photo_that_is_not_a_photo_is_refused_and_the_rest_kept(client, seller):
    fake = SimpleUploadedFile("vuon.jpg", b"MZ not a photo", content_type="image/jpeg")

    response = client.post(
        f"/ban-hang/gian-hang/{seller.pk}/sua/", {"name": "Vườn mới", "kind": "household", "photo": fake}
    )

    assert "Tệp này không phải là ảnh" in response.content.decode()
    assert 'value="Vườn mới"' in response.content.decode()
    assert not seller.photos.exists()
