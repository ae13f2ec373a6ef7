"""Forms for logging conversations and acting on follow-ups. They parse; services decide."""

from __future__ import annotations

import datetime as dt
import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import Assessment, Interaction, Issue

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def local_now() -> str:
    return timezone.localtime().strftime(DATETIME_LOCAL)


def quick_dates(today: dt.date | None = None) -> dict[str, dt.date]:
    """The follow-up shortcuts: tomorrow, in 3 days, a week and two weeks from today."""
    today = today or timezone.localdate()
    return {
        "tomorrow": today + dt.timedelta(days=1),
        "in_3_days": today + dt.timedelta(days=3),
        "next_week": today + dt.timedelta(days=7),
        "in_2_weeks": today + dt.timedelta(days=14),
    }


class OneOnOneForm(forms.Form):
    """Everything optional except who: a person picked by search (``contact``) or a new one
    (first name, last name, phone)."""

    contact = forms.IntegerField(label=_("Who"), required=False, widget=forms.RadioSelect)
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone number"), max_length=64, required=False)
    allow_duplicate = forms.BooleanField(
        label=_("It's someone else: add them as a new person anyway"), required=False
    )
    happened_at = forms.DateTimeField(
        label=_("When"),
        required=False,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    medium = forms.ChoiceField(
        label=_("How"),
        choices=Interaction.Medium.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(
        label=_("Their story / notes"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    issues = forms.ModelMultipleChoiceField(
        label=_("Issues they care about"),
        queryset=Issue.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    ask = forms.CharField(label=_("The ask"), max_length=300, required=False)
    answer = forms.ChoiceField(
        label=_("Their answer"),
        choices=Interaction.Answer.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    commitment = forms.CharField(label=_("What they committed to"), max_length=300, required=False)
    assessment = forms.TypedChoiceField(
        label=_("Assessment (1 strongest – 5 opposed)"),
        choices=Assessment.Level.choices,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    follow_up_on = forms.DateField(
        label=_("Follow up on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    follow_up_what = forms.CharField(label=_("Follow up about"), max_length=300, required=False)
    is_sensitive = forms.BooleanField(
        label=_("Sensitive: only I and staff can read these notes"), required=False
    )
    client_token = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "happened_at": local_now(),
                "medium": Interaction.Medium.IN_PERSON,
                "client_token": uuid.uuid4(),
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["issues"].queryset = Issue.objects.filter(is_active=True)

    @property
    def new_person_requested(self) -> bool:
        data = self.cleaned_data
        return not data.get("contact") and any(
            data.get(name) for name in ("first_name", "last_name", "phone")
        )

    def clean(self):
        data = super().clean()
        if not data.get("contact") and not any(
            data.get(name) for name in ("first_name", "last_name", "phone")
        ):
            self.add_error(
                "contact", _("Pick who you talked with, or add a new person with their name.")
            )
        if data.get("follow_up_what") and not data.get("follow_up_on"):
            self.add_error("follow_up_on", _("Pick a date for the follow-up."))
        happened_at = data.get("happened_at")
        if happened_at and happened_at > timezone.now() + dt.timedelta(hours=1):
            self.add_error("happened_at", _("That is in the future. When did you talk?"))
        if not data.get("client_token"):
            data["client_token"] = uuid.uuid4()
        return data

    def token(self) -> str:
        """The client token to render: what was posted, or the fresh one."""
        value = self.data.get("client_token") if self.is_bound else None
        return str(value or self.initial.get("client_token") or uuid.uuid4())


class QuickLogForm(forms.Form):
    """One row on a person's page: what kind of touch, and a short note."""

    KINDS = [
        (Interaction.Kind.CALL, _("Call")),
        (Interaction.Kind.TEXT, _("Text")),
        (Interaction.Kind.DOOR_KNOCK, _("Door knock")),
        (Interaction.Kind.MEETING, _("Meeting")),
        (Interaction.Kind.OTHER, _("Other")),
    ]

    kind = forms.ChoiceField(label=_("Kind"), choices=KINDS)
    notes = forms.CharField(label=_("Short note"), max_length=2000, required=False)
    client_token = forms.UUIDField(required=False, widget=forms.HiddenInput)


class CallOutcomeForm(forms.Form):
    """How a call went: one tap after coming back from the dialer (or a page without JS)."""

    outcome = forms.ChoiceField(
        label=_("How did the call go?"), choices=Interaction.Outcome.choices
    )
    client_token = forms.UUIDField(required=False, widget=forms.HiddenInput)


class SnoozeForm(forms.Form):
    """``preset`` (tomorrow / next_week, from the one-tap buttons) or a picked ``until`` date."""

    preset = forms.ChoiceField(
        choices=[("tomorrow", _("Tomorrow")), ("next_week", _("Next week"))], required=False
    )
    until = forms.DateField(
        label=_("Pick a date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self):
        data = super().clean()
        if data.get("preset"):
            data["until"] = quick_dates()[data["preset"]]
        elif not data.get("until"):
            self.add_error("until", _("Pick a date."))
        return data


class ReassignForm(forms.Form):
    assigned_to = forms.ModelChoiceField(label=_("Give to"), queryset=None, empty_label=None)

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = users
