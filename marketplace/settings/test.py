"""Tests: fast (MD5 hasher, locmem cache, immediate tasks) but on the same real PostgreSQL."""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REPORTS_CACHE_SECONDS = 0  # a test changes the data and reads the figures again (tests/reports/test_cache.py)
PAGE_CACHE = True  # one process with its tasks inline: it hears every change (tests with servers share Redis)
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
STORAGES = {  # noqa: F405
    **STORAGES,  # noqa: F405
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": BASE_DIR / "var" / "test-private-media", "base_url": "/no-public-url/"},  # noqa: F405
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SERVE_MEDIA_FILES = True
SELLERS_MESSAGE_BACKEND = "ground.messaging.LocmemMessageBackend"
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": list(TASK_QUEUES)}  # noqa: F405
}
