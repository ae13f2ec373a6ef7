"""``/healthz``: the state of PostgreSQL and Redis, without a login.

200 with ``{"status": "ok", ...}`` when both answer; 503 with ``"down"`` naming the ones that do
not. ``python -m organizer.health`` probes the running web server (the Docker healthcheck).
"""

from __future__ import annotations

import functools
import os
import sys
import urllib.error
import urllib.request

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

HEARTBEAT_KEY = "organizer:heartbeat"  # written by organizer.tasks.heartbeat


def _check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}".strip()[:200]
    return None


@functools.lru_cache(maxsize=4)
def _redis_client(url: str) -> redis.Redis:
    # One client (and connection pool) per URL: a probe every few seconds reuses its connection.
    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)


def _check_redis() -> str | None:
    try:
        _redis_client(settings.REDIS_URL).ping()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}".strip()[:200]
    return None


@never_cache
@require_GET
def healthz(request):
    checks = {"database": _check_database(), "redis": _check_redis()}
    down = [name for name, error in checks.items() if error]
    body = {
        "status": "ok" if not down else "down",
        "down": down,
        "checks": {
            name: {"ok": error is None, **({"error": error} if error else {})}
            for name, error in checks.items()
        },
        # Informational: when a Celery worker last ran the heartbeat task that beat sends.
        "last_heartbeat": None if "redis" in down else cache.get(HEARTBEAT_KEY),
    }
    return JsonResponse(body, status=503 if down else 200)


def probe(url: str, *, host: str, timeout: float = 5) -> int:
    """GET ``url`` as ``host`` over (proxied) HTTPS; return the HTTP status, 0 when no answer."""
    request = urllib.request.Request(  # noqa: S310 - our own fixed http URL
        url, headers={"Host": host, "X-Forwarded-Proto": "https"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def main() -> int:
    hosts = [h.strip().lstrip(".") for h in os.environ.get("ALLOWED_HOSTS", "").split(",")]
    host = next((h for h in hosts if h and h != "*"), "localhost")
    port = os.environ.get("PORT", "8000")
    status = probe(f"http://127.0.0.1:{port}/healthz", host=host)
    print(f"healthz: {status or 'no answer'}")
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
