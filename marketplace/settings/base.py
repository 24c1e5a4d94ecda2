"""Settings shared by every environment. What differs per deployment comes from the environment."""

import os
from datetime import timedelta
from pathlib import Path

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from oscar.defaults import *  # noqa: F403  (Oscar's defaults, overridden below)

from ground import order_status
from marketplace.database import database_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h]

INSTALLED_APPS = [
    "ground.apps.GroundConfig",
    "marketplace.apps.MarketplaceConfig",
    "sellers.apps.SellersConfig",
    "traceability.apps.TraceabilityConfig",
    "seasons.apps.SeasonsConfig",
    "frontend.apps.FrontendConfig",
    # Wagtail serves / and content pages.
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "django.contrib.postgres",
    "django.contrib.humanize",
    # Oscar serves /shop/. Forked apps keep Oscar's labels.
    "marketplace.shop.Shop",
    "oscar.apps.analytics.apps.AnalyticsConfig",
    "marketplace.checkout.apps.CheckoutConfig",
    "oscar.apps.address.apps.AddressConfig",
    "oscar.apps.shipping.apps.ShippingConfig",
    "catalogue.apps.CatalogueConfig",
    "oscar.apps.catalogue.reviews.apps.CatalogueReviewsConfig",
    "oscar.apps.communication.apps.CommunicationConfig",
    "marketplace.partner.apps.PartnerConfig",
    "marketplace.payments.apps.PaymentsConfig",
    "oscar.apps.basket.apps.BasketConfig",
    "oscar.apps.payment.apps.PaymentConfig",
    "oscar.apps.offer.apps.OfferConfig",
    "oscar.apps.order.apps.OrderConfig",
    "oscar.apps.customer.apps.CustomerConfig",
    "search.apps.SearchConfig",
    "marketplace.feedback.apps.FeedbackConfig",
    "marketplace.complaints.apps.ComplaintsConfig",
    "marketplace.restock.apps.RestockConfig",
    "marketplace.buyers.apps.BuyersConfig",
    "marketplace.reports.apps.ReportsConfig",
    "marketplace.harvest.apps.HarvestConfig",
    "marketplace.campaigns.apps.CampaignsConfig",
    "marketplace.promotions.apps.PromotionsConfig",
    "oscar.apps.voucher.apps.VoucherConfig",
    "oscar.apps.wishlists.apps.WishlistsConfig",
    "oscar.apps.dashboard.apps.DashboardConfig",
    "oscar.apps.dashboard.reports.apps.ReportsDashboardConfig",
    "oscar.apps.dashboard.users.apps.UsersDashboardConfig",
    "oscar.apps.dashboard.orders.apps.OrdersDashboardConfig",
    "oscar.apps.dashboard.catalogue.apps.CatalogueDashboardConfig",
    "oscar.apps.dashboard.offers.apps.OffersDashboardConfig",
    "oscar.apps.dashboard.partners.apps.PartnersDashboardConfig",
    "oscar.apps.dashboard.pages.apps.PagesDashboardConfig",
    "oscar.apps.dashboard.ranges.apps.RangesDashboardConfig",
    "oscar.apps.dashboard.reviews.apps.ReviewsDashboardConfig",
    "oscar.apps.dashboard.vouchers.apps.VouchersDashboardConfig",
    "oscar.apps.dashboard.communications.apps.CommunicationsDashboardConfig",
    "oscar.apps.dashboard.shipping.apps.ShippingDashboardConfig",
    "widget_tweaks",
    # Oscar 4.2 still imports haystack; our search app replaces its use.
    "haystack",
    "treebeard",
    "django_tables2",
    "sorl.thumbnail",
    "django_tasks",
    "django_tasks_db",
    "axes",  # login throttling: see "Login throttling and second factor" below
    "csp",  # Content-Security-Policy (see "Security headers" below)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "marketplace.middleware.ContentSecurityPolicyMiddleware",  # django-csp's, see "Security headers"
    "marketplace.middleware.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "marketplace.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "marketplace.middleware.BasketMiddleware",  # Oscar's, re-pricing the basket after login
    "django.contrib.flatpages.middleware.FlatpageFallbackMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "sellers.second_factor.SecondFactorMiddleware",  # staff areas wait for the code after a password
    "axes.middleware.AxesMiddleware",  # must stay last: turns a refused login into the lockout page
]

ROOT_URLCONF = "marketplace.urls"
WSGI_APPLICATION = "marketplace.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # frontend/templates comes first so one base.html serves the shop and the CMS pages.
        "DIRS": [BASE_DIR / "frontend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "oscar.apps.checkout.context_processors.checkout",
                "oscar.apps.communication.notifications.context_processors.notifications",
                "oscar.core.context_processors.metadata",
                "ground.context_processors.storefront",
                "ground.context_processors.language_next",
                "csp.context_processors.nonce",  # CSP_NONCE for the few inline <script> blocks
                "ground.page_cache.shell_context",  # last: a cached page's per-visitor parts are slots
            ],
        },
    },
]

DATABASES = {"default": database_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = (
    "sellers.login_throttle.LoginThrottleBackend",  # first: axes refuses a locked-out login
    "sellers.second_factor.PasswordLoginMarker",  # authenticates nobody; marks password logins
    "oscar.apps.customer.auth_backends.EmailBackend",
    "django.contrib.auth.backends.ModelBackend",
)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Locale: Vietnamese first, English second; whole đồng.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "marketplace" / "locale"]
# Dates as read in Vietnam in both languages: 29/11/2026 12:04 (English: "29 Nov 2026" in long form).
FORMAT_MODULE_PATH = ["marketplace.settings.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
WAGTAIL_CONTENT_LANGUAGES = [("vi", "Tiếng Việt")]

SITE_ID = 1

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
# Django serves uploads only in development and browser tests; production serves them from S3.
SERVE_MEDIA_FILES = False
# Private files (stamp sheets) live apart from public media: outside MEDIA_ROOT, never served by URL.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "var" / "private-media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": "/no-public-url/"},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}
# Our search app indexes on its own; haystack must not listen to saves.
HAYSTACK_SIGNAL_PROCESSOR = "haystack.signals.BaseSignalProcessor"

# How many proxies (load balancer, CDN...) stand in front of the app and append to X-Forwarded-For.
# 0: the client is REMOTE_ADDR. Every per-address limit counts the address ground/client.py finds.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# Where to report a security problem (published at /.well-known/security.txt, RFC 9116).
SECURITY_CONTACT = os.environ.get("SECURITY_CONTACT", "mailto:bao-mat@chocop.vn")

# The public address of the site, in messages to buyers.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Payments: card payments through Stripe (STRIPE_API_BASE points the tests at stripe-mock); bank
# notifications (VietQR transfers) are signed with BANK_WEBHOOK_SECRET (HMAC-SHA256 of the body).
# A buyer may complain about a delivered order for this many days (issue #17).
COMPLAINT_WINDOW_DAYS = int(os.environ.get("COMPLAINT_WINDOW_DAYS", "7"))
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "https://api.stripe.com")
BANK_WEBHOOK_SECRET = os.environ.get("BANK_WEBHOOK_SECRET", "")

# Cache: with CACHE_URL (redis://host:port/db) one Redis that every process shares (the trace page's
# shells, "the search engine is down"); Redis not answering is a miss, never an error (ground/cache.py).
# Without it each process keeps its own cache in memory.
from ground.cache import cache_config  # noqa: E402

CACHES = {
    "default": cache_config(os.environ.get("CACHE_URL", "")),
    # Whole pages for visitors without cookies (ground/page_cache.py). PAGE_CACHE_URL gives them a Redis
    # of their own (its memory full of pages then evicts pages only, never the default cache's rate
    # limits and flags); else they share CACHE_URL's, under their own key prefix.
    "pages": cache_config(
        os.environ.get("PAGE_CACHE_URL") or os.environ.get("CACHE_URL", ""), key_prefix="pages"
    ),
}
# Whole pages are cached only in a cache every process shares: in each process's own memory, a change
# saved by another process (the search worker's reindex, another gunicorn worker) would not renew them.
PAGE_CACHE = bool(os.environ.get("PAGE_CACHE_URL") or os.environ.get("CACHE_URL"))

# Product search: an Elasticsearch 8/9 or OpenSearch 2/3 cluster (opensearch+http://..., elasticsearch+https://...,
# or a plain http(s) URL whose product is detected), else PostgreSQL. SEARCH_INDEX is the alias searched.
SEARCH_URL = os.environ.get("SEARCH_URL", "")
SEARCH_INDEX = os.environ.get("SEARCH_INDEX", "chocop-products")
# Seconds a buyer's search or suggestion waits for the engine (to connect, then to answer) before
# PostgreSQL answers instead; indexing and index management wait SEARCH_INDEX_TIMEOUT.
SEARCH_TIMEOUT = float(os.environ.get("SEARCH_TIMEOUT", "1.0"))
SEARCH_INDEX_TIMEOUT = float(os.environ.get("SEARCH_INDEX_TIMEOUT", "30"))

# Background tasks are queued in PostgreSQL and run by `manage.py db_worker --queue-name <queue>`, one
# worker process per queue, so a 100,000-stamp sheet never holds up a search reindex or a text message.
# TASK_QUEUES: each queue's time limit in seconds (ground/worker.py stops and fails a task past it).
TASK_QUEUES = {"stamps": 1800, "search": 300, "messages": 60, "default": 300}
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": list(TASK_QUEUES)}}
# Workers beat this often; one silent for 4 beats is taken for dead and its task is queued again, at
# most TASK_MAX_ATTEMPTS runs in all. On SIGTERM a running task gets TASK_STOP_GRACE seconds to finish.
TASK_HEARTBEAT_SECONDS = float(os.environ.get("TASK_HEARTBEAT_SECONDS", "5"))
TASK_MAX_ATTEMPTS = 3
TASK_STOP_GRACE = float(os.environ.get("TASK_STOP_GRACE", "8"))

# Wagtail
WAGTAIL_SITE_NAME = "Chợ OCOP"
WAGTAIL_ENABLE_UPDATE_CHECK = False  # no call from an admin's browser to wagtail.org (and the CSP refuses it)
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_I18N_ENABLED = False

# Oscar
OSCAR_SHOP_NAME = "Chợ OCOP"
OSCAR_SHOP_TAGLINE = _("OCOP products straight from the commune")
OSCAR_DEFAULT_CURRENCY = "VND"
OSCAR_CURRENCY_FORMAT = {"VND": {"format": "#,##0 ¤", "locale": "vi", "currency_digits": False}}
OSCAR_HOMEPAGE = reverse_lazy("catalogue:index")
OSCAR_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "no-reply@chocop.vn")
OSCAR_ALLOW_ANON_CHECKOUT = True
OSCAR_REQUIRED_ADDRESS_FIELDS = ("first_name", "line1", "line4", "country")
OSCAR_PRODUCTS_PER_PAGE = 24
OSCAR_THUMBNAILER = "oscar.core.thumbnails.SorlThumbnail"
OSCAR_MISSING_IMAGE_URL = "image_not_found.jpg"
OSCAR_SLUG_ALLOW_UNICODE = False
# "đ" has no decomposed form, so ASCII slugs would drop it: "Đặc sản" -> "dac-san", not "ac-san".
OSCAR_SLUG_MAP = {"đ": "d", "Đ": "D"}
OSCAR_DASHBOARD_NAVIGATION = OSCAR_DASHBOARD_NAVIGATION  # noqa: F405

THUMBNAIL_PRESERVE_FORMAT = True
THUMBNAIL_QUALITY = 80

LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "/shop/accounts/login/"

SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Login throttling and second factor ---------------------------------------------------------------
# django-axes counts failed password logins on every login form (the shop's /shop/accounts/login/,
# Wagtail's /cms/login/, Django admin's /django-admin/login/: all call authenticate() with the
# request). Two separate lockouts, since neither alone is enough: per account (from any address),
# which stops a guess at one account spread over many addresses; and per address (at any account),
# which stops one address trying passwords on many accounts. The pair [["username", "ip_address"]]
# would stop neither. The address gets a larger limit because a commune office or a mobile carrier's
# NAT puts many people behind one address. The price: a stranger can lock an account for the
# cool-off (it still cannot guess); staff can unlock it at once.
# The counts are rows in PostgreSQL (database handler), so every gunicorn worker sees the same ones;
# sellers/login_throttle.py counts a try before its password is checked, under a lock per account
# and per address, so a parallel burst gets no more tries than the limit.
AXES_HANDLER = "sellers.login_throttle.LoginAttemptHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # two separate lockouts, not the pair
AXES_FAILURE_LIMIT = 5  # failed tries at one account within the cool-off
LOGIN_FAILURE_LIMIT_PER_ADDRESS = 20  # failed tries from one address, at any accounts
AXES_COOLOFF_TIME = timedelta(minutes=15)
# Refused tries do not push the end of the lockout further, so the page can say when it ends.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A right password does not wipe the failures: one's own account would reset an address's count.
AXES_RESET_ON_SUCCESS = False
AXES_CLIENT_IP_CALLABLE = "ground.client.client_address"  # honours TRUSTED_PROXY_COUNT
# A user name and an e-mail address of the same account count as one account.
AXES_USERNAME_CALLABLE = "sellers.login_throttle.account_key"
AXES_LOCKOUT_TEMPLATE = "accounts/login_locked.html"  # HTTP 429, in Vietnamese then English
AXES_LOCKOUT_CALLABLE = "sellers.login_throttle.lockout_response"  # that template, with when it ends
AXES_HTTP_RESPONSE_CODE = 429
# Never copied into the attempt's record of the form (Oscar's fields carry a "login-" prefix).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password", "login-username", "login-password"]
# No record of every successful login and its address kept forever; the failures are enough.
AXES_DISABLE_ACCESS_LOG = True
# Staff unlock at once: `manage.py axes_reset_username <user name>`, `manage.py axes_reset_ip
# <address>`, or delete the rows in Django admin, "Access attempts" (platform admins may).
#
# After the password, platform admins (and staff who asked for it) enter a code sent to their phone
# (sellers/second_factor.py). Until then the session is kept out of these paths:
SECOND_FACTOR_GUARDED_PATHS = ["/cms/", "/django-admin/", "/shop/dashboard/", "/ban-hang/", "/bao-cao/"]
# The second factor is required for platform admins: one with no phone on file is stopped at the code
# page until one is added (`manage.py staff_phone`). SECOND_FACTOR_PHONE_REQUIRED=0 lets such an
# admin in with a warning instead: only for the day a deployment first turns this on.
SECOND_FACTOR_PHONE_REQUIRED = os.environ.get("SECOND_FACTOR_PHONE_REQUIRED", "1") == "1"

# Orders: each stall moves its own lines along the pipeline of ground/order_status.py.
OSCAR_INITIAL_ORDER_STATUS = order_status.INITIAL
OSCAR_INITIAL_LINE_STATUS = order_status.INITIAL
OSCAR_ORDER_STATUS_PIPELINE = order_status.PIPELINE
OSCAR_LINE_STATUS_PIPELINE = order_status.PIPELINE

# Text messages (one-time codes, order news) go out through this backend (see ground/messaging.py).
SELLERS_MESSAGE_BACKEND = os.environ.get("SELLERS_MESSAGE_BACKEND", "ground.messaging.ConsoleMessageBackend")
SELLERS_MESSAGE_FILE = BASE_DIR / "var" / "messages.jsonl"

# Uploads: photos are checked in ground/images.py; this caps what Django reads into memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Object storage: with a bucket set, uploads go to S3 (django-storages over boto3).
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    from botocore.config import Config as BotoConfig

    STORAGES["default"] = {
        "BACKEND": "ground.storage.PublicS3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            "querystring_auth": False,
            "file_overwrite": False,
            "default_acl": None,
            # Bounded waits: an upload or a listing never holds a worker for boto's 60 s (x 5 tries).
            "client_config": BotoConfig(
                connect_timeout=2, read_timeout=10, retries={"total_max_attempts": 2, "mode": "standard"}
            ),
        },
    }
    # Private files in their own bucket (AWS_PRIVATE_BUCKET_NAME), or under "private/" in the public
    # one: then the bucket's public-read policy must not cover that prefix (see README, Security).
    # Objects are private; a view that checked access hands out a link valid for 5 minutes.
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **STORAGES["default"]["OPTIONS"],
            "bucket_name": os.environ.get("AWS_PRIVATE_BUCKET_NAME") or AWS_STORAGE_BUCKET_NAME,
            "location": "" if os.environ.get("AWS_PRIVATE_BUCKET_NAME") else "private",
            "custom_domain": None,
            "querystring_auth": True,
            "querystring_expire": 300,
            "default_acl": "private",
        },
    }

# Traceability: the address printed in every stamp's QR code (GS1 Digital Link), and when a
# stamp looks copied (seen from more networks, or more regions, than one package travels through).
STAMP_BASE_URL = os.environ.get("STAMP_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Who answers for the GS1 resolver (its description file, /.well-known/gs1resolver).
RESOLVER_CONTACT = os.environ.get("RESOLVER_CONTACT", "mailto:truy-xuat@chocop.vn")
STAMP_MAX_COUNT = 100_000
# The dashboards' figures (/bao-cao/) are added up once for everyone who asks within this many seconds.
REPORTS_CACHE_SECONDS = int(os.environ.get("REPORTS_CACHE_SECONDS", "300"))
STAMP_NETWORK_WARNING = int(os.environ.get("STAMP_NETWORK_WARNING", "5"))
STAMP_REGION_WARNING = int(os.environ.get("STAMP_REGION_WARNING", "2"))
STOREFRONT_HOME_SECTIONS = (
    "marketplace.storefront.home_sections"  # what a HomePage shows (a hook: ground imports nothing above it)
)

# Security headers ----------------------------------------------------------------------------------
# Content-Security-Policy (django-csp, through marketplace.middleware.ContentSecurityPolicyMiddleware),
# in every environment, so the tests and the browser journeys run under the policy production sends.
# Our pages run no inline code: scripts are static files or inline blocks carrying the response's
# nonce (<script nonce="{{ CSP_NONCE }}">), and no template has a style="" or on...="" attribute (two of
# Oscar's templates are overridden in frontend/ for their onclick="history.go(-1)"). A cached page (the
# trace page's shell) keeps the nonce of the response that filled the cache: its only script is a file
# that 'self' allows and that nonce is in no later header, so it grants nothing; never cache an inline
# script.
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE  # noqa: E402

# Where product and stall photos are served from: this site, or the S3 bucket / CDN when one is set.
CSP_MEDIA_SOURCES = []
if AWS_STORAGE_BUCKET_NAME:
    if os.environ.get("AWS_S3_CUSTOM_DOMAIN"):
        CSP_MEDIA_SOURCES = ["https://" + os.environ["AWS_S3_CUSTOM_DOMAIN"].strip("/")]
    elif os.environ.get("AWS_S3_ENDPOINT_URL"):
        _endpoint = os.environ["AWS_S3_ENDPOINT_URL"].split("/")
        CSP_MEDIA_SOURCES = ["/".join(_endpoint[:3])]  # scheme://host[:port] of the S3-compatible service
    else:
        CSP_MEDIA_SOURCES = ["https://*.amazonaws.com"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],  # site.css only
        "img-src": [SELF, *CSP_MEDIA_SOURCES],
        "connect-src": [SELF],  # search suggestions, the stall's payment announcements
        "frame-src": ["https://www.openstreetmap.org"],  # the plot's small map on the trace page
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],  # as X-Frame-Options: DENY
    }
}

# The back office (Wagtail's admin, Django's admin, Oscar's dashboard) is other projects' code, full of
# inline <script> blocks, style="" and onclick="" attributes, which we cannot give a nonce and should
# not fork. Per-view @csp_update/@csp_exempt decorators cannot reach views we do not write, and
# exempting these paths would drop the policy altogether; so the middleware gives these path prefixes
# their own policy: inline code allowed (staff only reach these pages, signed in), but still no other
# site's scripts, no plugins, no foreign frames or form targets, framed only by the site itself
# (Wagtail's preview panel). Oscar's dashboard first asks Google's CDN for jQuery: refused here, its own
# fallback loads the same jQuery from its static files.
CSP_BACK_OFFICE_PREFIXES = ("/cms/", "/django-admin/", "/shop/dashboard/")
CSP_BACK_OFFICE_DIRECTIVES = {
    "default-src": [SELF],
    "script-src": [SELF, UNSAFE_INLINE],
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:", "blob:", "www.gravatar.com", *CSP_MEDIA_SOURCES],  # Wagtail's avatars
    "font-src": [SELF, "data:"],
    "connect-src": [SELF, "https://releases.wagtail.org"],  # Wagtail's "new version" notice
    "frame-src": [SELF],
    "object-src": [NONE],
    "base-uri": [SELF],
    "form-action": [SELF],
    "frame-ancestors": [SELF],
}

# Stripe's Payment Element, only on the pages that show it and only with a publishable key set: the
# sources Stripe's integration security guide lists for Stripe.js (its address autocomplete's Google
# Maps sources left out: we do not use the Address Element).
CSP_STRIPE_PAGES = ("checkout:thank-you",)
CSP_STRIPE_SOURCES = {
    "script-src": ["https://js.stripe.com", "https://*.js.stripe.com"],
    "frame-src": ["https://js.stripe.com", "https://*.js.stripe.com", "https://hooks.stripe.com"],
    "connect-src": ["https://api.stripe.com"],
}

# Permissions-Policy (marketplace.middleware.PermissionsPolicyMiddleware): browser features no page of
# ours uses, switched off for the site and every frame in it. "payment" is left to the browser's
# default so Stripe's frames keep their wallets. The traceability desk allows geolocation for itself
# ("Dùng vị trí của tôi" on the plot form: see traceability.desk_views.desk).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "serial",
        "usb",
    )
}
