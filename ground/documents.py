"""Scanned documents that households upload (certificates): a real PDF, or a photo.

A PDF is parsed with pypdf and refused when it is not one, has no page, or carries JavaScript,
actions that run on opening, or embedded files; what is stored is a copy rewritten from its pages,
so nothing the checks missed at the document level survives. A photo goes through ground/images.py.
"""

import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError

from ground.images import clean_photo

MAX_SCAN_BYTES = 10 * 1024 * 1024
MAX_PAGES = 50
# Names that make a PDF do something when it is opened, or carry other files.
_ACTIVE = {"/JavaScript", "/JS", "/OpenAction", "/AA", "/Launch", "/EmbeddedFiles", "/EmbeddedFile", "/XFA"}

NOT_A_DOCUMENT = _("This file is not a PDF or a photo. Send the certificate as a PDF or a photo.")
ACTIVE_CONTENT = _("This PDF contains scripts or attached files. Scan or photograph the paper instead.")


def is_pdf(upload) -> bool:
    head = upload.read(5)
    upload.seek(0)
    return head == b"%PDF-"


def clean_scan(upload) -> ContentFile:
    """The stored form of a certificate scan: a checked, rewritten PDF, or a re-encoded JPEG."""
    if upload.size > MAX_SCAN_BYTES:
        raise ValidationError(_("The scan is too large. Send one under 10 MB."), code="too_large")
    if not is_pdf(upload):
        return clean_photo(upload)  # not a PDF: it must be a photo, checked and cleaned like any
    return clean_pdf(upload)


def clean_pdf(upload) -> ContentFile:
    try:
        reader = PdfReader(upload)
        pages = list(reader.pages)
        active = _has_active_content(reader.trailer["/Root"], seen=set())
    except (PdfReadError, KeyError, ValueError, TypeError, RecursionError) as error:
        raise ValidationError(NOT_A_DOCUMENT, code="not_pdf") from error
    if not pages:
        raise ValidationError(NOT_A_DOCUMENT, code="no_page")
    if len(pages) > MAX_PAGES:
        raise ValidationError(_("A certificate has at most 50 pages."), code="too_many_pages")
    if active:
        raise ValidationError(ACTIVE_CONTENT, code="active_content")
    writer = PdfWriter()
    for page in pages:
        writer.add_page(page)
    output = io.BytesIO()
    writer.write(output)
    return ContentFile(output.getvalue(), name="scan.pdf")


def _has_active_content(node, *, seen: set) -> bool:
    """Walk the document's objects from its catalogue (each once) looking for active names."""
    node = node.get_object() if hasattr(node, "get_object") else node
    if id(node) in seen:
        return False
    seen.add(id(node))
    if isinstance(node, dict):
        if _ACTIVE & set(node.keys()) or node.get("/S") in ("/JavaScript", "/Launch"):
            return True
        children = [value for key, value in node.items() if key != "/Parent"]
    elif isinstance(node, list):
        children = node
    else:
        return False
    return any(_has_active_content(child, seen=seen) for child in children)
