"""Stock Oscar's side of bench/catalogue_scale.py, run with the stock virtualenv's Python (never the
project's): ``seed PRODUCTS.jsonl`` writes the project's products into the stock database the way an
Oscar shop imports a catalogue in bulk (one product class, the same category tree, a partner per stall,
the same titles, descriptions and prices, one stock record each); ``urls OUT.json`` writes where its
pages are (categories, products) for the bench's URL lists.

    STOCK_DB_NAME=... DJANGO_SETTINGS_MODULE=stock_settings PYTHONPATH=bench/catalogue_scale \\
        var/bench/oscar-stock/venv/bin/python bench/catalogue_scale/stock_seed.py seed products.jsonl
"""

import json
import sys
from decimal import Decimal

import django

BATCH = 2000


def seed(path: str) -> None:
    from django.db import transaction  # after django.setup()
    from oscar.apps.catalogue.categories import create_from_sequence  # the same
    from oscar.core.loading import get_model  # the same
    from oscar.core.utils import slugify  # the same: what Product.save() would do

    Product = get_model("catalogue", "Product")
    ProductClass = get_model("catalogue", "ProductClass")
    ProductCategory = get_model("catalogue", "ProductCategory")
    Partner = get_model("partner", "Partner")
    StockRecord = get_model("partner", "StockRecord")

    with open(path, encoding="utf-8") as source:
        rows = [json.loads(line) for line in source]
    with transaction.atomic():
        product_class, _ = ProductClass.objects.get_or_create(
            slug="nong-san", defaults={"name": "Nông sản", "requires_shipping": True, "track_stock": True}
        )
        categories = {}
        for row in rows:
            for names in row["categories"]:
                key = " > ".join(names)
                if key not in categories:
                    categories[key] = create_from_sequence(names)[-1]
        partners = {}
        for row in rows:
            partners.setdefault(row["partner_code"], row["partner_name"])
        Partner.objects.bulk_create(
            [Partner(code=code, name=name) for code, name in partners.items()], batch_size=BATCH
        )
        partner_pks = dict(Partner.objects.values_list("code", "pk"))
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            products = Product.objects.bulk_create(
                [
                    Product(
                        structure=Product.STANDALONE,
                        product_class=product_class,
                        upc=row["upc"],
                        title=row["title"],
                        slug=slugify(row["title"]),
                        description=row["description"],
                        is_public=True,
                    )
                    for row in chunk
                ]
            )
            ProductCategory.objects.bulk_create(
                [
                    ProductCategory(product=product, category=categories[" > ".join(names)])
                    for product, row in zip(products, chunk, strict=True)
                    for names in row["categories"]
                ]
            )
            StockRecord.objects.bulk_create(
                [
                    StockRecord(
                        product=product,
                        partner_id=partner_pks[row["partner_code"]],
                        partner_sku=row["upc"],
                        price=Decimal(row["price"]),
                        price_currency="VND",
                        num_in_stock=row["stock"],
                    )
                    for product, row in zip(products, chunk, strict=True)
                ]
            )
    print(f"{Product.objects.count()} products, {len(categories)} categories, {len(partners)} partners")


def urls(path: str) -> None:
    from django.db.models import Count  # after django.setup()
    from django.urls import reverse  # the same
    from oscar.core.loading import get_model  # the same

    Product = get_model("catalogue", "Product")
    Category = get_model("catalogue", "Category")
    categories = {
        category.full_name: {"url": category.get_absolute_url(), "products": category.products}
        for category in Category.objects.annotate(products=Count("product"))
    }
    products = {
        upc: reverse("catalogue:detail", kwargs={"product_slug": slug, "pk": pk})
        for upc, slug, pk in Product.objects.values_list("upc", "slug", "pk")
    }
    with open(path, "w", encoding="utf-8") as out:
        json.dump({"categories": categories, "products": products}, out, ensure_ascii=False)


if __name__ == "__main__":
    django.setup()
    {"seed": seed, "urls": urls}[sys.argv[1]](sys.argv[2])
