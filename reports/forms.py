"""The report filters (GET, so a report's address is shareable) and the neighborhood import."""

from __future__ import annotations

import datetime as dt
from html import escape

from django import forms
from django.contrib.auth import get_user_model
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign
from campaigns.selectors.access import campaigns_for_user
from hubs.models import Hub
from reports.selectors import organizers_for_user

MAX_PERIOD_DAYS = 5 * 366
MAX_IMPORT_BYTES = 5 * 1024 * 1024


class QuickSelect(forms.Select):
    """A select whose options are written here rather than by one template each: the filter
    form lists every hub, and 200 hubs cost ~50 ms of template rendering on every report page.
    The same HTML as Django's select (no option groups, no option attributes)."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        # Escaped as Django's escape does (html.escape), without its check for lazy strings.
        options = "\n".join(
            f'<option value="{escape(v)}"{" selected" if v in chosen else ""}>'
            f"{escape(str(label))}</option>"
            for v, label in ((_text(v), label) for v, label in self.choices)
        )
        return format_html(
            '<select name="{}"{}>\n{}\n</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            mark_safe(options),  # noqa: S308 -- every value and label escaped above
        )


def _text(value) -> str:
    return "" if value is None else str(value)


class _ListedChoices(ModelChoiceIterator):
    """The menu's rows read by one plain query of the columns it shows (Django's default reads
    whole rows through a server-side cursor, three round trips per menu, and makes a model
    instance of each: 200 hubs on every report page). The label is the first of the field's
    ``label_fields`` that is not empty."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        key = self.field.to_field_name or "pk"
        for value, *labels in self.queryset.values_list(key, *self.field.label_fields):
            yield (value, next((label for label in labels if label), ""))


class ListedChoiceField(forms.ModelChoiceField):
    """A model menu for the filters: cleans to the model instance as Django's does, and lists
    its options from ``label_fields`` alone."""

    iterator = _ListedChoices

    def __init__(self, *args, label_fields: tuple[str, ...] = ("name",), **kwargs):
        self.label_fields = label_fields
        super().__init__(*args, **kwargs)


class ReportFilterForm(forms.Form):
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput({"type": "date"})
    )
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput({"type": "date"}))
    hub = ListedChoiceField(
        label=_("Hub"),
        queryset=Hub.objects.none(),
        required=False,
        to_field_name="slug",
        widget=QuickSelect,
    )
    campaign = ListedChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.none(), required=False, widget=QuickSelect
    )
    organizer = ListedChoiceField(
        label=_("Organizer"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=QuickSelect,
        label_fields=("name", "email"),
    )

    def __init__(self, data, *, user, hubs):
        super().__init__(data)
        self.fields["hub"].queryset = hubs.order_by("name")
        self.fields["campaign"].queryset = campaigns_for_user(user).order_by("-starts_on")
        self.fields["organizer"].queryset = organizers_for_user(user)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                raise forms.ValidationError(_("“From” must be on or before “To”."))
            if (end - start).days > MAX_PERIOD_DAYS:
                raise forms.ValidationError(_("Choose a period of at most five years."))
        for name in ("start", "end"):
            day = data.get(name)
            if day and not dt.date(1990, 1, 1) <= day <= dt.date(2100, 1, 1):
                self.add_error(name, _("Choose a date between 1990 and 2100."))
        return data


class NeighborhoodImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file with name, residents and optionally zip_codes and shape"),
        help_text=_("ZIP codes separated by spaces or semicolons; the shape as GeoJSON."),
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return f


class ReachImportForm(forms.Form):
    source = forms.CharField(label=_("Name of the result"), max_length=120)
    file = forms.FileField(label=_("CSV file with neighborhood and votes (or supporters)"))

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return f


class DistrictReachImportForm(forms.Form):
    source = forms.CharField(label=_("Name of the result"), max_length=120)
    kind = forms.ChoiceField(
        label=_("Kind of district"),
        required=False,
        help_text=_("Leave empty when the file has a “kind” column."),
    )
    file = forms.FileField(label=_("CSV file with district and votes (or supporters)"))

    def __init__(self, *args, **kwargs):
        from campaigns.models import District

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "—"), *District.Kind.choices]

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return f
