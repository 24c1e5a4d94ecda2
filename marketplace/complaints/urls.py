"""The complaints pages: ``urlpatterns`` are the public ones (namespace "complaints"),
``seller_urlpatterns`` are mounted in the seller area's namespace ("sellers") by marketplace/urls.py."""

from django.urls import path

from marketplace.complaints import views

app_name = "complaints"

urlpatterns = [
    path("don/<str:number>/", views.order_complaints, name="order"),
    path("<int:pk>/nho-xa/", views.escalate, name="escalate"),
    path("hoan-tien/<int:refund_pk>/da-nhan/", views.confirm_refund, name="confirm-refund"),
    path("hoan-tien/<int:refund_pk>/anh/", views.proof, name="proof"),
    path("anh/<int:pk>/", views.photo, name="photo"),
]
seller_urlpatterns = [
    path("gian-hang/<int:stall_pk>/khieu-nai/", views.stall_list, name="complaints"),
    path("gian-hang/<int:stall_pk>/khieu-nai/<int:pk>/", views.stall_complaint, name="complaint"),
    path("xa/khieu-nai/", views.staff_list, name="commune-complaints"),
    path("xa/khieu-nai/<int:pk>/", views.staff_complaint, name="commune-complaint"),
]
