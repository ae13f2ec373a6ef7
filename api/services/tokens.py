"""Writes for API tokens: create (the raw key is returned once) and revoke."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models.tokens import NAME_MAX_LENGTH, PREFIX_LENGTH, ApiToken, hash_key

# A user with this many live tokens must revoke one before making another.
MAX_ACTIVE_TOKENS = 20


def _new_key() -> str:
    return "org_" + secrets.token_urlsafe(30)  # 240 random bits


def token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns ``(token, key)``. The key exists only in this return
    value: the database keeps its SHA-256."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the token a name (what script uses it).")]})
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(
            {"name": [_("A name can be at most %(n)s characters.") % {"n": NAME_MAX_LENGTH}]}
        )
    with transaction.atomic():
        # Two requests at once must not both see 19 and make 21: the user's row is the lock.
        get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk").get()
        active = ApiToken.objects.filter(user=user, revoked_at__isnull=True).count()
        if active >= MAX_ACTIVE_TOKENS:
            raise ValidationError(
                {"name": [_("You have %(n)s tokens: revoke one first.") % {"n": active}]}
            )
        key = _new_key()
        token = ApiToken.objects.create(
            user=user, name=name, prefix=key[:PREFIX_LENGTH], key_hash=hash_key(key)
        )
    return token, key


def token_revoke(*, by, token: ApiToken) -> ApiToken:
    """Revoke the token (a second revoke keeps the first time). Its next request gets 401."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=by
    )
    token.refresh_from_db()
    return token
