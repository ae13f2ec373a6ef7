"""One FilterSet for people: the list page, the CSV export and the API all use it.

It filters a queryset that is already scoped (``contacts_for_user``); its choices (hubs,
owners) are scoped to the requesting user too. Every filter is a GET parameter, so a filtered
list is a shareable URL.
"""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import Assessment, Contact, HubMember, Issue, LadderStage, Tag
from contacts.selectors.people import owner_choices_for_user, tags_for_user
from contacts.selectors.search import apply_search
from hubs.models import Hub
from hubs.selectors.access import hubs_for_user


def _hubs(request):
    return hubs_for_user(request.user) if request is not None else Hub.objects.none()


def _tags(request):
    """Only tags on people the user may see: a tag's name alone can say something about people
    outside their scope."""
    return tags_for_user(request.user) if request is not None else Tag.objects.none()


class ContactFilter(django_filters.FilterSet):
    class Contacted:
        NEVER = "never"
        WITHIN_7 = "within_7"
        OVER_30 = "over_30"
        OVER_90 = "over_90"
        CHOICES = [
            (WITHIN_7, _("In the last 7 days")),
            (OVER_30, _("Not in 30+ days (or never)")),
            (OVER_90, _("Not in 90+ days (or never)")),
            (NEVER, _("Never")),
        ]

    q = django_filters.CharFilter(label=_("Name, phone or email"), method="filter_q")
    hub = django_filters.ModelChoiceFilter(
        label=_("Hub"), queryset=lambda request: _hubs(request), method="filter_hub"
    )
    tag = django_filters.ModelChoiceFilter(
        label=_("Tag"), queryset=lambda request: _tags(request), to_field_name="name",
        field_name="tags",
    )  # fmt: skip
    issue = django_filters.ModelChoiceFilter(
        label=_("Issue"), queryset=Issue.objects.all(), to_field_name="slug", field_name="issues"
    )
    membership = django_filters.ChoiceFilter(
        label=_("Membership"), field_name="membership_status", choices=Contact.Membership.choices
    )
    owner = django_filters.ChoiceFilter(label=_("Organizer"), method="filter_owner")
    contacted = django_filters.ChoiceFilter(
        label=_("Last contacted"), choices=Contacted.CHOICES, method="filter_contacted"
    )
    assessment = django_filters.ChoiceFilter(
        label=_("Assessment"), field_name="assessment", choices=Assessment.Level.choices
    )
    stage = django_filters.ModelChoiceFilter(  # the ladder
        label=_("Ladder stage"), queryset=LadderStage.objects.all(), field_name="ladder_stage"
    )

    class Meta:
        model = Contact
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)

        def owners() -> list[tuple[str, str]]:
            choices = [("mine", _("Mine")), ("none", _("Nobody"))]
            if user is not None and user.is_authenticated:
                choices += [(str(u.pk), str(u)) for u in owner_choices_for_user(user)]
            return choices

        # A callable: the organizers are read when the form is drawn or an owner is asked for,
        # not on every API page that filters by nothing.
        self.filters["owner"].extra["choices"] = owners
        for name, filter_ in self.filters.items():
            if name != "q":
                filter_.extra["empty_label"] = _("Any")

    def filter_q(self, qs: QuerySet[Contact], name: str, value: str) -> QuerySet[Contact]:
        return apply_search(qs, value, user=getattr(self.request, "user", None))

    def filter_hub(self, qs: QuerySet[Contact], name: str, value) -> QuerySet[Contact]:
        return qs.filter(pk__in=HubMember.objects.filter(hub=value).values("contact_id"))

    def filter_owner(self, qs: QuerySet[Contact], name: str, value: str) -> QuerySet[Contact]:
        if value == "mine":
            return qs.filter(owner_id=getattr(self.request.user, "pk", None))
        if value == "none":
            return qs.filter(owner__isnull=True)
        return qs.filter(owner_id=int(value))

    def filter_contacted(self, qs: QuerySet[Contact], name: str, value: str) -> QuerySet[Contact]:
        now = timezone.now()
        if value == self.Contacted.NEVER:
            return qs.filter(last_contacted_at__isnull=True)
        if value == self.Contacted.WITHIN_7:
            return qs.filter(last_contacted_at__gte=now - timedelta(days=7))
        days = 30 if value == self.Contacted.OVER_30 else 90
        return qs.filter(
            Q(last_contacted_at__lt=now - timedelta(days=days)) | Q(last_contacted_at__isnull=True)
        )
