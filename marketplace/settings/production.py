"""Production: everything that differs per deployment comes from the environment."""

import os

from django.core.exceptions import ImproperlyConfigured

# Checked before the base settings are read: without DATABASE_URL they would start a private
# PostgreSQL, which a production server must never do.
for required in ("SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"):
    if not os.environ.get(required):
        raise ImproperlyConfigured(f"Set {required} in the environment.")

from marketplace.database import database_config  # noqa: E402

from .base import *  # noqa: E402,F403

DEBUG = False
# A pool of DATABASE_POOL_SIZE connections per process (default 4, see marketplace/database.py): a burst
# of clients waits for a connection, then gets the 503 "try again" page, instead of exhausting PostgreSQL.
DATABASES = {"default": database_config(pooled_by_default=True)}
SECRET_KEY = os.environ["SECRET_KEY"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True

# HTTPS only. The TLS proxy says a request came over HTTPS in X-Forwarded-Proto (above); anything else is
# redirected, except the health probes (marketplace/health.py), which a load balancer sends over plain
# HTTP to the app itself: they carry no cookie and show no personal data.
SECURE_SSL_REDIRECT = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# HSTS for a year, commune storefronts (lucngan.<domain>...) included: every subdomain of the site's
# domain must be served over HTTPS. Not preloaded: the preload list is near-irreversible (months to
# leave) and binds every subdomain of the registered domain, which the platform does not all run; the
# deploy check's hint to preload (security.W021) is silenced for that reason.
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = False
SILENCED_SYSTEM_CHECKS = [*globals().get("SILENCED_SYSTEM_CHECKS", []), "security.W021"]
# Stricter than strict-origin-when-cross-origin: other sites (Stripe, OpenStreetMap, banks) get no
# Referer at all, so checkout references, order numbers and stamp serials in our URLs stay here.
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"  # and frame-ancestors 'none' in the CSP (base.py); Wagtail's preview opts in
SESSION_COOKIE_HTTPONLY = True
# No script of ours, Wagtail's or Oscar's reads the csrftoken cookie: Wagtail's admin takes the token
# from the page (wagtailConfig), Oscar's dashboard falls back to the form's csrfmiddlewaretoken.
CSRF_COOKIE_HTTPONLY = True
# The Content-Security-Policy of base.py, plus: any http:// subresource is fetched over https://.
CONTENT_SECURITY_POLICY = {  # noqa: F405
    **CONTENT_SECURITY_POLICY,  # noqa: F405
    "DIRECTIVES": {**CONTENT_SECURITY_POLICY["DIRECTIVES"], "upgrade-insecure-requests": True},  # noqa: F405
}

# Request bodies. Django reads at most DATA_UPLOAD_MAX_MEMORY_SIZE (base.py: 5 MB) of non-file fields
# (forms, the JSON of payment webhooks) and at most DATA_UPLOAD_MAX_NUMBER_FIELDS fields; files stream
# to disk and are checked by ground/images.py (at most 15 MB a photo). Nothing in Django caps a whole
# multipart body: the TLS proxy must, just above the largest photo, e.g. nginx `client_max_body_size 16m;`.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000  # Django's default, said aloud: our largest forms have a few dozen
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
STORAGES = {  # noqa: F405
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
# Static files (hashed names, cached for a year) straight from each app process, behind the TLS proxy or
# a CDN: no separate file server to deploy. Run `manage.py collectstatic` at each release.
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]  # noqa: F405
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
