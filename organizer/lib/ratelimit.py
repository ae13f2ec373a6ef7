"""Fixed-window rate limits in Redis, shared by sign-in, password resets, the API and public forms.

``hit(scope, key, limit=…, window=…)`` (or ``hit_all`` for several limits in one round trip)
counts one request and answers 0 while the caller is under
the limit, or the seconds until the window ends (the ``Retry-After``) once over it. The counter is
one ``INCR`` plus ``EXPIRE`` inside one server-side script (``_HIT``: every limit of a call in
one command, atomic), so concurrent requests never lose a count.

Weak spot, on purpose: when Redis is down the limiter **fails open** (every hit is allowed and the
error is logged). A dead Redis must not lock organizers out of the site; the lockout of accounts
(django-axes) lives in PostgreSQL and keeps working.
"""

from __future__ import annotations

import hashlib
import logging
import time

from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)


def _connection():
    from django_redis import get_redis_connection

    return get_redis_connection("default")


# Each key counted, its expiry set: one command and one answer for every limit of a call (a
# MULTI/EXEC pipeline was six commands and six answers to parse, on every public sign-up).
_HIT_LUA = """
local counts = {}
for i, key in ipairs(KEYS) do
    counts[i] = redis.call('INCR', key)
    redis.call('EXPIRE', key, ARGV[i])
end
return counts
"""
_scripts: dict[int, object] = {}  # the script registered on each Redis client


def _hit_script(client):
    script = _scripts.get(id(client))
    if script is None or script.registered_client is not client:
        script = _scripts[id(client)] = client.register_script(_HIT_LUA)
    return script


def _key(scope: str, key: str, window: int, now: float) -> str:
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()
    return f"organizer:rl:{scope}:{int(now // window)}:{digest}"


def hit(scope: str, key: str, *, limit: int, window: int, now: float | None = None) -> int:
    """Count one hit of ``key`` in ``scope``; 0 if allowed, else seconds to wait (≥ 1)."""
    return hit_all(key, [(scope, limit, window)], now=now)


def hit_all(key: str, limits: list[tuple[str, int, int]], *, now: float | None = None) -> int:
    """Count one hit of ``key`` under each ``(scope, limit, window)`` (say, 10 a minute and
    60 an hour) in one round trip to Redis; 0 if every limit allows it, else the longest
    wait. Every limit counts the hit, refused or not (a flood keeps its hour's count)."""
    now = time.time() if now is None else now
    names = [_key(scope, key, window, now) for scope, _limit, window in limits]
    try:
        # EVALSHA, and EVAL once when the server does not know the script yet (a restart).
        counts = _hit_script(_connection())(
            keys=names, args=[window + 1 for _scope, _limit, window in limits]
        )
    except Exception:  # Redis down or frozen: fail open (see the module note)
        scopes = ", ".join(scope for scope, _limit, _window in limits)
        logger.warning("rate limit %s not checked: Redis unavailable", scopes, exc_info=True)
        return 0
    wait = 0
    for count, (_scope, limit, window) in zip(counts, limits, strict=True):
        if count > limit:
            wait = max(wait, max(1, int(window - (now % window)) + 1))
    return wait


def peek(scope: str, key: str, *, limit: int, window: int, now: float | None = None) -> int:
    """Like :func:`hit` without counting: 0 while fewer than ``limit`` hits were counted in this
    window, else the seconds to wait. For limits that count only failures (sign-in): peek
    before trying, ``hit`` after a failure."""
    now = time.time() if now is None else now
    try:
        count = int(_connection().get(_key(scope, key, window, now)) or 0)
    except Exception:  # fail open, like hit()
        logger.warning("rate limit %s not checked: Redis unavailable", scope, exc_info=True)
        return 0
    if count < limit:
        return 0
    return max(1, int(window - (now % window)) + 1)


def client_ip(request: HttpRequest) -> str:
    """The address a limit per address counts: REMOTE_ADDR (set by the proxy in front)."""
    return request.META.get("REMOTE_ADDR") or "unknown"


def too_many_requests(retry_after: int, message: str = "") -> HttpResponse:
    """A plain 429 with ``Retry-After``; views with a page render their own and set the header."""
    response = HttpResponse(
        message or "Too many requests. Try again in a moment.",
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(retry_after)
    return response
