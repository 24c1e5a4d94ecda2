"""Stock Oscar's URLs, as its "Building your own shop" guide mounts them: the whole shop at /."""

from django.apps import apps
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include(apps.get_app_config("oscar").urls[0])),
]
