"""The stall's sale windows, in the seller area (the site puts them under /ban-hang/, namespace "sellers")."""

from django.urls import path

from marketplace.harvest import views

PREFIX = "gian-hang/<int:stall_pk>/mua-vu/"

urlpatterns = [
    path(PREFIX, views.window_list, name="windows"),
    path(f"{PREFIX}moi/", views.window_create, name="window-create"),
    path(f"{PREFIX}<int:window_pk>/", views.window_detail, name="window"),
    path(f"{PREFIX}<int:window_pk>/dong/", views.window_close, name="window-close"),
    path(f"{PREFIX}<int:window_pk>/soan-hang/", views.window_picking, name="window-picking"),
    path(f"{PREFIX}<int:window_pk>/huy/", views.window_cancel, name="window-cancel"),
    path(f"{PREFIX}<int:window_pk>/danh-sach-soan-hang/", views.window_picklist, name="window-picklist"),
    path(f"{PREFIX}<int:window_pk>/hoan-tien/<int:refund_pk>/", views.window_refund, name="window-refund"),
    path(f"{PREFIX}<int:window_pk>/hoan-tien-the/", views.window_card_retry, name="window-card-retry"),
]
