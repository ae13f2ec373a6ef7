from __future__ import annotations

from base64 import b32encode

import django_otp
import segno
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts import services
from accounts.forms import CodeForm, EmailAuthenticationForm, ResetPasswordForm
from accounts.selectors import users_list
from organizer.lib import ratelimit


def _next_url(request: HttpRequest) -> str:
    """The ``next`` parameter if it is a path on this site, else "" (a bare word would be taken
    for a URL name by ``redirect()``, and a NoReverseMatch is a 500)."""
    url = (request.POST.get("next") or request.GET.get("next") or "")[:2000]
    if not url.startswith("/"):
        return ""
    safe = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if safe else ""


def _require_staff(request: HttpRequest) -> None:
    if not request.user.is_chapter_staff:
        raise Http404


def _limited(request, template: str, context: dict, retry_after: int) -> HttpResponse:
    """The form's page again, with a message, as a 429 with ``Retry-After``."""
    minutes = max(1, -(-retry_after // 60))
    context["limited"] = _("Too many tries. Wait %(minutes)s minute(s), then try again.") % {
        "minutes": minutes
    }
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def _typed_email(request) -> str:
    """The email a sign-in or reset form names, as the limits count it (bounded, folded)."""
    return request.POST.get("username", request.POST.get("email", ""))[:254].strip().lower()


def _sign_in_counters(request) -> list[tuple[str, str, dict]]:
    """(scope, key, limits) of the failed sign-in counters a request falls under: its address,
    and the account it names (known or not)."""
    window = settings.RATELIMIT_SIGN_IN_WINDOW
    counters = [
        (
            "sign-in-address",
            ratelimit.client_ip(request),
            {"limit": settings.RATELIMIT_SIGN_IN_PER_ADDRESS, "window": window},
        )
    ]
    if email := _typed_email(request):
        per_account = {"limit": settings.RATELIMIT_SIGN_IN_PER_ACCOUNT, "window": window}
        counters.append(("sign-in-account", email, per_account))
    return counters


@sensitive_post_parameters("password")
@never_cache
def login_view(request):
    next_url = _next_url(request)
    counters = _sign_in_counters(request) if request.method == "POST" else []
    # Only failures count; over either limit, no password is even tried.
    if wait := max((ratelimit.peek(s, k, **limit) for s, k, limit in counters), default=0):
        context = {"form": EmailAuthenticationForm(request), "next": next_url}
        return _limited(request, "accounts/login.html", context, wait)
    form = EmailAuthenticationForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        auth.login(request, user)  # rotates the session key
        goto = next_url or resolve_url(settings.LOGIN_REDIRECT_URL)
        if settings.REQUIRE_2FA and user.needs_second_factor:
            return redirect(f"{reverse('accounts:two_factor')}?{urlencode({'next': goto})}")
        return redirect(goto)
    for scope, key, limit in counters:
        ratelimit.hit(scope, key, **limit)
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


_password_reset = auth_views.PasswordResetView.as_view(
    form_class=ResetPasswordForm,
    template_name="accounts/password_reset_form.html",
    email_template_name="accounts/emails/password_reset_email.txt",
    subject_template_name="accounts/emails/password_reset_subject.txt",
    success_url=reverse_lazy("accounts:password_reset_done"),
)


@never_cache
def password_reset(request):
    """Django's reset view, limited per address and per email typed. The email counter counts
    any address, known or not, so a limited request says nothing about who has an account."""
    if request.method == "POST":
        window = settings.RATELIMIT_RESET_WINDOW
        ip = ratelimit.client_ip(request)
        wait = ratelimit.hit(
            "reset-address", ip, limit=settings.RATELIMIT_RESET_PER_ADDRESS, window=window
        )
        if email := _typed_email(request):
            per_email = settings.RATELIMIT_RESET_PER_EMAIL
            wait = max(wait, ratelimit.hit("reset-email", email, limit=per_email, window=window))
        if wait:
            context = {"form": ResetPasswordForm(initial={"email": email})}
            return _limited(request, "accounts/password_reset_form.html", context, wait)
    return _password_reset(request)


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
