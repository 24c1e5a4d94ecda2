from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from marketplace.views import media

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("django-admin/", admin.site.urls),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("shop/", include(apps.get_app_config("oscar").urls[0])),
    path("search/", apps.get_app_config("search").urls),
    path("ban-hang/", include("sellers.urls")),
]

if settings.DEBUG or settings.SERVE_MEDIA_FILES:
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", media)]

# Wagtail's catch-all must stay last: it swallows every path after it.
urlpatterns += [path("", include(wagtail_urls))]
