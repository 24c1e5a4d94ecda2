"""The demo's lychee season (issue #19): a pre-order window on the Lục Ngạn cooperative's lychee, the
"Mùa vải thiều Lục Ngạn 2027" campaign page and the guide "Cách mở gian hàng trên điện thoại" on the
Lục Ngạn commune site, editable by its commune staff (canbo.lucngan). Runs after the sites, stalls,
products and users exist (marketplace/demo.py); running it again changes nothing."""

import datetime
import io

from django.core.files.images import ImageFile
from django.utils import timezone
from oscar.core.loading import get_model
from wagtail.images import get_image_model
from wagtail.rich_text import RichText

from ground.models import HomePage
from marketplace import demo_data
from marketplace.campaigns.editors import page_editors_sync
from marketplace.campaigns.models import CampaignPage, EditorGroup, GuidePage
from seasons.models import SaleWindow
from sellers.models import Stall

Product = get_model("catalogue", "Product")


def seed_seasons(*, photo: bytes | None = None) -> dict:
    """``photo``: a JPEG for the campaign's top and its photo block (the demo's generated lychee)."""
    data = demo_data.LYCHEE_CAMPAIGN
    home = HomePage.objects.get(slug=data["site"])
    window = _lychee_window()
    page_editors_sync(homes=[home])
    image = _image(photo, home=home) if photo else None
    return {
        "window": window,
        "campaign": _campaign(home, window=window, image=image),
        "guide": _guide(home),
    }


def _day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def _lychee_window() -> SaleWindow:
    data = demo_data.LYCHEE_WINDOW
    stall = Stall.objects.get(slug=data["stall"])
    product = Product.objects.get(upc=data["sku"])
    window, _created = SaleWindow.objects.get_or_create(
        stall=stall,
        product=product,
        harvest_from=_day(data["harvest_from"]),
        defaults={
            "opens_on": timezone.localdate(),
            "closes_on": _day(data["closes_on"]),
            "harvest_to": _day(data["harvest_to"]),
            "capacity": data["capacity"],
            "price": data["price"],
            "deposit_percent": data["deposit_percent"],
            "min_per_buyer": data["min_per_buyer"],
            "max_per_buyer": data["max_per_buyer"],
        },
    )
    return window


def _image(photo: bytes, *, home: HomePage):
    Image = get_image_model()
    title = demo_data.LYCHEE_CAMPAIGN["caption"]
    existing = Image.objects.filter(title=title).first()
    if existing:
        return existing
    collection = EditorGroup.objects.get(home=home).collection
    image = Image(title=title, file=ImageFile(io.BytesIO(photo), name="mua-vai-2027.jpg"))
    if collection is not None:
        image.collection = collection
    image.save()
    return image


def _campaign(home: HomePage, *, window: SaleWindow, image) -> CampaignPage:
    data = demo_data.LYCHEE_CAMPAIGN
    existing = CampaignPage.objects.child_of(home).filter(slug=data["slug"]).first()
    if existing:
        return existing
    body = [
        ("text", RichText(data["text"])),
        ("countdown", {"harvest_on": window.harvest_from, "text": data["countdown_text"]}),
        ("windows", {"heading": "", "products": []}),
        ("voucher", {"code": data["voucher_code"], "text": data["voucher_text"]}),
    ]
    if image is not None:
        body.append(("image", {"image": image, "caption": data["caption"]}))
    body += [
        ("products", {"heading": "", "products": [window.product]}),
        ("stall_map", {"heading": ""}),
    ]
    page = CampaignPage(
        title=data["title"],
        slug=data["slug"],
        starts_on=_day(data["starts_on"]),
        ends_on=_day(data["ends_on"]),
        intro=data["intro"],
        hero_image=image,
        body=body,
    )
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


def _guide(home: HomePage) -> GuidePage:
    data = demo_data.SIGNUP_GUIDE
    existing = GuidePage.objects.child_of(home).filter(slug=data["slug"]).first()
    if existing:
        return existing
    page = GuidePage(
        title=data["title"],
        slug=data["slug"],
        intro=data["intro"],
        body=[
            ("step", {"title": title, "text": RichText(how), "image": None}) for title, how in data["steps"]
        ],
    )
    home.add_child(instance=page)
    page.save_revision().publish()
    return page
