import pytest

from tests.factories import make_product

pytestmark = pytest.mark.django_db


def test_basket_accepts_a_product_without_javascript(client, make_storefront):
    # given a product on the storefront
    product = make_product(title="Vải thiều Lục Ngạn", price=65000)
    make_storefront()

    # when the buyer posts the product page's form with quantity 3
    response = client.post(
        f"/shop/basket/add/{product.pk}/", {"product_id": product.pk, "quantity": 3}, follow=True
    )

    # then the basket shows the line, its price and the total in đồng
    assert response.status_code == 200
    basket = client.get("/shop/basket/").content.decode()
    assert "Vải thiều Lục Ngạn" in basket
    assert "65.000 ₫" in basket
    assert "195.000 ₫" in basket
    assert 'class="basket-count"' in basket and ">3</span>" in basket


def test_basket_refuses_more_than_the_stock(client, make_storefront):
    product = make_product(title="Bưởi da xanh", stock=2)
    make_storefront()

    client.post(f"/shop/basket/add/{product.pk}/", {"product_id": product.pk, "quantity": 5}, follow=True)

    basket = client.get("/shop/basket/").content.decode()
    assert "Giỏ hàng đang trống." in basket


def test_empty_basket_says_so(client, make_storefront):
    make_storefront()

    html = client.get("/shop/basket/").content.decode()

    assert "Giỏ hàng đang trống." in html
