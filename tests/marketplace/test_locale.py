from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

pytestmark = pytest.mark.django_db

LOCALE = Path(settings.BASE_DIR) / "marketplace" / "locale"


def test_every_string_we_write_has_a_vietnamese_translation():
    with open(LOCALE / "vi" / "LC_MESSAGES" / "django.po", "rb") as handle:
        catalog = read_po(handle, locale="vi")
    untranslated = [message.id for message in catalog if message.id and not _translated(message)]
    assert untranslated == []
    assert len(catalog) > 50


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return not message.fuzzy and all(strings)


def test_english_catalogue_exists():
    assert (LOCALE / "en" / "LC_MESSAGES" / "django.po").exists()


def test_vietnamese_is_the_default_even_for_an_english_browser(client, make_storefront):
    make_storefront()

    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()

    assert '<html lang="vi">' in html
    assert "Tra cứu đơn" in html
    assert "Giỏ hàng" in html


def test_english_after_choosing_it_with_the_language_button(client, make_storefront):
    make_storefront()

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)

    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Track an order" in html
    assert "Tra cứu đơn" not in html
    assert "Tiếng Việt" in html  # the button back
