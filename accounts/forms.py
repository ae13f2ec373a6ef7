"""Forms for signing in, password resets and the second factor.

The invite form is ``hubs.forms.InviteForm``: it places the invitee in hubs, and accounts (the
bottom layer) knows nothing of hubs.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _


class EmailAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, asking for an email address (matched without regard to case)."""

    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def clean_username(self) -> str:
        # Lower-cased before authenticate(), so the lockout counts "Ann@X.org" and "ann@x.org"
        # as one account.
        return self.cleaned_data["username"].strip().lower()


class ResetPasswordForm(PasswordResetForm):
    """Also reaches invited users who never chose a password (their password is unusable)."""

    def get_users(self, email: str):
        from django.contrib.auth import get_user_model

        return get_user_model()._default_manager.filter(email__iexact=email.strip(), is_active=True)

    def save(self, *, request=None, **kwargs) -> None:
        """Queue the email in the outbox instead of sending it inside the request: a mail
        server or Redis outage costs a delay, never an error page (accounts.services)."""
        from accounts.services import password_reset_request

        base_url = request.build_absolute_uri("/") if request is not None else ""
        for user in self.get_users(self.cleaned_data["email"]):
            password_reset_request(user=user, base_url=base_url)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code from your authenticator app"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9]{6}",
                "autofocus": True,
            }
        ),
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].replace(" ", "")
        if not (code.isascii() and code.isdigit()):  # "²" is a digit to isdigit()
            raise forms.ValidationError(_("Enter the 6 digits your app shows."))
        return code
