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
from marketplace.buyers import urls as buyer_urls
from marketplace.checkout import views as checkout_views
from marketplace.complaints import urls as complaint_urls
from marketplace.feedback import urls as feedback_urls
from marketplace.harvest import urls as harvest_urls
from marketplace.health import healthz, readyz
from marketplace.orders import urls as order_urls
from marketplace.promotions import urls as promotion_urls
from marketplace.reports import urls as report_urls
from marketplace.restock import urls as restock_urls
from marketplace.views import media, security_txt
from sellers import urls as seller_urls
from traceability import epcis_views as epcis_api
from traceability import resolver
from traceability import urls as desk_urls
from traceability import views as trace_views

# The seller area: the stall's own pages, its orders (commerce) and the cooperative's traceability
# desk, under one namespace. Each app lists its own URLs; only here are they put together.
seller_area = (
    seller_urls.urlpatterns
    + order_urls.urlpatterns
    + desk_urls.urlpatterns
    + feedback_urls.seller_urlpatterns
    + complaint_urls.seller_urlpatterns
    + harvest_urls.urlpatterns
    + promotion_urls.seller_urlpatterns,
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
    path("dat-truoc/<int:window_pk>/", checkout_views.preorder_add, name="preorder-add"),
    # Reviews come from buyers after delivery (marketplace.feedback): Oscar's own review pages say so.
    *feedback_urls.oscar_review_urlpatterns,
    path("shop/", include(apps.get_app_config("oscar").urls[0])),
    path("search/", apps.get_app_config("search").urls),
    path("ban-hang/", include(seller_area)),
    # After the sale: the buyer's orders by phone, reviews, complaints, "tell me when it is back".
    path("khach/", include(buyer_urls)),
    path("danh-gia/", include(feedback_urls)),
    path("khieu-nai/", include(complaint_urls)),
    path("bao-khi-co-hang/", include(restock_urls)),
    # The figures commune and province staff report to their People's Committee.
    path("bao-cao/", include(report_urls)),
    path("ma-giam-gia/", include(promotion_urls)),
    # The GS1 resolver: stamp QR codes lead here. Every path under /01/ is its (a malformed one is a 400,
    # never Django's slash redirect); products without a GTIN have /t/{serial}.
    re_path(r"^01/(?P<rest>(?s:.*))\Z", resolver.digital_link, name="trace"),
    re_path(r"^[tT]/(?P<serial>[^/]+)/?$", resolver.short_link, name="trace-short"),
    # The lot's part takes the rest of the path: a %2F in it (decoded to '/') is the view's 400, never a
    # slash redirect to a Wagtail page.
    re_path(r"^epcis/lots/(?P<gtin>[^/]+)/(?P<lot>(?s:.+))\Z", epcis_api.lot_document, name="epcis-lot"),
    path("epcis/events", epcis_api.events, name="epcis-events"),
    re_path(r"^epcis/events/(?P<name>[^/]{1,40}/?)\Z", epcis_api.event, name="epcis-event"),
    path(".well-known/gs1resolver", resolver.description, name="gs1-resolver-description"),
    path("truy-xuat/tem/<str:serial>/", trace_views.stamp_page, name="trace-stamp"),
    path("truy-xuat/lo/<str:gtin>/<str:code>/", trace_views.lot_page, name="trace-lot"),
    path("truy-xuat/sp/<str:gtin>/", trace_views.product_page, name="trace-product"),
]

if settings.DEBUG or settings.SERVE_MEDIA_FILES:
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", media)]

# Wagtail's catch-all must stay last: it swallows every path after it. Before it, each site's storefront
# home ("/"), cached whole for visitors without cookies before Wagtail even looks the site up.
urlpatterns += [
    path("", cached_page(params=None)(wagtail_views.serve), {"path": ""}, name="storefront-home"),
    path("", include(wagtail_urls)),
]
