"""The buyers pages: ``urlpatterns`` are the public ones (namespace "buyers"), mounted at /khach/."""

from django.urls import path

from marketplace.buyers import views

app_name = "buyers"

urlpatterns = [
    path("mo/<str:token>/", views.open_link, name="open"),
]
