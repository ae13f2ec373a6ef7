"""Forms for campaigns, goals, events, shifts, the public RSVP and the kiosk. Every field is
bounded before it reaches PostgreSQL."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, Event, Metric, Petition, Shift
from campaigns.services.petitions import CONTACT_CONSENT_TEXT, PAPER_MAX_ROWS
from campaigns.services.rsvps import SMS_CONSENT_TEXT
from organizer.lib.forms import SharedFieldsMixin

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["name", "description", "starts_on", "ends_on", "hubs", "turfs"]
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "hubs": forms.CheckboxSelectMultiple,
            "turfs": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, hubs, turfs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hubs"].queryset = hubs
        self.fields["turfs"].queryset = turfs
        self.fields["turfs"].required = False

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The end must be on or after the start."))
        return data


class GoalForm(forms.Form):
    metric = forms.ChoiceField(label=_("Metric"), choices=Metric.choices)
    target = forms.IntegerField(label=_("Target"), min_value=1, max_value=10_000_000)
    hub = forms.ModelChoiceField(
        label=_("For"), queryset=None, required=False, empty_label=_("The whole chapter")
    )

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hub"].queryset = campaign.hubs.all()


class EventForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = [
            "title",
            "kind",
            "description",
            "hub",
            "campaign",
            "organizer",
            "led_by",
            "starts_at",
            "ends_at",
            "place",
            "latitude",
            "longitude",
            "online_url",
            "capacity",
            "is_public",
        ]
        widgets = {"starts_at": DATETIME, "ends_at": DATETIME, "led_by": forms.NumberInput}

    def __init__(self, *args, hubs, campaigns, organizers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hub"].queryset = hubs
        self.fields["campaign"].queryset = campaigns
        self.fields["organizer"].queryset = organizers
        self.fields["led_by"].help_text = _("Optional: the ID of the person leading it.")
        self.fields["starts_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        self.fields["ends_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] < data["starts_at"]:
            self.add_error("ends_at", _("The end must be after the start."))
        return data


class ShiftForm(forms.ModelForm):
    class Meta:
        model = Shift
        fields = ["label", "starts_at", "ends_at", "capacity"]
        widgets = {"starts_at": DATETIME, "ends_at": DATETIME}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class PostedShift(forms.Field):
    """A POSTed shift as an id, and anything else (blank, not a number) as none: the form is
    validated before the event is read, and which shifts the event has, and whether one is
    required, is the service's check (``rsvps._shift``)."""

    def to_python(self, value):
        value = value.strip() if isinstance(value, str) else ""
        return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None


POSTED_SHIFT = PostedShift(required=False)


class RsvpForm(SharedFieldsMixin, forms.Form):
    """The public RSVP. ``website`` is a honeypot: people never see it, bots fill it.

    ``shifts``: the event's (the shift is then one of them, and required when there are
    any), or ``None`` for a POST validated before the event is read (``PostedShift``)."""

    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    phone = forms.CharField(label=_("Mobile phone"), max_length=32, required=False)
    email = forms.EmailField(label=_("Email"), max_length=254, required=False)
    shift = forms.TypedChoiceField(label=_("Shift"), coerce=int, required=False, empty_value=None)
    sms_consent = forms.BooleanField(label=SMS_CONSENT_TEXT, required=False)
    website = forms.CharField(label=_("Leave this empty"), max_length=200, required=False)
    r = forms.CharField(max_length=16, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, shifts=(), **kwargs):
        super().__init__(*args, **kwargs)
        if shifts is None:
            self.fields["shift"] = POSTED_SHIFT  # never changed: shared, as the others
            return
        shifts = list(shifts)
        if shifts:
            shift = self.own_field("shift")
            shift.choices = [("", _("Pick a shift"))] + [
                (s.pk, f"{s} ({_('full')})" if getattr(s, "full", False) else str(s))
                for s in shifts
            ]
            shift.required = True
        else:
            del self.fields["shift"]

    def clean(self):
        data = super().clean()
        if not (data.get("phone") or data.get("email")) and not self.errors.get("email"):
            self.add_error("phone", _("Enter a phone number or an email so we can reach you."))
        if data.get("sms_consent") and not data.get("phone"):
            self.add_error("phone", _("Enter a mobile number to get texts."))
        return data


class WalkInForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    client_token = forms.UUIDField(required=False, widget=forms.HiddenInput)


class CheckinForm(forms.Form):
    rsvp = forms.IntegerField(min_value=1, max_value=2**62)
    client_token = forms.UUIDField(required=False, widget=forms.HiddenInput)
    undo = forms.BooleanField(required=False)


class PetitionForm(forms.ModelForm):
    class Meta:
        model = Petition
        fields = [
            "title",
            "text",
            "title_es",
            "text_es",
            "target_name",
            "target",
            "goal",
            "is_public",
        ]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 6}),
            "text_es": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = self.fields["target"].queryset.filter(is_active=True)


class SignForm(SharedFieldsMixin, forms.Form):
    """The public petition. ``website`` is a honeypot: people never see it, bots fill it."""

    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    phone = forms.CharField(label=_("Mobile phone"), max_length=32, required=False)
    email = forms.EmailField(label=_("Email"), max_length=254, required=False)
    street = forms.CharField(label=_("Street address"), max_length=200, required=False)
    zip_code = forms.CharField(label=_("ZIP code"), max_length=10, required=False)
    consent = forms.BooleanField(label=CONTACT_CONSENT_TEXT, required=False)
    website = forms.CharField(label=_("Leave this empty"), max_length=200, required=False)
    r = forms.CharField(max_length=16, required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if not (data.get("phone") or data.get("email")) and not self.errors.get("email"):
            self.add_error("phone", _("Enter a phone number or an email."))
        return data


class PaperRowForm(forms.Form):
    """One line of a paper sheet. A blank line is skipped."""

    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    street = forms.CharField(label=_("Address"), max_length=200, required=False)
    zip_code = forms.CharField(label=_("ZIP"), max_length=10, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    email = forms.EmailField(label=_("Email"), max_length=254, required=False)

    def clean(self):
        data = super().clean()
        if any(data.get(k) for k in ("street", "zip_code", "phone", "email")) and not data.get(
            "name"
        ):
            self.add_error("name", _("Enter the name."))
        if data.get("name") and not (data.get("phone") or data.get("email")):
            self.add_error("phone", _("Enter a phone or an email."))
        return data


PaperSheetFormSet = forms.formset_factory(
    PaperRowForm,
    extra=9,
    min_num=1,
    max_num=PAPER_MAX_ROWS,
    absolute_max=PAPER_MAX_ROWS,
    validate_max=True,
)
