"""The blocks a commune's editor puts on a campaign or guide page. What a block shows is read by its
page in one query per kind of block (``CampaignPage.sections``), never in the block's template."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

from marketplace.campaigns.choosers import ProductChooserBlock, StallChooserBlock

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link"]


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Photo"))
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=200)

    class Meta:
        icon = "image"
        label = _("Photo")


class ProductsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    products = blocks.ListBlock(ProductChooserBlock(label=_("Product")), label=_("Products"), min_num=1)

    class Meta:
        icon = "tag"
        label = _("Products")


class StallsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    stalls = blocks.ListBlock(StallChooserBlock(label=_("Stall")), label=_("Stalls"), min_num=1)

    class Meta:
        icon = "group"
        label = _("Stalls")


class WindowsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    products = blocks.ListBlock(
        ProductChooserBlock(label=_("Product")),
        label=_("Only these products"),
        help_text=_("Leave empty to show every open pre-order of this site's communes."),
        min_num=0,
        default=[],
    )

    class Meta:
        icon = "date"
        label = _("Open pre-orders")


class CountdownBlock(blocks.StructBlock):
    harvest_on = blocks.DateBlock(label=_("Harvest starts on"))
    text = blocks.CharBlock(label=_("A line under it"), required=False, max_length=200)

    class Meta:
        icon = "time"
        label = _("Countdown to the harvest")


class StallMapBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)

    class Meta:
        icon = "site"
        label = _("Map of the stalls taking part")
        help_text = _(
            "The stalls of this site's communes with a pre-order open or coming, or named on this page."
        )


class VoucherBlock(blocks.StructBlock):
    code = blocks.CharBlock(label=_("Voucher code"), max_length=128)
    text = blocks.CharBlock(
        label=_("What it gives"),
        max_length=200,
        help_text=_("For example: lychee 10 percent cheaper, until 30 June."),
    )

    class Meta:
        icon = "tag"
        label = _("Voucher")


class CampaignBody(blocks.StreamBlock):
    text = blocks.RichTextBlock(label=_("Text"), features=RICH_TEXT_FEATURES)
    image = ImageBlock()
    products = ProductsBlock()
    stalls = StallsBlock()
    windows = WindowsBlock()
    countdown = CountdownBlock()
    stall_map = StallMapBlock()
    voucher = VoucherBlock()


class StepBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("What to do"), max_length=160)
    text = blocks.RichTextBlock(label=_("How"), features=["bold", "italic", "ul", "link"], required=False)
    image = ImageChooserBlock(label=_("Photo"), required=False)

    class Meta:
        icon = "list-ol"
        label = _("Step")


class GuideBody(blocks.StreamBlock):
    step = StepBlock()
    text = blocks.RichTextBlock(label=_("Text"), features=RICH_TEXT_FEATURES)
