"""The digital helpers' guide: numbered steps, and a version to print on A4 without the site's menus."""

import pytest
from wagtail.rich_text import RichText

from marketplace.campaigns.models import GuidePage

pytestmark = pytest.mark.django_db


@pytest.fixture
def guide(lucngan):
    page = GuidePage(
        title="Cách mở gian hàng trên điện thoại",
        slug="mo-gian-hang",
        intro="<p>Năm bước, mười phút.</p>",
        body=[
            (
                "step",
                {"title": "Nhập số điện thoại", "text": RichText("<p>Số di động của hộ.</p>"), "image": None},
            ),
            ("text", RichText("<p>Không có điện thoại? Nhờ Tổ công nghệ số.</p>")),
            ("step", {"title": "Nhập mã 6 số", "text": RichText(""), "image": None}),
        ],
    )
    lucngan["home"].add_child(instance=page)
    page.save_revision().publish()
    return page


def test_the_guide_numbers_its_steps_and_links_to_print(client, guide):
    html = client.get(guide.url).content.decode()

    assert '<span class="step-number">1</span> Nhập số điện thoại' in html
    assert '<span class="step-number">2</span> Nhập mã 6 số' in html  # the text between is no step
    assert "Nhờ Tổ công nghệ số" in html
    assert f'href="{guide.url}in/"' in html and "In hướng dẫn" in html
    assert 'class="site-header"' in html


def test_the_print_view_has_no_menus(client, guide):
    response = client.get(f"{guide.url}in/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="guide-print"' in html and "Cách mở gian hàng trên điện thoại" in html
    assert '<span class="step-number">2</span> Nhập mã 6 số' in html
    assert 'class="site-header"' not in html and "site-menu" not in html and "<script" not in html
