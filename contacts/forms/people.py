"""Forms for adding and editing people, linking them, and merging duplicates."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from contacts.models import Contact, ExternalId, Issue, Phone, Relationship
from contacts.selectors.people import managed_hubs_for_user, owner_choices_for_user
from contacts.services.people import (
    RECRUITED,
    RECRUITED_BY,
    NewContact,
    PhoneInput,
    normalize_email,
    tags_problem,
)
from hubs.models import Hub
from hubs.selectors.access import hubs_for_user
from organizer.lib.numbers import parse_id
from organizer.lib.phones import InvalidPhone, normalize_phone


def split_list(text: str) -> list[str]:
    """``"housing, transit ,"`` → ``["housing", "transit"]``."""
    return [part.strip() for part in (text or "").split(",") if part.strip()]


class ContactForm(forms.ModelForm):
    languages_text = forms.CharField(
        label=_("Languages spoken"),
        required=False,
        help_text=_("Separate with commas, e.g. English, Spanish"),
    )
    tags_text = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=5000,
        help_text=_("Separate with commas. New tags are created."),
    )
    hubs = forms.ModelMultipleChoiceField(
        label=_("Hubs"),
        queryset=Hub.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    create_anyway = forms.BooleanField(
        label=_("Create a new person anyway"),
        required=False,
        help_text=_("Only if the people listed above are really someone else."),
    )

    class Meta:
        model = Contact
        fields = [
            "first_name",
            "last_name",
            "preferred_name",
            "pronouns",
            "street",
            "unit",
            "city",
            "state",
            "zip_code",
            "latitude",
            "longitude",
            "neighborhood",
            "employer",
            "union",
            "membership_status",
            "member_since",
            "dues",
            "email_ok",
            "sms_ok",
            "do_not_contact",
            "do_not_call",
            "owner",
            "source",
            "issues",
        ]
        widgets = {
            "member_since": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "issues": forms.CheckboxSelectMultiple,
            "zip_code": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices_for_user(user)
        if self.instance.pk:
            del self.fields["hubs"]  # hub membership is managed from the hub's page
        else:
            self.fields["hubs"].queryset = hubs_for_user(user)
            self.fields["owner"].initial = user.pk
        self.fields["owner"].label = _("Organizer who owns the relationship")
        self.fields["email_ok"].help_text = _("Only counts with an email address.")
        self.fields["sms_ok"].help_text = _("Only counts with a phone number.")
        chosen = self.instance.issues.all() if self.instance.pk else Issue.objects.none()
        self.fields["issues"].queryset = (Issue.objects.filter(is_active=True) | chosen).distinct()
        self.fields["issues"].required = False
        if self.instance.pk:
            self.fields["languages_text"].initial = ", ".join(self.instance.languages)
            self.fields["tags_text"].initial = ", ".join(t.name for t in self.instance.tags.all())

    def clean_tags_text(self) -> str:
        text = self.cleaned_data["tags_text"]
        if problem := tags_problem(split_list(text)):
            raise ValidationError(problem)
        return text

    def contact_fields(self) -> dict:
        """The Contact field values to save (everything but lists and m2m)."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name != "issues"}
        data["languages"] = split_list(self.cleaned_data["languages_text"])
        return data

    def new_contact(self, phones, emails, ids) -> tuple[NewContact, object]:
        """What ``contact_create`` needs from this form and its formsets, and the owner."""
        fields = self.contact_fields()
        owner, _source = fields.pop("owner"), fields.pop("source")
        new = NewContact(
            first_name=fields.pop("first_name"),
            last_name=fields.pop("last_name"),
            phones=phones.phone_inputs(),
            emails=emails.addresses(),
            extra=fields,
            tags=split_list(self.cleaned_data["tags_text"]),
            issues=list(self.cleaned_data["issues"]),
            external_ids=ids.pairs(),
            hubs=list(self.cleaned_data["hubs"]),
        )
        return new, owner


class PhoneForm(forms.Form):
    raw = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Phone.Kind.choices, initial="mobile")
    is_primary = forms.BooleanField(label=_("Primary phone"), required=False)

    def clean_raw(self) -> str:
        raw = self.cleaned_data["raw"].strip()
        if raw:
            try:
                normalize_phone(raw)
            except InvalidPhone as exc:
                raise ValidationError(str(exc), code="phone") from None
        return raw


class EmailForm(forms.Form):
    address = forms.CharField(
        label=_("Email"),
        required=False,
        max_length=254,
        widget=forms.TextInput(attrs={"type": "email", "autocomplete": "off"}),
    )
    is_primary = forms.BooleanField(label=_("Primary email"), required=False)

    def clean_address(self) -> str:
        address = self.cleaned_data["address"].strip()
        return normalize_email(address) if address else ""


class ExternalIdForm(forms.Form):
    system = forms.ChoiceField(label=_("System"), choices=ExternalId.System.choices)
    value = forms.CharField(label=_("Identifier"), required=False, max_length=120)


class _OnePrimary(forms.BaseFormSet):
    value_field = "raw"

    def clean(self):
        super().clean()
        primaries = [
            f
            for f in self.forms
            if getattr(f, "cleaned_data", None)
            and f.cleaned_data.get("is_primary")
            and f.cleaned_data.get(self.value_field)
        ]
        if len(primaries) > 1:
            raise ValidationError(_("Mark only one as primary."))

    def ordered(self) -> list[dict]:
        """Filled rows, the primary one first."""
        rows = [f.cleaned_data for f in self.forms if f.cleaned_data.get(self.value_field)]
        return sorted(rows, key=lambda row: not row.get("is_primary"))


class _PhoneSet(_OnePrimary):
    value_field = "raw"

    def phone_inputs(self) -> list[PhoneInput]:
        return [PhoneInput(raw=row["raw"], kind=row["kind"]) for row in self.ordered()]


class _EmailSet(_OnePrimary):
    value_field = "address"

    def addresses(self) -> list[str]:
        return [row["address"] for row in self.ordered()]


class _IdSet(forms.BaseFormSet):
    def pairs(self) -> list[tuple[str, str]]:
        return [
            (f.cleaned_data["system"], f.cleaned_data["value"].strip())
            for f in self.forms
            if f.cleaned_data.get("value", "").strip()
        ]


PhoneFormSet = forms.formset_factory(PhoneForm, formset=_PhoneSet, extra=1, max_num=10)
EmailFormSet = forms.formset_factory(EmailForm, formset=_EmailSet, extra=1, max_num=10)
ExternalIdFormSet = forms.formset_factory(ExternalIdForm, formset=_IdSet, extra=1, max_num=10)


def person_formsets(data=None, contact: Contact | None = None):
    """The phones, emails and external-id formsets, filled from ``contact`` when editing."""
    phones = emails = ids = None
    if contact is not None and data is None:
        phones = [
            {"raw": p.raw or p.e164, "kind": p.kind, "is_primary": p.is_primary}
            for p in contact.phones.order_by("-is_primary", "pk")
        ]
        emails = [
            {"address": e.address, "is_primary": e.is_primary}
            for e in contact.emails.order_by("-is_primary", "pk")
        ]
        ids = [{"system": x.system, "value": x.value} for x in contact.external_ids.all()]
    return (
        PhoneFormSet(data, initial=phones, prefix="phones"),
        EmailFormSet(data, initial=emails, prefix="emails"),
        ExternalIdFormSet(data, initial=ids, prefix="ids"),
    )


class RelationshipForm(forms.Form):
    KIND_CHOICES = [
        *Relationship.Kind.choices,
        (RECRUITED_BY, _("Recruited this person")),
        (RECRUITED, _("Was recruited by this person")),
    ]
    other = forms.IntegerField(label=_("Person"), widget=forms.RadioSelect)
    kind = forms.ChoiceField(label=_("How they are connected"), choices=KIND_CHOICES)


class MergeForm(forms.Form):
    """One keep/take choice per field where the two people differ."""

    other = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, rows: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        for row in rows:
            self.fields[f"take_{row['name']}"] = forms.ChoiceField(
                label=row["label"],
                choices=[("keep", row["keep"]), ("remove", row["remove"])],
                initial=row["default"],
                widget=forms.RadioSelect,
            )

    def taken(self) -> list[str]:
        return [
            name.removeprefix("take_")
            for name, value in self.cleaned_data.items()
            if name.startswith("take_") and value == "remove"
        ]


BULK_IDS_MAX = 500  # ticked on one page at most (a page shows 50); "all matching" is the way on


class BulkForm(forms.Form):
    """An action on the ticked people (``ids``) or on everyone the list's filter matches
    (``all``): tag them, add them to a hub the user runs, or give them an organizer."""

    ACTIONS = [("tag", _("Tag them")), ("hub", _("Add to hub")), ("owner", _("Assign organizer"))]

    action = forms.ChoiceField(choices=ACTIONS)
    all = forms.BooleanField(required=False)
    tag = forms.CharField(label=_("Tag"), max_length=60, required=False)
    hub = forms.ModelChoiceField(label=_("Hub"), queryset=Hub.objects.none(), required=False)
    owner = forms.ModelChoiceField(
        label=_("Organizer"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hub"].queryset = managed_hubs_for_user(user).order_by("name")
        self.fields["owner"].queryset = owner_choices_for_user(user)

    def clean(self):
        data = super().clean()
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        if len(raw) > BULK_IDS_MAX:
            raise ValidationError(_("Tick at most %(n)s people.") % {"n": BULK_IDS_MAX})
        ids = [parse_id(v) for v in raw]  # "²" passes isdigit() but not int(): one safe parser
        if None in ids:
            raise ValidationError(_("The ticked people could not be read. Reload the page."))
        data["ids"] = ids  # any ids: the view keeps those in the user's scope
        action = data.get("action")
        if not data.get("all") and not data.get("ids"):
            raise ValidationError(_("Tick some people, or “all people matching this filter”."))
        if action == "tag" and not (data.get("tag") or "").strip():
            self.add_error("tag", _("Type the tag to add."))
        if action == "hub" and not data.get("hub"):
            self.add_error("hub", _("Pick a hub you run."))
        if action == "owner" and not data.get("owner"):
            self.add_error("owner", _("Pick an organizer."))
        return data
