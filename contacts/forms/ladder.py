"""Forms for the ladder: a stage, the points per kind of activity, the half-life, a hold."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import ActivityWeight, LadderStage, Milestone


class StageForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(
        attrs={"rows": 2}))  # fmt: skip
    min_score = forms.FloatField(label=_("Minimum score"), min_value=0, initial=0)
    milestones = forms.MultipleChoiceField(
        label=_("Required milestones"),
        choices=Milestone.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    @classmethod
    def for_stage(cls, stage: LadderStage | None, data=None) -> StageForm:
        prefix = f"stage-{stage.pk}" if stage else "stage-new"
        initial = {}
        if stage is not None:
            initial = {
                "name": stage.name,
                "description": stage.description,
                "min_score": stage.min_score,
                "milestones": stage.milestones,
            }
        return cls(data, prefix=prefix, initial=initial)


class WeightsForm(forms.Form):
    """One number field per kind of activity that has a weight."""

    def __init__(self, *args, weights: list[ActivityWeight], **kwargs):
        super().__init__(*args, **kwargs)
        for weight in weights:
            self.fields[weight.kind] = forms.FloatField(
                label=weight.label, min_value=0, initial=weight.points
            )


class HalfLifeForm(forms.Form):
    half_life_days = forms.IntegerField(
        label=_("Half-life (days)"),
        min_value=1,
        max_value=3650,
        help_text=_("Activity this many days old counts half; twice as old, a quarter."),
    )


class HoldForm(forms.Form):
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=LadderStage.objects.all())
    reason = forms.CharField(label=_("Why"), max_length=300)
    until = forms.DateField(
        label=_("Holds until (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty to hold until cleared."),
    )

    def clean_until(self):
        until = self.cleaned_data.get("until")
        if until and until < timezone.localdate():
            raise forms.ValidationError(_("Pick today or a later date."))
        return until
