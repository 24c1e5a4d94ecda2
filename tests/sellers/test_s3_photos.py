"""Product photos on S3, against moto's S3 server started over HTTP on loopback."""

import json
import urllib.request

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.functional import empty
from oscar.core.loading import get_model
from sorl.thumbnail import default as sorl_default

from tests.conftest import moto_client
from tests.sellers.test_products import form_data, jpeg
from tests.servers import free_port

Product = get_model("catalogue", "Product")
pytestmark = pytest.mark.django_db
BUCKET = "cho-ocop-test"
PUBLIC_READ = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{BUCKET}/*",
        }
    ],
}


def s3_storage(settings, endpoint: str):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": endpoint,
                "region_name": "ap-southeast-1",
                "access_key": "test",
                "secret_key": "test",  # noqa: S106
                "querystring_auth": False,
                "file_overwrite": False,
                "default_acl": None,
            },
        },
    }
    sorl_default.storage._wrapped = empty  # sorl keeps the storage it first saw


@pytest.fixture
def s3(settings, moto_endpoint):
    client = moto_client(moto_endpoint)
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-southeast-1"})
    # As in production, buyers read photos anonymously (a public-read bucket policy, or a CDN).
    client.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(PUBLIC_READ))
    s3_storage(settings, moto_endpoint)
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)
    sorl_default.storage._wrapped = empty


def test_product_photo_lands_in_the_bucket_and_its_rendition_is_served(client, seller, s3, moto_endpoint):
    photo = SimpleUploadedFile("vai.jpg", jpeg(), content_type="image/jpeg")

    client.post(f"/ban-hang/gian-hang/{seller.pk}/san-pham/moi/", form_data(photo=photo))

    image = Product.objects.get().images.get()
    keys = {item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert image.original.name in keys
    renditions = sorted(key for key in keys if key.startswith("cache/"))
    assert len(renditions) == 3
    url = image.original.storage.url(renditions[0])
    assert url.startswith(f"{moto_endpoint}/{BUCKET}/cache/")
    with urllib.request.urlopen(url) as response:  # noqa: S310 (loopback)
        assert response.status == 200
        assert response.read(3) == b"\xff\xd8\xff"  # a JPEG


def test_failed_upload_keeps_the_product_and_asks_for_the_photo_again(client, seller, settings):
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    s3_storage(settings, closed)
    settings.STORAGES["default"]["OPTIONS"]["client_config"] = __import__("botocore.config").config.Config(
        connect_timeout=1, retries={"max_attempts": 0}
    )
    photo = SimpleUploadedFile("vai.jpg", jpeg(), content_type="image/jpeg")

    response = client.post(
        f"/ban-hang/gian-hang/{seller.pk}/san-pham/moi/", form_data(photo=photo, stock="12"), follow=True
    )

    product = Product.objects.get()
    assert (product.title, product.stockrecords.get().num_in_stock) == ("Vải thiều Lục Ngạn", 12)
    assert not product.images.exists()
    html = response.content.decode()
    assert "ảnh chưa tải lên được" in html
    assert 'value="Vải thiều Lục Ngạn"' in html  # the edit form, filled in
    sorl_default.storage._wrapped = empty
