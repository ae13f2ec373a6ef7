"""The reminder settings form: hour, email on/off, texts with a mobile number."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.formats import time_format
from django.utils.translation import gettext_lazy as _

from organizer.lib.phones import InvalidPhone, normalize_phone


def hour_choices() -> list[tuple[int, str]]:
    return [(h, time_format(dt.time(h), "TIME_FORMAT")) for h in range(24)]


class ReminderSettingsForm(forms.Form):
    hour = forms.TypedChoiceField(
        label=_("Send my daily reminder at"),
        coerce=int,
        choices=hour_choices,
        help_text=_("In the chapter's time zone."),
    )
    email = forms.BooleanField(label=_("Email me my follow-ups"), required=False)
    sms = forms.BooleanField(
        label=_("Text me my follow-ups"),
        required=False,
        help_text=_("Only with a mobile number below. Message and data rates may apply."),
    )
    phone = forms.CharField(
        label=_("Mobile number"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    @classmethod
    def for_user(cls, user, data=None) -> ReminderSettingsForm:
        initial = {
            "hour": user.reminder_hour,
            "email": user.reminder_email,
            "sms": user.reminder_sms,
            "phone": user.phone,
        }
        return cls(data, initial=initial)

    def clean_phone(self) -> str:
        raw = self.cleaned_data.get("phone", "").strip()
        if not raw:
            return ""
        try:
            return normalize_phone(raw)
        except InvalidPhone as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("sms") and not cleaned.get("phone") and "phone" not in self.errors:
            self.add_error("phone", _("Add a mobile number to get texts."))
        return cleaned
