from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture
def token_for(db):
    """``token_for(user)``: a raw API key of a new token of ``user``; a user who must use a
    second factor gets a confirmed device first (as after setting it up on the website)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from api.services.tokens import token_create

    def make(user, *, name: str = "script", device: bool = True) -> str:
        if device and user.needs_second_factor:
            TOTPDevice.objects.get_or_create(user=user, name="phone", confirmed=True)
        return token_create(user=user, name=name)[1]

    return make


@pytest.fixture
def api():
    """``api(key)``: a test client that sends ``OSDI-API-Token: key`` on every request."""

    def make(key: str) -> Client:
        return Client(headers={"OSDI-API-Token": key})

    return make
