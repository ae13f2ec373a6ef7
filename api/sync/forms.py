from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from api.models.sync import ACTION_NETWORK_URL
from api.webhooks.safety import url_problem
from campaigns.models import Campaign
from hubs.models import Hub


class SyncForm(forms.Form):
    base_url = forms.CharField(
        label=_("Server"),
        max_length=300,
        initial=ACTION_NETWORK_URL,
        help_text=_("Action Network's API, or any OSDI server's base URL."),
        widget=forms.URLInput(attrs={"inputmode": "url", "autocomplete": "off"}),
    )
    api_key = forms.CharField(
        label=_("API key"),
        max_length=200,
        help_text=_("Kept only while the sync runs, never shown again."),
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    hub = forms.ModelChoiceField(
        label=_("Hub for events"),
        queryset=Hub.objects.order_by("name"),
        required=False,
        help_text=_("Events and their RSVPs are brought in only with a hub."),
    )
    campaign = forms.ModelChoiceField(
        label=_("Campaign for petitions"),
        queryset=Campaign.objects.order_by("name"),
        required=False,
        help_text=_("Petitions and their signatures are brought in only with a campaign."),
    )

    def clean_base_url(self) -> str:
        url = self.cleaned_data["base_url"].strip()
        forms.URLField(assume_scheme="https").clean(url)
        problem = url_problem(url)
        if problem:
            raise forms.ValidationError(problem)
        return url
