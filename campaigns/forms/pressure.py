"""Forms for targets, districts, the call page and pressure actions. Every field is bounded
before it reaches PostgreSQL."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import District, PressureAction, PressurePage, Target
from campaigns.selectors.pressure import MAX_PLACE_CHARS
from campaigns.services.petitions import CONTACT_CONSENT_TEXT
from campaigns.services.pressure import MAX_NOTES
from organizer.lib.phones import InvalidPhone, normalize_phone

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlaceForm(forms.Form):
    """The public page's first step: a ZIP code or a street address (GET)."""

    where = forms.CharField(
        label=_("Your ZIP code or street address"),
        max_length=MAX_PLACE_CHARS,
        widget=forms.TextInput(
            attrs={"autocomplete": "postal-code", "placeholder": "11237", "inputmode": "text"}
        ),
    )


class ReportForm(forms.Form):
    """ "I called / I wrote": who you are (to count you once) and how it went. ``website`` is a
    honeypot; ``done`` is "call:<target id>" or "email:<target id>", from the button tapped."""

    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    phone = forms.CharField(label=_("Mobile phone"), max_length=32, required=False)
    email = forms.EmailField(label=_("Email"), max_length=254, required=False)
    notes = forms.CharField(
        label=_("How did it go? (optional)"),
        max_length=MAX_NOTES,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    consent = forms.BooleanField(label=CONTACT_CONSENT_TEXT, required=False)
    website = forms.CharField(label=_("Leave this empty"), max_length=200, required=False)
    where = forms.CharField(max_length=MAX_PLACE_CHARS, required=False, widget=forms.HiddenInput)
    r = forms.CharField(max_length=16, required=False, widget=forms.HiddenInput)
    done = forms.CharField(max_length=40, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "report_%s")  # the page's ZIP box is id_where
        super().__init__(*args, **kwargs)

    def clean_done(self):
        kind, _sep, target = self.cleaned_data.get("done", "").partition(":")
        if kind not in ("call", "email") or not (target.isascii() and target.isdigit()):
            raise forms.ValidationError(_("Tap “I called” or “I wrote” next to a name."))
        if len(target) > 12:
            raise forms.ValidationError(_("Tap “I called” or “I wrote” next to a name."))
        return kind, int(target)

    def clean(self):
        data = super().clean()
        if not (data.get("phone") or data.get("email")) and not self.errors.get("email"):
            self.add_error("phone", _("Enter a phone number or an email."))
        return data


class TargetForm(forms.ModelForm):
    class Meta:
        model = Target
        fields = [
            "name",
            "office",
            "level",
            "district",
            "phone",
            "email",
            "office_address",
            "is_active",
            "campaigns",
        ]
        widgets = {
            "campaigns": forms.CheckboxSelectMultiple,
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.order_by("kind", "name")
        self.fields["campaigns"].required = False

    def clean_phone(self):
        phone = self.cleaned_data.get("phone", "").strip()
        if phone:
            try:
                normalize_phone(phone)
            except InvalidPhone as exc:
                raise forms.ValidationError(str(exc)) from None
        return phone


class DistrictZipsForm(forms.Form):
    file = forms.FileField(
        label=_("ZIP → district table (CSV)"),
        help_text=_("Columns: zip, district_kind, district. A ZIP in two districts has two rows."),
    )


class DistrictShapesForm(forms.Form):
    file = forms.FileField(
        label=_("District shapes (GeoJSON)"),
        help_text=_("A FeatureCollection: one polygon per district, its name in a property."),
    )
    kind = forms.ChoiceField(label=_("Kind of district"), choices=District.Kind.choices)
    name_property = forms.CharField(
        label=_("Property holding the district's name or number"),
        max_length=60,
        initial="name",
    )


class PressurePageForm(forms.ModelForm):
    targets = forms.ModelMultipleChoiceField(
        label=_("Targets of this campaign"),
        queryset=Target.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = PressurePage
        fields = [
            "is_public",
            "ask",
            "ask_es",
            "script",
            "script_es",
            "email_subject",
            "email_subject_es",
            "email_body",
            "email_body_es",
        ]
        widgets = {
            "script": forms.Textarea(attrs={"rows": 5}),
            "script_es": forms.Textarea(attrs={"rows": 5}),
            "email_body": forms.Textarea(attrs={"rows": 5}),
            "email_body_es": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["targets"].queryset = Target.objects.filter(is_active=True).select_related(
            "district"
        )
        self.fields["targets"].initial = list(campaign.targets.values_list("pk", flat=True))


class ActionLogForm(forms.Form):
    """An organizer logs what a person did toward a target: a visit, testimony, a letter …"""

    target = forms.ModelChoiceField(label=_("Target"), queryset=Target.objects.none())
    kind = forms.ChoiceField(label=_("What they did"), choices=PressureAction.Kind.choices)
    day = forms.DateField(label=_("When"), widget=DATE)
    notes = forms.CharField(
        label=_("Notes"),
        max_length=MAX_NOTES,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = Target.objects.filter(
            campaigns=campaign, is_active=True
        ).order_by("office", "name")
        self.fields["day"].initial = timezone.localdate()

    def clean_day(self):
        day = self.cleaned_data["day"]
        today = timezone.localdate()
        if day > today:
            raise forms.ValidationError(_("That day has not come yet."))
        if (today - day).days > 366:
            raise forms.ValidationError(_("Log actions of the last year only."))
        return day
