"""Funded vouchers: the stall's own (in the seller area) and the province's (staff); the buyer's code."""

from django.urls import path

from marketplace.promotions import views

app_name = "promotions"

# Put in the seller area (/ban-hang/, namespace "sellers") by marketplace/urls.py.
seller_urlpatterns = [
    path("gian-hang/<int:stall_pk>/ma-giam-gia/", views.stall_vouchers, name="vouchers"),
]
urlpatterns = [
    path("", views.province_vouchers, name="province"),
    path("them/", views.voucher_add, name="add"),
    path("bo/<int:voucher_pk>/", views.voucher_remove, name="remove"),
]
