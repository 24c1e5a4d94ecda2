"""Factories for our models; Oscar's own factories are reused where they fit."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test.factories import PartnerFactory as OscarPartnerFactory
from oscar.test.factories import ProductClassFactory

from seasons.models import SaleWindow

TEST_PASSWORD = "mat-khau-thu-123"

Commune = get_model("marketplace", "Commune")
Stall = get_model("sellers", "Stall")
Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commune
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: 90000 + n)
    name = factory.Sequence(lambda n: f"Xã Thử Nghiệm {n}")
    province_code = 24
    province_name = "Bắc Ninh"
    slug = factory.Sequence(lambda n: f"xa-thu-nghiem-{n}")


class PartnerFactory(OscarPartnerFactory):
    class Meta:
        model = get_model("partner", "Partner")
        skip_postgeneration_save = True


class StallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stall

    partner = factory.SubFactory(PartnerFactory, name=factory.Sequence(lambda n: f"Vườn nhà bác {n}"))
    commune = factory.SubFactory(CommuneFactory)
    slug = factory.Sequence(lambda n: f"gian-hang-{n}")
    kind = Stall.Kind.HOUSEHOLD
    village = "Thôn Kép"
    status = Stall.Status.VERIFIED


class ProductFactory(factory.django.DjangoModelFactory):
    """A public product with no stock record: use make_product() for one a stall sells."""

    class Meta:
        model = Product

    structure = Product.STANDALONE
    title = factory.Sequence(lambda n: f"Vải thiều loại {n}")
    upc = factory.Sequence(lambda n: f"SKU{n:06d}")
    product_class = factory.SubFactory(ProductClassFactory, name="Nông sản")
    is_public = True
    unit = "kg"


def make_product(*, stall=None, price: int = 65000, stock: int = 100, **fields) -> Product:
    stall = stall or StallFactory()
    product = ProductFactory(**fields)
    StockRecord.objects.create(
        product=product,
        partner=stall.partner,
        partner_sku=f"{product.upc}-{stall.pk}",
        price=Decimal(price),
        price_currency="VND",
        num_in_stock=stock,
    )
    return product


def make_window(*, stall=None, product=None, **fields):
    """A sale window open today for pre-orders (seasons.SaleWindow): 100 units at 60.000 ₫, harvest in
    a month; ``fields`` override any of it. The product gets a stock record at the stall if it has none."""
    stall = stall or (product.stockrecords.first().partner.stall if product else StallFactory())
    product = product or make_product(stall=stall, stock=0, unit="kg")
    today = timezone.localdate()
    values = {
        "opens_on": today - timedelta(days=1),
        "closes_on": today + timedelta(days=10),
        "harvest_from": today + timedelta(days=30),
        "harvest_to": today + timedelta(days=45),
        "capacity": 100,
        "price": 60000,
    } | fields
    return SaleWindow.objects.create(stall=stall, product=product, **values)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.vn")

    @factory.post_generation
    def password(user, create, extracted, **kwargs):  # noqa: N805
        user.set_password(extracted or TEST_PASSWORD)
        if create:
            user.save(update_fields=["password"])

    class Params:
        staff = factory.Trait(is_staff=True, is_superuser=True)


def place_order(*items, number: str | None = None):
    """An order (via Oscar's OrderCreator) for (product, quantity) pairs, in đồng."""
    from oscar.apps.partner.strategy import Default
    from oscar.test.factories import create_order

    Basket = get_model("basket", "Basket")
    basket = Basket.objects.create()
    basket.strategy = Default()
    for product, quantity in items:
        basket.add_product(product, quantity)
    return create_order(number=number, basket=basket)


def seller_with_stall(*, commune=None, phone: str | None = None, **stall_fields):
    """A seller user (with a phone account) owning a stall."""
    from sellers import roles
    from sellers.models import PhoneAccount

    user = UserFactory()
    user.groups.add(roles.role_group(roles.SELLER))
    PhoneAccount.objects.create(user=user, phone=phone or f"+8491{user.pk:07d}")
    stall = StallFactory(owner=user, commune=commune or CommuneFactory(), **stall_fields)
    stall.partner.users.add(user)
    return user, stall


def commune_member(*, commune, role: str):
    """A commune staff member or digital helper assigned to one commune."""
    from sellers import roles
    from sellers.models import CommuneAssignment

    user = UserFactory()
    user.groups.add(roles.role_group(role))
    CommuneAssignment.objects.create(user=user, commune=commune, role=role)
    return user


def province_member(*, province_code: int):
    """A province staff member: the figures of every commune of one province (/bao-cao/)."""
    from sellers import roles
    from sellers.models import ProvinceAssignment

    user = UserFactory()
    user.groups.add(roles.role_group(roles.PROVINCE_STAFF))
    ProvinceAssignment.objects.create(user=user, province_code=province_code)
    return user


def make_lot(*, stall=None, product=None, code: str = "LN2026-06A", gtin: str = "", **fields):
    """A harvest lot of a verified cooperative's product (with a GTIN when given)."""
    import datetime

    from traceability.models import HarvestLot

    stall = stall or StallFactory(kind=Stall.Kind.COOPERATIVE, partner__name="HTX Lục Ngạn Xanh")
    if stall.owner is None:
        stall.owner = UserFactory()
        stall.save(update_fields=["owner"])
    product = product or make_product(stall=stall, title="Vải thiều Lục Ngạn", gtin=gtin, ocop_stars=4)
    return HarvestLot.objects.create(
        product=product,
        owner=stall,
        code=code,
        harvest_date=fields.pop("harvest_date", datetime.date(2026, 6, 12)),
        quantity=fields.pop("quantity", 1200),
        unit="kg",
        created_by=stall.owner,
        **fields,
    )


def burst(call, count: int) -> list:
    """Run ``call(i)`` in ``count`` threads released at once (each on its own database connection),
    as a parallel burst of requests would; the results in no particular order."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(count)
    results = []

    def run(i):
        barrier.wait()
        try:
            results.append(call(i))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def pdf_bytes(*, pages: int = 1, javascript: bool = False, attachment: bool = False) -> bytes:
    """A real PDF (made with pypdf), optionally with a script or an attached file."""
    import io

    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if javascript:  # runs when the file is opened
        action = {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert(1)"),
        }
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject(action)
    if attachment:
        writer.add_attachment("note.html", b"<script>alert(1)</script>")
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
