"""Stock django-oscar 4.2.1, set up as its sandbox is (Oscar's default apps, ``oscar.defaults``, Oscar's
templates, the basket and flatpage middleware), for bench/catalogue_scale.py to compare against.

What differs from the sandbox, and why: DEBUG off and no debug toolbar or django-extensions (a production
comparison); PostgreSQL (the same server as the project's) instead of SQLite; haystack's Elasticsearch 7
backend on the bench's OpenSearch node instead of Whoosh (Oscar then serves its catalogue and category
lists from the engine, as its docs recommend for production) and facets that backend can compute
(below); English only, so no language prefix and
no redirect on every URL. The cache is the sandbox's default, Django's per-process memory. Runs in its
own virtualenv (var/bench/oscar-stock/venv), never imports the project.

Environment (set by the bench): STOCK_DB_NAME, STOCK_DB_HOST (the embedded server's socket directory),
STOCK_DB_USER, STOCK_SEARCH_URL, STOCK_SEARCH_INDEX, STOCK_MEDIA_ROOT, STOCK_STATIC_ROOT.
"""

import os

from oscar import INSTALLED_APPS as OSCAR_APPS
from oscar.defaults import *  # noqa: F403 (Oscar's settings, as the sandbox takes them)

DEBUG = False
SECRET_KEY = "stock-oscar-bench-only-" + "x" * 40
ALLOWED_HOSTS = ["cho-ocop.test", "127.0.0.1", "localhost"]
# The bench sends X-Forwarded-Proto: https to both sides; the stock site does not redirect on it.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("STOCK_DB_NAME", "oscar_stock_bench"),
        "USER": os.environ.get("STOCK_DB_USER", "postgres"),
        "HOST": os.environ.get("STOCK_DB_HOST", ""),
        "PORT": os.environ.get("STOCK_DB_PORT", ""),
        "ATOMIC_REQUESTS": True,  # as the sandbox
        "CONN_MAX_AGE": 60,
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

USE_TZ = True
TIME_ZONE = "Europe/London"
LANGUAGE_CODE = "en-gb"
USE_I18N = True
SITE_ID = 1

MEDIA_ROOT = os.environ.get("STOCK_MEDIA_ROOT", "/tmp/oscar-stock-media")  # noqa: S108 (set by the bench)
MEDIA_URL = "/media/"
STATIC_ROOT = os.environ.get("STOCK_STATIC_ROOT", "/tmp/oscar-stock-static")  # noqa: S108 (the same)
STATIC_URL = "/static/"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.contrib.auth.context_processors.auth",
                "django.template.context_processors.request",
                "django.template.context_processors.debug",
                "django.template.context_processors.i18n",
                "django.template.context_processors.media",
                "django.template.context_processors.static",
                "django.contrib.messages.context_processors.messages",
                "oscar.apps.search.context_processors.search_form",
                "oscar.apps.checkout.context_processors.checkout",
                "oscar.apps.communication.notifications.context_processors.notifications",
                "oscar.core.context_processors.metadata",
            ],
        },
    }
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.contrib.flatpages.middleware.FlatpageFallbackMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.common.CommonMiddleware",
    "oscar.apps.basket.middleware.BasketMiddleware",
]
ROOT_URLCONF = "stock_urls"

INSTALLED_APPS = [*OSCAR_APPS, "sorl.thumbnail"]
AUTHENTICATION_BACKENDS = (
    "oscar.apps.customer.auth_backends.EmailBackend",
    "django.contrib.auth.backends.ModelBackend",
)
LOGIN_REDIRECT_URL = "/"

HAYSTACK_CONNECTIONS = {
    "default": {
        "ENGINE": "haystack.backends.elasticsearch7_backend.Elasticsearch7SearchEngine",
        "URL": os.environ.get("STOCK_SEARCH_URL", "http://127.0.0.1:9250"),
        "INDEX_NAME": os.environ.get("STOCK_SEARCH_INDEX", "oscar-stock-bench"),
    },
}

# The sandbox's shop settings that matter here.
OSCAR_SHOP_TAGLINE = "Sandbox"
OSCAR_RECENTLY_VIEWED_PRODUCTS = 20
OSCAR_ALLOW_ANON_CHECKOUT = True
OSCAR_DEFAULT_CURRENCY = "VND"  # the same prices as the project's, in đồng
THUMBNAIL_KVSTORE = "sorl.thumbnail.kvstores.cached_db_kvstore.KVStore"
# Oscar's default facets, less the one the Elasticsearch backends cannot compute: ``product_class`` is
# a text field in Oscar's index (not faceted), and a terms aggregation on it fails every list and search
# page ("Text fields are not optimised for operations that require per-document field data"), which
# haystack swallows into an empty result. Price ranges in đồng (the project's four), not Oscar's 0-60.
OSCAR_SEARCH_FACETS = {
    "fields": {"rating": {"name": "Rating", "field": "rating"}},
    "queries": {
        "price_range": {
            "name": "Price range",
            "field": "price",
            "queries": [
                ("0 to 100,000", "[0 TO 100000]"),
                ("100,000 to 200,000", "[100000 TO 200000]"),
                ("200,000 to 500,000", "[200000 TO 500000]"),
                ("500,000+", "[500000 TO *]"),
            ],
        },
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR"}},
}
