"""The restock pages: ``urlpatterns`` are the public ones (namespace "restock"),
``seller_urlpatterns`` are mounted in the seller area's namespace ("sellers") by marketplace/urls.py."""

from django.urls import path

from marketplace.restock import views

app_name = "restock"

urlpatterns = [
    path("<int:product_pk>/", views.subscribe, name="subscribe"),
]
seller_urlpatterns = []
