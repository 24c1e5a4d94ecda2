"""Stamp sheets reveal every serial: only the managers of the cooperative that owns the lot get them,
never a guessed URL (locally and on S3)."""

import time
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.test import Client

from sellers.models import Stall
from tests.conftest import moto_client
from tests.factories import make_lot, make_product, seller_with_stall
from traceability import services
from traceability.models import StampRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def printed(make_storefront, committed):
    make_storefront()
    manager, stall = seller_with_stall(kind=Stall.Kind.COOPERATIVE, partner__name="HTX Lục Ngạn Xanh")
    lot = make_lot(stall=stall, product=make_product(stall=stall, title="Vải thiều Lục Ngạn"))
    with committed():
        run = services.stamp_run_create(lot=lot, count=24, actor=manager)
    run.refresh_from_db()
    assert run.status == StampRun.Status.READY
    return manager, stall, run


def download(stall, run) -> str:
    return f"/ban-hang/gian-hang/{stall.pk}/truy-xuat/tem/{run.pk}/tai/pdf/"


def test_the_sheet_is_not_public_media_and_its_name_cannot_be_guessed(printed):
    manager, stall, run = printed

    assert not (settings.MEDIA_ROOT / run.pdf.name).exists()  # not where /media/ serves from
    assert run.lot.code not in run.pdf.name and not run.pdf.name.rsplit("/", 1)[-1].startswith("tem-")
    old_guess = f"/media/stamps/{run.created_at:%Y/%m}/tem-{run.lot.code}-{run.pk}.pdf"
    assert Client().get(old_guess).status_code == 404
    assert Client().get(f"/media/{run.pdf.name}").status_code == 404


def test_only_the_cooperative_gets_the_sheet(client, printed):
    manager, stall, run = printed
    stranger, other = seller_with_stall(kind=Stall.Kind.COOPERATIVE, partner__name="HTX khác")

    guest = Client().get(download(stall, run))
    client.force_login(stranger)
    foreign = client.get(download(stall, run))
    own_desk_foreign_run = client.get(download(other, run))

    assert guest.status_code == 302 and "/ban-hang/dang-nhap/" in guest.url
    assert foreign.status_code == 404 and own_desk_foreign_run.status_code == 404


PRIVATE_BUCKET = "cho-ocop-private-test"


@pytest.fixture
def private_s3(moto_endpoint):
    from storages.backends.s3 import S3Storage

    client = moto_client(moto_endpoint)
    client.create_bucket(
        Bucket=PRIVATE_BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-southeast-1"}
    )
    storage = S3Storage(
        bucket_name=PRIVATE_BUCKET,
        endpoint_url=moto_endpoint,
        region_name="ap-southeast-1",
        access_key="test",
        secret_key="test",  # noqa: S106
        querystring_auth=True,
        querystring_expire=300,
        default_acl="private",
        file_overwrite=False,
    )
    field = StampRun._meta.get_field("pdf")
    kept, field.storage = field.storage, storage
    yield client
    field.storage = kept
    for item in client.list_objects_v2(Bucket=PRIVATE_BUCKET).get("Contents", []):
        client.delete_object(Bucket=PRIVATE_BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=PRIVATE_BUCKET)


def test_on_s3_the_sheet_is_private_and_handed_out_by_a_short_lived_link(client, private_s3, printed):
    manager, stall, run = printed
    assert not isinstance(run.pdf.storage, FileSystemStorage)
    client.force_login(manager)

    response = client.get(download(stall, run))

    assert response.status_code == 302
    query = parse_qs(urlsplit(response.url).query)
    assert "Signature" in query or "X-Amz-Signature" in query
    lifetime = (
        int(query["Expires"][0]) - time.time() if "Expires" in query else int(query["X-Amz-Expires"][0])
    )
    assert 0 < lifetime <= 300
    with urllib.request.urlopen(response.url) as signed:  # noqa: S310 (loopback moto)
        assert signed.read(5) == b"%PDF-"
    plain = response.url.split("?", 1)[0]
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(plain)  # noqa: S310 (loopback moto)
    assert refused.value.code == 403
