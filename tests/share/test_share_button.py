"""The share button without JavaScript: the Zalo link and the link to copy are there to tap; the
phone's share sheet and the copy button wait for the script (a file of our own, under the CSP)."""

import re
from urllib.parse import quote

import pytest

from tests.factories import make_product

pytestmark = pytest.mark.django_db


def test_the_fallbacks_show_without_javascript(client, make_storefront):
    make_storefront()
    product = make_product(title="Vải thiều Lục Ngạn")
    url = "http://testserver" + product.get_absolute_url()

    response = client.get(product.get_absolute_url())
    html = response.content.decode()
    share = html[
        html.index('<section class="share"') : html.index("</section>", html.index('<section class="share"'))
    ]

    assert f'href="https://sp.zalo.me/share_inline?url={quote(url, safe="")}"' in share
    assert "Chia sẻ qua Zalo" in share
    assert '<label for="share-link">Sao chép liên kết</label>' in share
    assert f'<input id="share-link" class="share-link" type="url" value="{url}" readonly>' in share
    assert re.search(r'<button type="button" class="share-native btn-block" hidden>Chia sẻ</button>', share)
    assert re.search(r'<button type="button" class="share-copy btn-secondary" hidden>', share)
    assert 'class="share-fallback"' in share and 'class="share-fallback" hidden' not in share
    script = re.search(r'<script src="(/static/frontend/share[^"]*\.js)" nonce="([^"]+)" defer>', html)
    assert script and script.group(2) in response["Content-Security-Policy"]
