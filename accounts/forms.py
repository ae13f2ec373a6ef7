"""Forms for signing in, the second factor and inviting users.

``hubs.models`` is imported here (for the invite form's hub choices) even though hubs sits to
the right of accounts in the dependency map: forms and services may, models may not.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from hubs.models import Hub


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


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email"), widget=forms.EmailInput(attrs={"autofocus": True}))
    name = forms.CharField(label=_("Name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.ORGANIZER)
    hubs = forms.ModelMultipleChoiceField(
        label=_("Hubs"),
        queryset=Hub.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Their role in each hub follows their role. Staff see every hub."),
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()
