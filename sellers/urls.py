from django.urls import path

from sellers.views import accounts, commune, helpers, orders, products, stall
from traceability import dashboard as trace

app_name = "sellers"

urlpatterns = [
    path("", stall.dashboard, name="dashboard"),
    path("dang-ky/", accounts.signup, name="signup"),
    path("dang-ky/ma/", accounts.signup_code, name="signup-code"),
    path("dang-nhap/", accounts.login_phone, name="login"),
    path("dang-nhap/ma/", accounts.login_code, name="login-code"),
    path("gian-hang/moi/", stall.stall_create, name="stall-create"),
    path("gian-hang/<int:stall_pk>/", stall.stall_home, name="stall"),
    path("gian-hang/<int:stall_pk>/sua/", stall.stall_edit, name="stall-edit"),
    path("gian-hang/<int:stall_pk>/gui-duyet/", stall.stall_submit, name="stall-submit"),
    path("gian-hang/<int:stall_pk>/nhat-ky/", stall.stall_log, name="stall-log"),
    path("gian-hang/<int:stall_pk>/nguoi-ho-tro/thu-hoi/", stall.consent_revoke, name="consent-revoke"),
    path("gian-hang/<int:stall_pk>/san-pham/", products.product_list, name="products"),
    path("gian-hang/<int:stall_pk>/san-pham/moi/", products.product_edit, name="product-create"),
    path("gian-hang/<int:stall_pk>/san-pham/<int:product_pk>/", products.product_edit, name="product-edit"),
    path("gian-hang/<int:stall_pk>/don-hang/", orders.order_list, name="orders"),
    path("gian-hang/<int:stall_pk>/don-hang/thong-bao/", orders.order_announcements, name="announcements"),
    path(
        "gian-hang/<int:stall_pk>/don-hang/<int:order_pk>/<slug:action>/",
        orders.order_action,
        name="order-action",
    ),
    path("gian-hang/<int:stall_pk>/truy-xuat/", trace.desk, name="trace-desk"),
    path("gian-hang/<int:stall_pk>/truy-xuat/lo/<int:lot_pk>/", trace.lot_detail, name="trace-lot"),
    path(
        "gian-hang/<int:stall_pk>/truy-xuat/lo/<int:lot_pk>/thu-hoi/", trace.lot_recall, name="trace-recall"
    ),
    path(
        "gian-hang/<int:stall_pk>/truy-xuat/tem/<int:run_pk>/<slug:action>/",
        trace.run_action,
        name="trace-run",
    ),
    path(
        "gian-hang/<int:stall_pk>/truy-xuat/tem/<int:run_pk>/tai/<slug:kind>/",
        trace.run_download,
        name="trace-download",
    ),
    path("ho-tro/", helpers.assist_start, name="assist"),
    path("ho-tro/xac-nhan/", helpers.assist_confirm, name="assist-confirm"),
    path("xa/", commune.review_list, name="review"),
    path("xa/<int:stall_pk>/<slug:decision>/", commune.review_decide, name="review-decide"),
]
