from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

# Paths a signed-in user may reach before confirming the second factor: signing in and out,
# the second factor itself and password reset. Everything else (the staff users page too) waits.
_OPEN_PREFIXES = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/two-factor/",
    "/accounts/password-reset/",
    "/accounts/reset/",
    "/healthz",
    "/i18n/",
    "/static/",
)


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
            two_factor = reverse("accounts:two_factor")
            if request.headers.get("HX-Request"):
                # htmx would swap the whole page into a fragment; ask it to navigate instead,
                # and come back to the page the user was on.
                back = request.headers.get("HX-Current-URL", "")
                url = f"{two_factor}?{urlencode({'next': back})}"
                return HttpResponse(status=204, headers={"HX-Redirect": url})
            return redirect(f"{two_factor}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
