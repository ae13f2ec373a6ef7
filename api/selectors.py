"""Reads for the api app: the tokens a user may see (their own; staff: everyone's)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Role
from api.models import ApiToken


def tokens_for_user(user) -> QuerySet[ApiToken]:
    if not user.is_authenticated or not user.is_active:
        return ApiToken.objects.none()
    tokens = ApiToken.objects.select_related("user")
    if user.role == Role.STAFF:
        return tokens
    return tokens.filter(user=user)


def token_for_user(user, pk: int) -> ApiToken:
    """The token, or 404 when it is not the user's (staff: anyone's)."""
    return get_object_or_404(tokens_for_user(user), pk=pk)
