from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

# Paths a signed-in user may reach before confirming the second factor.
_OPEN_PREFIXES = ("/accounts/", "/healthz", "/i18n/", "/static/")


class SecondFactorRequiredMiddleware:
    """Staff and captains confirm a TOTP code before they see any data.

    Runs after ``OTPMiddleware``, which sets ``request.user.is_verified()``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            settings.REQUIRE_2FA
            and user.is_authenticated
            and user.needs_second_factor
            and not user.is_verified()
            and not request.path.startswith(_OPEN_PREFIXES)
        ):
            return redirect(f"{reverse('accounts:two_factor')}?next={request.get_full_path()}")
        return self.get_response(request)
