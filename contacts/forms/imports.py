"""Forms for the CSV import: the upload, and the column mapping a person can adjust."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from contacts.services.imports import TARGETS
from organizer.lib.csvfiles import CsvFileError, check_size


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "An export from Action Network, VAN/EveryAction, Mobilize, Solidarity Tech, or any "
            "spreadsheet saved as CSV, with column names on the first line."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv"}),
    )
    source = forms.CharField(
        label=_("Source (how these people came in)"),
        required=False,
        max_length=120,
        help_text=_("Recorded on each new person, e.g. “Spring canvass 2025”."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_size(upload.size)
        except CsvFileError as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload


class MappingForm(forms.Form):
    """One select per column of the file, labelled with the column's name."""

    def __init__(self, *args, headers: list[str], targets: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = headers
        for index, (header, target) in enumerate(zip(headers, targets, strict=False)):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=header, choices=TARGETS, initial=target
            )

    def targets(self) -> list[str]:
        return [self.cleaned_data[f"col_{i}"] for i in range(len(self.headers))]
