from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from api.models.tokens import NAME_MAX_LENGTH


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=NAME_MAX_LENGTH,
        help_text=_("What uses it, e.g. “Parsons sync” or “data team laptop”."),
    )
