"""A stall's own products: listed, added and changed from the seller's phone.

A product belongs to a stall through its stock record at the stall's Oscar Partner. The photo is
stored after the product itself: if the storage (S3) fails, the product and everything typed is
kept and the seller is asked to send the photo again.
"""

import logging
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.http import Http404
from oscar.core.loading import get_model

from ground.images import make_renditions
from sellers.access import acting_for
from sellers.models import Stall
from sellers.services import audit

Product = get_model("catalogue", "Product")
ProductClass = get_model("catalogue", "ProductClass")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductImage = get_model("catalogue", "ProductImage")
StockRecord = get_model("partner", "StockRecord")

logger = logging.getLogger(__name__)

PRODUCT_FIELDS = (
    "title",
    "description",
    "unit",
    "ocop_stars",
    "ocop_certificate_number",
    "ocop_certificate_expiry",
    "season_months",
)


@dataclass
class SavedProduct:
    product: Product
    photo_saved: bool


def stall_products(stall: Stall):
    return (
        Product.objects.filter(stockrecords__partner=stall.partner)
        .prefetch_related("images", "stockrecords")
        .order_by("title")
        .distinct()
    )


def stall_product_or_404(stall: Stall, pk) -> Product:
    try:
        return stall_products(stall).get(pk=pk)
    except (Product.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def stall_product_save(
    *, stall: Stall, actor, data: dict, photo=None, product: Product | None = None
) -> SavedProduct:
    """Create or update one product of the stall; ``data`` is a validated ProductForm's cleaned_data."""
    with transaction.atomic():
        created = product is None
        if created:
            product_class, _ = ProductClass.objects.get_or_create(
                slug="nong-san", defaults={"name": "Nông sản", "requires_shipping": True, "track_stock": True}
            )
            product = Product(product_class=product_class, structure=Product.STANDALONE, is_public=True)
        for field in PRODUCT_FIELDS:
            if field in data:
                setattr(product, field, data[field])
        product.save()
        if data.get("category"):
            ProductCategory.objects.filter(product=product).exclude(category=data["category"]).delete()
            ProductCategory.objects.get_or_create(product=product, category=data["category"])
        StockRecord.objects.update_or_create(
            product=product,
            partner=stall.partner,
            defaults={
                "partner_sku": f"{stall.slug[:40]}-{product.pk}",
                "price": Decimal(data["price"]),
                "price_currency": "VND",
                "num_in_stock": data["stock"],
            },
        )
        audit(
            stall=stall,
            actor=actor,
            action="product_created" if created else "product_updated",
            on_behalf_of=acting_for(actor, stall),
            product=product.title,
            price=data["price"],
            stock=data["stock"],
        )
    photo_saved = photo is None or _attach_photo(stall=stall, actor=actor, product=product, photo=photo)
    return SavedProduct(product=product, photo_saved=photo_saved)


def _attach_photo(*, stall: Stall, actor, product: Product, photo) -> bool:
    try:
        with transaction.atomic():
            image = ProductImage.objects.create(
                product=product, original=photo, caption=product.title, display_order=product.images.count()
            )
            audit(
                stall=stall,
                actor=actor,
                action="photo_added",
                on_behalf_of=acting_for(actor, stall),
                product=product.title,
            )
    except Exception:  # storage errors come from boto3 or the filesystem alike
        logger.exception("Could not store a photo for product %s", product.pk)
        return False
    try:
        make_renditions(image.original)
    except Exception:  # thumbnails are made again on first view
        logger.exception("Could not make the renditions of product image %s", image.pk)
    return True
