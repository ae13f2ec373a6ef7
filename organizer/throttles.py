"""The API's rate limit: calls per API token (a script), else per signed-in user (per address
before sign-in), counted by the project's one limiter (``organizer.lib.ratelimit``). DRF answers
429 with ``Retry-After``."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from organizer.lib import ratelimit


class PerUserRateThrottle(BaseThrottle):
    def allow_request(self, request, view) -> bool:
        user = request.user
        token_pk = getattr(request.auth, "api_token_pk", None)
        if token_pk is not None:
            key = f"token:{token_pk}"
        elif user is not None and user.is_authenticated:
            key = f"user:{user.pk}"
        else:
            key = f"ip:{ratelimit.client_ip(request)}"
        self.retry_after = ratelimit.hit(
            "api",
            key,
            limit=settings.RATELIMIT_API_PER_USER,
            window=settings.RATELIMIT_API_WINDOW,
        )
        return self.retry_after == 0

    def wait(self) -> float | None:
        return self.retry_after or None
