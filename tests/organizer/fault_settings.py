"""Production settings for a web server the fault tests start (DEBUG off, so errors go through
the real handlers), with only what a test machine lacks: static files served without a
collectstatic manifest, plain HTTP, and a fast password hasher."""

from __future__ import annotations

from organizer.settings import *  # noqa: F403
from organizer.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
