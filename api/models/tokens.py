"""API tokens: a script acts as its user, with the user's role and hub scope."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PREFIX_LENGTH = 8
NAME_MAX_LENGTH = 80


def hash_key(key: str) -> str:
    """SHA-256 of the raw key. The key is 240 random bits, so a fast hash is right: there is
    nothing to guess, and every API request looks its token up by this hash."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A key a user made for a script. Only its hash is stored; the key is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    prefix = models.CharField(_("starts with"), max_length=PREFIX_LENGTH)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Written at most once a minute per token (api.auth), so a busy script costs no writes.
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def api_token_pk(self) -> int:
        """What the rate limit (organizer/throttles.py, below api in the layering) keys by,
        read off ``request.auth`` without importing this model."""
        return self.pk

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
