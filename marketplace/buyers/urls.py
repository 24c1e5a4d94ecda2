"""The buyers pages: ``urlpatterns`` are the public ones (namespace "buyers"), mounted at /khach/."""

from django.urls import path

from marketplace.buyers import views

app_name = "buyers"

urlpatterns = [
    path("dang-nhap/", views.login_phone, name="login"),
    path("dang-nhap/ma/", views.login_code, name="login-code"),
    path("don-hang/", views.orders, name="orders"),
    path("don-hang/<str:reference>/", views.checkout_orders, name="checkout"),
    path("mua-lai/<str:number>/", views.order_again, name="order-again"),
    path("mo/<str:token>/", views.open_link, name="open"),
]
