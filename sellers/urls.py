from django.urls import path

from sellers.views import accounts, assist, commune, products, second_factor, stall

app_name = "sellers"  # the site adds the order pages and the traceability desk to this namespace

urlpatterns = [
    path("", stall.dashboard, name="dashboard"),
    path("dang-ky/", accounts.signup, name="signup"),
    path("dang-ky/ma/", accounts.signup_code, name="signup-code"),
    path("dang-nhap/", accounts.login_phone, name="login"),
    path("dang-nhap/ma/", accounts.login_code, name="login-code"),
    path("xac-minh/", second_factor.verify, name="second-factor"),
    path("bao-mat/", second_factor.settings_page, name="second-factor-settings"),
    path("gian-hang/moi/", stall.stall_create, name="stall-create"),
    path("gian-hang/<int:stall_pk>/", stall.stall_home, name="stall"),
    path("gian-hang/<int:stall_pk>/sua/", stall.stall_edit, name="stall-edit"),
    path("gian-hang/<int:stall_pk>/gui-duyet/", stall.stall_submit, name="stall-submit"),
    path("gian-hang/<int:stall_pk>/nhat-ky/", stall.stall_log, name="stall-log"),
    path("gian-hang/<int:stall_pk>/tai-khoan/xac-nhan/", stall.payout_confirm, name="payout-confirm"),
    path("gian-hang/<int:stall_pk>/nguoi-ho-tro/thu-hoi/", stall.consent_revoke, name="consent-revoke"),
    path("gian-hang/<int:stall_pk>/san-pham/", products.product_list, name="products"),
    path("gian-hang/<int:stall_pk>/san-pham/moi/", products.product_edit, name="product-create"),
    path("gian-hang/<int:stall_pk>/san-pham/<int:product_pk>/", products.product_edit, name="product-edit"),
    path("anh-da-chon/<slug:key>/", stall.pending_photo, name="pending-photo"),
    path("ho-tro/", assist.assist_start, name="assist"),
    path("ho-tro/xac-nhan/", assist.assist_confirm, name="assist-confirm"),
    path("xa/", commune.review_list, name="review"),
    path("xa/<int:stall_pk>/<slug:decision>/", commune.review_decide, name="review-decide"),
]
