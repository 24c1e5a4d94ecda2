"""Seeds the demo marketplace: three communes and a province, their stalls, products, a cooperative
with lots and stamps (marketplace/demo_data.py). Safe to run again: it converges, never duplicates."""

import datetime
import io
import random
import zlib
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from oscar.apps.catalogue.categories import create_from_sequence
from oscar.core.loading import get_model
from PIL import Image, ImageDraw
from vietnam_provinces import Province, ProvinceCode, Ward, WardCode
from wagtail.models import Locale, Page, Site

from ground.models import Commune, HomePage
from ground.text import fold
from marketplace import demo_data
from marketplace.complaints import demo as complaints_demo
from marketplace.demo_orders import buy
from marketplace.demo_seasons import seed_seasons
from marketplace.feedback import demo as feedback_demo
from marketplace.payments.models import Checkout, OrderPayment
from marketplace.promotions.demo import seed_vouchers
from marketplace.reports import demo as reports_demo
from sellers import roles
from sellers.models import CommuneAssignment, PhoneAccount, ProvinceAssignment
from sellers.services import stall_page_publish
from traceability.demo import seed_traceability
from traceability.models import HarvestLot, Stamp

Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")
Product = get_model("catalogue", "Product")
ProductClass = get_model("catalogue", "ProductClass")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductImage = get_model("catalogue", "ProductImage")
Stall = get_model("sellers", "Stall")
Order = get_model("order", "Order")
ShippingEvent = get_model("order", "ShippingEvent")

DEMO_PORT = 8000


@transaction.atomic
def demo_seed(*, with_images: bool = True) -> dict[str, int]:
    communes = {code: commune_from_registry(code=code) for code in _commune_codes()}
    for code, (latitude, longitude) in demo_data.COMMUNE_CENTRES.items():
        Commune.objects.filter(code=code).update(latitude=latitude, longitude=longitude)
    categories = _categories()
    product_class, _ = ProductClass.objects.get_or_create(
        slug="nong-san", defaults={"name": "Nông sản", "requires_shipping": True, "track_stock": True}
    )
    for stall_data in demo_data.STALLS:
        stall = _stall(stall_data, commune=communes[stall_data["commune"]])
        for product_data in stall_data["products"]:
            _product(
                product_data,
                stall=stall,
                product_class=product_class,
                categories=categories,
                with_images=with_images,
            )
    _sites(communes)
    _users(communes)
    for stall in Stall.objects.filter(slug__in=[data["slug"] for data in demo_data.STALLS]):
        stall_page_publish(stall=stall)
    seed_vouchers()  # before the season: its campaign page shows the lychee stall's code
    seed_seasons(
        photo=product_photo("vai-thieu", seed="mua-vai-2027", size=(1200, 675)) if with_images else None
    )
    admin = get_user_model().objects.get(username=demo_data.STAFF_USER["username"])
    seed_traceability(admin=admin)
    _after_sale(admin=admin)
    reports_demo.seed_demo(
        helper=get_user_model().objects.get(username=demo_data.HELPER_USER["username"]),
        households=demo_data.HELPED_HOUSEHOLDS,
        scan_regions=demo_data.SCAN_REGIONS,
        copied_regions=demo_data.COPIED_STAMP_REGIONS,
    )
    return {
        "communes": Commune.objects.count(),
        "stalls": Stall.objects.count(),
        "products": Product.objects.count(),
        "sites": Site.objects.count(),
        "lots": HarvestLot.objects.count(),
        "stamps": Stamp.objects.count(),
        "orders": OrderPayment.objects.count(),
    }


def _after_sale(*, admin) -> None:
    """Past orders of the demo's buyers, delivered by the stalls (once: a second seeding adds none)."""
    phones = [buyer["phone"] for buyer in demo_data.BUYERS]
    if Checkout.objects.filter(phone__in=phones).exists():
        return
    now = timezone.now()
    delivered = []
    for buyer_index, slug, title, quantity, method, days_ago, until in demo_data.PAST_ORDERS:
        stall = Stall.objects.get(slug=slug)
        product = (
            Product.objects.filter(stockrecords__partner=stall.partner, title__startswith=title)
            .order_by("pk")
            .first()
        )
        buyer = demo_data.BUYERS[buyer_index]
        payments = buy(
            [(product, quantity)],
            name=buyer["name"],
            phone=buyer["phone"],
            method=method,
            until=until,
            paid=until == "deliver",
            actor=stall.owner or admin,
        )
        # Placed some days ago, each step a few hours after the one before.
        for payment in payments:
            placed = now - datetime.timedelta(days=days_ago, hours=6)
            Order.objects.filter(pk=payment.order_id).update(date_placed=placed)
            for hours, event in enumerate(payment.order.shipping_events.order_by("pk"), start=1):
                ShippingEvent.objects.filter(pk=event.pk).update(
                    date_created=placed + datetime.timedelta(hours=hours)
                )
            if until == "deliver":
                delivered.append(payment)
    # Reviews on every delivered order; one complaint in each state on the last ones (other buyers).
    feedback_demo.seed_demo(delivered)
    staff = get_user_model().objects.get(username=demo_data.COMMUNE_STAFF_USER["username"])
    complaints_demo.seed_demo(delivered[-6:], staff=staff)


def commune_from_registry(*, code: int) -> Commune:
    """The commune with this code, named as in the national list of administrative units."""
    ward = Ward.from_code(WardCode(code))
    province = Province.from_code(ProvinceCode(ward.province_code))
    commune, _ = Commune.objects.update_or_create(
        code=code,
        defaults={
            "name": ward.name,
            "province_code": int(ward.province_code),
            "province_name": province.name,
            "slug": ward.codename.replace("_", "-") + f"-{code}",
        },
    )
    return commune


def _commune_codes() -> list[int]:
    return sorted({stall["commune"] for stall in demo_data.STALLS})


def _categories() -> dict:
    names = {slug: name for slug, name, _, _ in demo_data.CATEGORIES}
    categories = {}
    for slug, name, parent, name_en in demo_data.CATEGORIES:
        path = [names[parent], name] if parent else [name]
        category = create_from_sequence(path)[-1]
        if category.name_en != name_en:
            category.name_en = name_en
            category.save(update_fields=["name_en"])
        categories[slug] = category
    return categories


def _stall(data: dict, *, commune: Commune) -> Stall:
    partner, _ = Partner.objects.update_or_create(code=data["slug"], defaults={"name": data["name"]})
    stall, _ = Stall.objects.update_or_create(
        slug=data["slug"],
        defaults={
            "partner": partner,
            "commune": commune,
            "kind": data["kind"],
            "village": data["village"],
            "story": data["story"],
            "status": Stall.Status.VERIFIED,
            "bank_bin": data.get("bank_bin", "970405"),
            "bank_account_number": data.get(
                "bank_account", f"1507205{zlib.crc32(data['slug'].encode()) % 10**6:06d}"
            ),
            "bank_account_name": data.get("bank_account_name", _ascii_upper(data["name"])),
            "delivery_fee": data.get("delivery_fee", 30_000),
            "free_delivery_from": data.get("free_delivery_from", 300_000),
            "pickup_point": data.get("pickup_point", f"Nhà văn hóa {data['village']}"),
        },
    )
    return stall


def _ascii_upper(text: str) -> str:
    """'Vườn vải nhà ông Thành' -> 'VUON VAI NHA ONG THANH', as banks print account names."""
    return fold(text).upper()


def _product(data: dict, *, stall: Stall, product_class, categories: dict, with_images: bool) -> Product:
    product, _ = Product.objects.update_or_create(
        upc=data["sku"],
        defaults={
            "title": data["title"],
            "description": data["description"],
            "product_class": product_class,
            "structure": Product.STANDALONE,
            "is_public": True,
            "unit": data["unit"],
            "season_months": data.get("season", []),
            "ocop_stars": data.get("stars"),
            "ocop_certificate_number": data.get("certificate", ""),
            "ocop_certificate_expiry": _certificate_expiry(data),
            "is_featured": data.get("featured", False),
        },
    )
    ProductCategory.objects.get_or_create(product=product, category=categories[data["category"]])
    StockRecord.objects.update_or_create(
        partner=stall.partner,
        partner_sku=data["sku"],
        defaults={
            "product": product,
            "price": Decimal(data["price"]),
            "price_currency": "VND",
            "num_in_stock": data["stock"],
        },
    )
    if with_images and not product.images.exists():
        ProductImage.objects.create(
            product=product,
            original=ContentFile(
                product_photo(data["category"], seed=data["sku"]), name=f"{data['sku'].lower()}.jpg"
            ),
            caption=data["title"],
            display_order=0,
        )
    return product


def _certificate_expiry(data: dict):
    """An OCOP certificate is valid 36 months; the demo ones were issued in 2024."""
    if not data.get("stars"):
        return None
    return datetime.date(2027, 6, 30)


def product_photo(category: str, *, seed: str, size: tuple[int, int] = (800, 600)) -> bytes:
    """A generated product photo: a pile of fruit-coloured rounds with a leaf, as a small JPEG."""
    background, fruit = demo_data.COLOURS.get(category, ("#f4f4f4", "#888888"))
    rng = random.Random(seed)
    image = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(image)
    width, height = size
    for _ in range(9):
        radius = rng.randint(height // 9, height // 5)
        x = rng.randint(width // 5, 4 * width // 5)
        y = rng.randint(height // 3, 5 * height // 6)
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=fruit, outline="#ffffff", width=4)
    draw.ellipse((width // 2 - 30, height // 6 - 60, width // 2 + 110, height // 6 + 10), fill="#3e8e41")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=78, optimize=True, progressive=True)
    return buffer.getvalue()


def _sites(communes: dict[int, Commune]) -> None:
    root = _root_page()
    platform = _home_page(parent=root, slug="cho-ocop", title="Chợ OCOP")
    # Wagtail's initial "Welcome" page is replaced by our storefront.
    Page.objects.filter(depth=2, slug="home", content_type__model="page").delete()
    Site.objects.filter(is_default_site=True).exclude(hostname="127.0.0.1").delete()
    Site.objects.update_or_create(
        hostname="127.0.0.1",
        port=DEMO_PORT,
        defaults={"root_page": platform, "is_default_site": True, "site_name": "Chợ OCOP"},
    )
    pages = {}
    for site in demo_data.SITES:
        parent = pages.get(site.get("parent"), platform)
        page = _home_page(
            parent=parent, slug=site["slug"], title=site["title"], province_code=site.get("province")
        )
        if "commune" in site:
            page.communes.set([communes[site["commune"]]])
            page.save_revision().publish()
        pages[site["slug"]] = page
        Site.objects.update_or_create(
            hostname=site["hostname"],
            port=DEMO_PORT,
            defaults={"root_page": page, "is_default_site": False, "site_name": site["title"]},
        )


def _root_page() -> Page:
    """Wagtail's tree root (made by its migrations; made again if a test flushed the tables)."""
    root = Page.get_first_root_node()
    if root is None:
        locale, _ = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
        root = Page.add_root(title="Root", slug="root", locale=locale)
    return root


def _home_page(*, parent: Page, slug: str, title: str, province_code: int | None = None) -> HomePage:
    existing = HomePage.objects.child_of(parent).filter(slug=slug).first()
    if existing:
        return existing
    page = HomePage(slug=slug, title=title, province_code=province_code)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _users(communes: dict[int, Commune]) -> None:
    admin = _user(demo_data.STAFF_USER, is_staff=True, is_superuser=True)
    admin.groups.add(roles.role_group(roles.PLATFORM_ADMIN))
    PhoneAccount.objects.update_or_create(user=admin, defaults={"phone": demo_data.STAFF_USER["phone"]})
    seller_data = demo_data.SELLER_USER
    seller = _user(seller_data)
    seller.groups.add(roles.role_group(roles.SELLER))
    PhoneAccount.objects.update_or_create(user=seller, defaults={"phone": seller_data["phone"]})
    stall = Stall.objects.get(slug=seller_data["stall"])
    Stall.objects.filter(pk=stall.pk).update(owner=seller, phone=seller_data["phone"])
    stall.partner.users.add(seller)
    manager_data = demo_data.COOPERATIVE_MANAGER_USER
    manager = _user(manager_data)
    manager.groups.add(roles.role_group(roles.COOPERATIVE_MANAGER))
    coop = Stall.objects.get(slug=manager_data["stall"])
    Stall.objects.filter(pk=coop.pk).update(owner=manager)
    coop.partner.users.add(manager)
    for data, role in (
        (demo_data.COMMUNE_STAFF_USER, CommuneAssignment.Role.STAFF),
        (demo_data.HELPER_USER, CommuneAssignment.Role.HELPER),
    ):
        user = _user(data)
        user.groups.add(roles.role_group(role))
        CommuneAssignment.objects.get_or_create(user=user, commune=communes[data["commune"]], role=role)
    province_staff = _user(demo_data.PROVINCE_STAFF_USER)
    province_staff.groups.add(roles.role_group(roles.PROVINCE_STAFF))
    ProvinceAssignment.objects.get_or_create(
        user=province_staff, province_code=demo_data.PROVINCE_STAFF_USER["province"]
    )


def _user(data: dict, **flags):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=data["username"],
        defaults={"email": data["email"], "first_name": data.get("first_name", ""), **flags},
    )
    if created:
        user.set_password(data["password"])
        user.save(update_fields=["password"])
    return user
