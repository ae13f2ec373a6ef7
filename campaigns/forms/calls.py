"""Forms for phone and text banks: a new call list (with up to three survey questions),
assigning callers, and the caller's one-tap result with the survey. Every field is bounded."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.models import CallList, CallTarget, SurveyQuestion
from campaigns.services.calls import MAX_CHOICES, TEXT_MAX, QuestionInput

QUESTION_SLOTS = 3
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class CallListForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(
        label=_("Calls or texts"), choices=CallList.Kind.choices, widget=forms.RadioSelect
    )
    hub = forms.ModelChoiceField(label=_("Hub"), queryset=None)
    source = forms.ChoiceField(
        label=_("Who is on it"), choices=CallList.Source.choices, widget=forms.RadioSelect
    )
    source_query = forms.CharField(
        label=_("People filter"),
        max_length=1000,
        required=False,
        help_text=_(
            "Filter the People list, then paste its address here (or the part after ?). "
            "Empty: everyone in the hub."
        ),
    )
    source_event = forms.ModelChoiceField(
        label=_("Event (its no-shows)"), queryset=None, required=False
    )
    source_petition = forms.ModelChoiceField(
        label=_("Petition (its signers)"), queryset=None, required=False
    )
    script = forms.CharField(
        label=_("Script"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("{first_name} and {caller} are filled in for each person (texts too)."),
    )
    script_es = forms.CharField(
        label=_("Script in Spanish"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    claim_minutes = forms.IntegerField(
        label=_("Minutes a caller holds a person"), min_value=1, max_value=120, initial=10
    )
    callers = forms.ModelMultipleChoiceField(
        label=_("Callers"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, hubs, events, petitions, callers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hub"].queryset = hubs
        self.fields["source_event"].queryset = events
        self.fields["source_petition"].queryset = petitions
        self.fields["callers"].queryset = callers
        for i in range(1, QUESTION_SLOTS + 1):
            self.fields[f"q{i}_text"] = forms.CharField(
                label=_("Question %(n)s") % {"n": i}, max_length=300, required=False
            )
            self.fields[f"q{i}_kind"] = forms.ChoiceField(
                label=_("Answer kind for question %(n)s") % {"n": i},
                choices=SurveyQuestion.Kind.choices,
                required=False,
            )
            self.fields[f"q{i}_choices"] = forms.CharField(
                label=_("Choices for question %(n)s (one a line)") % {"n": i},
                max_length=MAX_CHOICES * 81,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def clean(self):
        data = super().clean()
        source = data.get("source")
        if source == CallList.Source.NO_SHOWS and not data.get("source_event"):
            self.add_error("source_event", _("Pick the event."))
        if source == CallList.Source.SIGNERS and not data.get("source_petition"):
            self.add_error("source_petition", _("Pick the petition."))
        return data

    def questions(self) -> list[QuestionInput]:
        out = []
        for i in range(1, QUESTION_SLOTS + 1):
            text = self.cleaned_data.get(f"q{i}_text", "").strip()
            if not text:
                continue
            choices = tuple(
                line.strip()[:80]
                for line in self.cleaned_data.get(f"q{i}_choices", "").splitlines()
                if line.strip()
            )
            kind = self.cleaned_data.get(f"q{i}_kind") or SurveyQuestion.Kind.SINGLE
            out.append(QuestionInput(text=text, kind=kind, choices=choices))
        return out


class AssignForm(forms.Form):
    callers = forms.ModelMultipleChoiceField(
        label=_("Callers"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, callers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["callers"].queryset = callers


class _SurveyFields(forms.Form):
    """The list's survey questions as fields ``q<id>``."""

    def __init__(self, *args, questions, language: str = "en", **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for q in self.questions:
            label = q.text_for(language)
            choices = [(c, c) for c in q.choices]
            if q.kind == SurveyQuestion.Kind.SINGLE:
                field = forms.ChoiceField(
                    label=label, choices=choices, required=False, widget=forms.RadioSelect
                )
            elif q.kind == SurveyQuestion.Kind.MULTIPLE:
                field = forms.MultipleChoiceField(
                    label=label,
                    choices=choices,
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                )
            else:
                field = forms.CharField(
                    label=label,
                    max_length=1000,
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )
            self.fields[f"q{q.pk}"] = field

    def answers(self) -> dict:
        return {q.pk: self.cleaned_data.get(f"q{q.pk}") for q in self.questions}

    def survey_fields(self):
        return [self[f"q{q.pk}"] for q in self.questions]


class ResultForm(_SurveyFields):
    result = forms.ChoiceField(choices=[r for r in CallTarget.Result.choices if r[0] != "texted"])
    notes = forms.CharField(
        label=_("Notes"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    call_back_on = forms.DateField(label=_("Call back on"), required=False, widget=DATE)
    call_back_at = forms.TimeField(label=_("at"), required=False, widget=TIME)


class TextForm(_SurveyFields):
    body = forms.CharField(
        label=_("Your text"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
