"""Writes for accounts: inviting users and confirming their second factor.

``hubs.models`` is imported here to write the invitee's hub memberships; see forms.py.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role, User
from hubs.models import Hub, HubMembership

# The hub role that follows from a user's role. Staff see every hub and get no membership rows.
HUB_ROLE_FOR = {
    Role.CAPTAIN: HubMembership.Role.CAPTAIN,
    Role.ORGANIZER: HubMembership.Role.ORGANIZER,
    Role.VOLUNTEER: HubMembership.Role.VOLUNTEER,
}


class AccountError(Exception):
    """A domain error the view shows as a form error."""


def set_password_url(user: User, *, base_url: str) -> str:
    """A one-time link to choose a password: Django's reset token and confirm view."""
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return base_url.rstrip("/") + path


def user_invite(
    *,
    invited_by: User,
    email: str,
    name: str,
    role: str,
    hubs: Iterable[Hub] = (),
    base_url: str = "",
) -> User:
    """Create an account for ``email`` with no password and email them a link to choose one.

    ``base_url`` is the site's address for the link (the view passes the request's);
    ``settings.SITE_URL`` is used when it is empty. Raises ``AccountError`` for a taken email.
    """
    email = email.strip().lower()
    users = get_user_model()._default_manager
    if users.filter(email__iexact=email).exists():
        raise AccountError(_taken_message())
    try:
        with transaction.atomic():
            user = users.create_user(email, None, name=name.strip(), role=role)
            user.invited_by = invited_by
            user.save(update_fields=["invited_by"])
            hub_role = HUB_ROLE_FOR.get(role)
            if hub_role:
                HubMembership.objects.bulk_create(
                    HubMembership(user=user, hub=hub, role=hub_role) for hub in hubs
                )
            link = set_password_url(
                user, base_url=base_url or getattr(settings, "SITE_URL", "http://localhost:8000")
            )
            transaction.on_commit(lambda: _send_invite(user=user, invited_by=invited_by, link=link))
    except IntegrityError as exc:  # two invites for one address at the same moment
        raise AccountError(_taken_message()) from exc
    return user


def _taken_message() -> str:
    return _("Someone already has an account with this email address.")


def _send_invite(*, user: User, invited_by: User, link: str) -> None:
    context = {"user": user, "invited_by": invited_by, "link": link}
    subject = render_to_string("accounts/emails/invite_subject.txt", context).strip()
    body = render_to_string("accounts/emails/invite_email.txt", context)
    send_mail(subject, body, None, [user.email])


def totp_device_for(*, user: User) -> TOTPDevice:
    """The user's confirmed authenticator, or the pending one they are setting up."""
    device = TOTPDevice.objects.filter(user=user).order_by("-confirmed", "pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def totp_verify(*, user: User, device: TOTPDevice, code: str) -> bool:
    """Check ``code`` against ``device`` (throttled by django-otp); a first match confirms it."""
    verified = verify_token(user, device.persistent_id, code)
    if verified is None:
        return False
    if not verified.confirmed:
        with transaction.atomic():
            TOTPDevice.objects.filter(pk=verified.pk).update(confirmed=True)
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return True
