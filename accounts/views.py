from __future__ import annotations

from base64 import b32encode

import django_otp
import segno
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts import services
from accounts.forms import CodeForm, EmailAuthenticationForm
from accounts.selectors import users_list


def _next_url(request: HttpRequest) -> str:
    """The ``next`` parameter if it points at this site, else ""."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if safe else ""


def _require_staff(request: HttpRequest) -> None:
    if not request.user.is_chapter_staff:
        raise Http404


@sensitive_post_parameters("password")
@never_cache
def login_view(request):
    next_url = _next_url(request)
    form = EmailAuthenticationForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        auth.login(request, user)  # rotates the session key
        goto = next_url or resolve_url(settings.LOGIN_REDIRECT_URL)
        if settings.REQUIRE_2FA and user.needs_second_factor:
            return redirect(f"{reverse('accounts:two_factor')}?{urlencode({'next': goto})}")
        return redirect(goto)
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


@require_POST
def logout_view(request):
    auth.logout(request)  # deletes the session row
    messages.info(request, _("You are signed out."))
    return redirect(settings.LOGOUT_REDIRECT_URL)


@sensitive_post_parameters("code")
@never_cache
@login_required
def two_factor(request):
    goto = _next_url(request) or resolve_url(settings.LOGIN_REDIRECT_URL)
    user = request.user
    if not user.needs_second_factor or user.is_verified():
        return redirect(goto)
    device = services.totp_device_for(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.totp_verify(user=user, device=device, code=form.cleaned_data["code"]):
            device.refresh_from_db()
            django_otp.login(request, device)
            return redirect(goto)
        form.add_error("code", _("That code did not match. Check your app and try again."))
    context = {"form": form, "next": goto, "setup": not device.confirmed}
    if not device.confirmed:
        secret = b32encode(device.bin_key).decode()
        context["secret"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(
            scale=5, light="#fff", svgclass="qr-code", title=_("QR code for your authenticator app")
        )
    return render(request, "accounts/two_factor.html", context)


@login_required
def users(request) -> HttpResponse:
    _require_staff(request)
    return render(request, "accounts/users.html", {"users": users_list()})


@login_required
@require_POST
def invite_resend(request, user_id: int) -> HttpResponse:
    """Send someone's invitation again (staff). The email goes out in the background."""
    _require_staff(request)
    try:
        services.invite_resend(
            user_id=user_id, by=request.user, base_url=request.build_absolute_uri("/")
        )
    except services.AccountError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The invitation will be sent again in a moment."))
    return redirect("accounts:users")
