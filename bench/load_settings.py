"""Production settings (DEBUG off) for the load benchmark's gunicorn, with only what a bench
machine lacks: static files without a collectstatic manifest, plain HTTP, a fast hasher, and
the benchmark's URLs (the app's, plus a trivial page as the floor)."""

from __future__ import annotations

from organizer.settings import *  # noqa: F403
from organizer.settings import STORAGES

ROOT_URLCONF = "bench.bench_load"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}  # noqa: F405
