"""API token authentication for every API (/api/v1/, /api/v2/ and the first /api/people/).

A request names its key in one of the headers real clients send:

- ``OSDI-API-Token: <key>`` (Action Network's header, what parsons sends);
- ``Authorization: Token <key>`` or ``Authorization: Bearer <key>``.

An unknown or revoked key, or one whose user is deactivated, is refused with 401. The token acts
as its user: the user row is read on every request, and every selector reads the user's hub
roles fresh, so a demotion takes effect on the next call. A token never passes the second factor
its user must confirm: a user who must use one (``User.needs_second_factor`` with
``REQUIRE_2FA``) and has no confirmed device is refused with 403 until they set one up.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import user_has_device
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from api.models import ApiToken
from api.models.tokens import hash_key

LAST_USED_EVERY = dt.timedelta(minutes=1)
MAX_KEY_LENGTH = 200


def key_from_request(request) -> str | None:
    """The key the request carries, or None when it carries none."""
    key = request.META.get("HTTP_OSDI_API_TOKEN")
    if key is None:
        scheme, _sep, value = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() not in ("token", "bearer"):
            return None
        key = value
    return key.strip()


def _touch(token: ApiToken) -> None:
    """Record use at most once a minute: a conditional UPDATE only when the loaded value is
    stale, so most requests write nothing."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_EVERY:
        return
    ApiToken.objects.filter(pk=token.pk).exclude(last_used_at__gte=now - LAST_USED_EVERY).update(
        last_used_at=now
    )


class SecondFactorMissing(exceptions.PermissionDenied):
    default_detail = "Set up the second factor to use API tokens."


class ApiTokenAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        key = key_from_request(request)
        if key is None:
            return None
        if not key or len(key) > MAX_KEY_LENGTH:
            raise exceptions.AuthenticationFailed(_("Invalid API token."))
        token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_key(key), revoked_at__isnull=True)
            .first()
        )
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked API token."))
        user = token.user
        if (
            settings.REQUIRE_2FA
            and user.needs_second_factor
            and not user_has_device(user, confirmed=True)
        ):
            raise SecondFactorMissing(
                _(
                    "Your role must use a second factor: sign in on the website and set it up "
                    "(Two-factor), then this token will work."
                )
            )
        _touch(token)
        return user, token

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) to a request without valid credentials.
        return self.keyword
