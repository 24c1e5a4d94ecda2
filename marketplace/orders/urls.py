"""The stall's order pages, mounted in the seller area's namespace ("sellers") by marketplace/urls.py."""

from django.urls import path

from marketplace.orders import views

urlpatterns = [
    path("gian-hang/<int:stall_pk>/don-hang/", views.order_list, name="orders"),
    path("gian-hang/<int:stall_pk>/don-hang/thong-bao/", views.order_announcements, name="announcements"),
    path(
        "gian-hang/<int:stall_pk>/don-hang/<int:order_pk>/<slug:action>/",
        views.order_action,
        name="order-action",
    ),
]
