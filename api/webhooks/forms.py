from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from api.models.webhooks import URL_MAX_LENGTH, Event, Webhook
from api.webhooks.safety import url_problem


class WebhookForm(forms.ModelForm):
    url = forms.CharField(
        label=_("URL"),
        max_length=URL_MAX_LENGTH,
        help_text=_("Where Organizer POSTs each event (https://…)."),
        widget=forms.URLInput(attrs={"inputmode": "url", "autocomplete": "off"}),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=Event.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Webhook
        fields = ["name", "events", "active"]  # the URL is ours (below): checked, then set

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("url", self.instance.url)

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        forms.URLField(assume_scheme="https").clean(url)
        problem = url_problem(url)
        if problem:
            raise forms.ValidationError(problem)
        self.instance.url = url
        return url
