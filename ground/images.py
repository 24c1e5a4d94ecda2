"""Photos that sellers upload: checked, cleaned and resized before they are stored.

A phone photo is often 4-12 MB with GPS coordinates in its EXIF and a rotation flag. We accept
JPEG, PNG, WebP and HEIC up to ``MAX_UPLOAD_BYTES`` and ``MAX_PIXELS``, turn it upright, drop
every metadata field (location included) by re-encoding, cap its long side, and store a JPEG.
"""

import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError
from sorl.thumbnail import get_thumbnail

MAX_UPLOAD_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 2000
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "HEIF", "MPO"}
RENDITIONS = ("320x240", "640x480", "960x720")

try:  # HEIC photos from iPhones
    from pillow_heif import register_heif_opener

    register_heif_opener()
except ImportError:  # pragma: no cover - pillow-heif comes with Wagtail
    pass


def clean_photo(upload) -> ContentFile:
    """A safe JPEG made from the upload, or a ValidationError a seller can act on."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("This photo is too large (%(size)d MB). Send one under 15 MB."),
            code="too_large",
            params={"size": upload.size // (1024 * 1024)},
        )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            image_format = probe.format
            width, height = probe.size
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise ValidationError(
            _("This file is not a photo. Choose a JPEG or PNG picture."), code="not_image"
        ) from error
    if image_format not in ACCEPTED_FORMATS:
        raise ValidationError(_("This file is not a photo. Choose a JPEG or PNG picture."), code="not_image")
    if width * height > MAX_PIXELS:
        raise ValidationError(
            _("This photo has too many pixels. Send a smaller one."), code="too_many_pixels"
        )
    upload.seek(0)
    with Image.open(upload) as original:
        upright = ImageOps.exif_transpose(original)
        upright = upright.convert("RGB")
        upright.thumbnail((MAX_SIDE, MAX_SIDE))
        buffer = io.BytesIO()
        upright.save(
            buffer, "JPEG", quality=85, optimize=True, progressive=True
        )  # no exif= : metadata dropped
    name = (getattr(upload, "name", "") or "photo").rsplit("/", 1)[-1].rsplit(".", 1)[0][:60] or "photo"
    return ContentFile(buffer.getvalue(), name=f"{name}.jpg")


def make_renditions(image_file) -> list[str]:
    """Create the phone-sized thumbnails now (not on a buyer's first visit); return their URLs."""
    return [get_thumbnail(image_file, size, crop="center").url for size in RENDITIONS]
