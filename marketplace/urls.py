from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog
from wagtail import urls as wagtail_urls
from wagtail import views as wagtail_views
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from ground.page_cache import cached_page
from marketplace.checkout import views as checkout_views
from marketplace.health import healthz, readyz
from marketplace.orders import urls as order_urls
from marketplace.views import media, security_txt
from sellers import urls as seller_urls
from traceability import urls as desk_urls
from traceability import views as trace_views

# The seller area: the stall's own pages, its orders (commerce) and the cooperative's traceability
# desk, under one namespace. Each app lists its own URLs; only here are they put together.
seller_area = (
    seller_urls.urlpatterns + order_urls.urlpatterns + desk_urls.urlpatterns,
    seller_urls.app_name,
)

# The database being away is a 503 "try again" page; any other error the ordinary 500 page.
handler500 = "marketplace.views.server_error"

urlpatterns = [
    # Probes: exact paths without a slash (CommonMiddleware's APPEND_SLASH leaves a matched path alone).
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path(".well-known/security.txt", security_txt, name="security-txt"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("django-admin/", admin.site.urls),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("shop/track/", checkout_views.track, name="track"),
    path("shop/", include(apps.get_app_config("oscar").urls[0])),
    path("search/", apps.get_app_config("search").urls),
    path("ban-hang/", include(seller_area)),
    # GS1 Digital Link resolver: stamp QR codes lead here.
    re_path(
        r"^01/(?P<gtin>[^/]+)/10/(?P<lot>[^/]+)/21/(?P<serial>[^/]+)/?$",
        trace_views.digital_link,
        name="trace",
    ),
    re_path(r"^[tT]/(?P<serial>[^/]+)/?$", trace_views.short_link, name="trace-short"),
]

if settings.DEBUG or settings.SERVE_MEDIA_FILES:
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", media)]

# Wagtail's catch-all must stay last: it swallows every path after it. Before it, each site's storefront
# home ("/"), cached whole for visitors without cookies before Wagtail even looks the site up.
urlpatterns += [
    path("", cached_page(params=None)(wagtail_views.serve), {"path": ""}, name="storefront-home"),
    path("", include(wagtail_urls)),
]
