"""Campaigns with goal progress (``campaigns.metrics``) and the report numbers
(``reports.metrics``): the same definitions the pages show, never recomputed here."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample
from rest_framework import serializers

from api.native.serializers.conversations import check_day
from api.native.serializers.hubs import WorkplaceMapOut
from campaigns.models import Campaign, Metric
from campaigns.selectors.access import campaigns_for_user
from hubs.selectors.access import hubs_for_user
from reports.selectors import organizers_for_user

MAX_PERIOD_DAYS = 5 * 366  # as the report pages (reports.forms)


class CampaignOut(serializers.ModelSerializer):
    hubs = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")

    class Meta:
        model = Campaign
        fields = ["id", "slug", "name", "description", "starts_on", "ends_on", "hubs", "created_at"]
        read_only_fields = fields


class PaceOut(serializers.Serializer):
    target = serializers.IntegerField()
    count = serializers.IntegerField()
    percent = serializers.IntegerField(help_text="Of the target, at most 100.")
    expected = serializers.FloatField(help_text="Where it should be by the end of today.")
    on_pace = serializers.BooleanField()
    per_day = serializers.FloatField(
        allow_null=True, help_text="What each day left needs; null once the campaign is over."
    )
    days_left = serializers.IntegerField()


class HubLineOut(serializers.Serializer):
    hub = serializers.CharField(source="hub.slug")
    count = serializers.IntegerField()
    pace = PaceOut(allow_null=True)


class GoalOut(serializers.Serializer):
    metric = serializers.ChoiceField(choices=Metric.choices)
    label = serializers.CharField()
    count = serializers.IntegerField()
    pace = PaceOut(allow_null=True, help_text="The chapter-wide goal, when there is one.")
    hubs = HubLineOut(many=True)


class CampaignDetailOut(CampaignOut):
    goals = GoalOut(many=True, read_only=True, source="goals_progress")

    class Meta(CampaignOut.Meta):
        fields = [*CampaignOut.Meta.fields, "goals"]
        read_only_fields = fields


class ReportQuery(serializers.Serializer):
    """The report pages' filters, with their rules (``reports.forms.ReportFilterForm``): a
    period of at most five years between 1990 and 2100; a hub, campaign or organizer from
    the caller's own choices (anything else is a 400 naming the filter)."""

    start = serializers.DateField(required=False, help_text="From (default: 90 days ago).")
    end = serializers.DateField(required=False, help_text="To, inclusive (default: today).")
    hub = serializers.SlugField(required=False, max_length=120, help_text="A hub's slug.")
    campaign = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="A campaign's id."
    )
    organizer = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="Whose people (a user id)."
    )

    def _user(self):
        return self.context["request"].user

    def validate_start(self, value):
        return check_day(value)

    def validate_end(self, value):
        return check_day(value)

    def validate_hub(self, value):
        hub = hubs_for_user(self._user()).filter(slug=value).first()
        if hub is None:
            raise serializers.ValidationError(_("Pick one of your hubs."))
        return hub

    def validate_campaign(self, value):
        campaign = campaigns_for_user(self._user()).filter(pk=value).first()
        if campaign is None:
            raise serializers.ValidationError(_("Pick one of your campaigns."))
        return campaign

    def validate_organizer(self, value):
        organizer = organizers_for_user(self._user()).filter(pk=value).first()
        if organizer is None:
            raise serializers.ValidationError(_("Pick an organizer you may report on."))
        return organizer

    def validate(self, data):
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                raise serializers.ValidationError(_("“From” must be on or before “To”."))
            if (end - start).days > MAX_PERIOD_DAYS:
                raise serializers.ValidationError(_("Choose a period of at most five years."))
        return data


class PeriodOut(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    hub = serializers.CharField(source="hub.slug", allow_null=True, default=None)


class HeadlineOut(serializers.Serializer):
    period = PeriodOut()
    residents_per_member = serializers.IntegerField(allow_null=True)
    members = serializers.IntegerField()
    active_30 = serializers.IntegerField()
    moved_up = serializers.IntegerField()
    one_on_ones = serializers.IntegerField()


Counts = serializers.DictField(child=serializers.IntegerField())


class DepthRowOut(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    residents = serializers.IntegerField(allow_null=True)
    counts = serializers.DictField(child=serializers.IntegerField())


class DepthOut(serializers.Serializer):
    period = PeriodOut()
    rows = DepthRowOut(many=True)
    unplaced = DepthRowOut()
    total = DepthRowOut()
    residents_per_member = serializers.IntegerField(allow_null=True)


class LadderRowOut(serializers.Serializer):
    stage_id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    position = serializers.IntegerField(allow_null=True)
    now = serializers.IntegerField()
    at_start = serializers.IntegerField()
    moved_up = serializers.IntegerField()
    conversion = serializers.FloatField(allow_null=True)
    median_days_up = serializers.FloatField(allow_null=True)


class FlowOut(serializers.Serializer):
    source = serializers.CharField(help_text='A stage id, or "none".')
    to = serializers.CharField()
    people = serializers.IntegerField()


class LadderOut(serializers.Serializer):
    period = PeriodOut()
    rows = LadderRowOut(many=True)
    moved_up_total = serializers.IntegerField()
    flows = FlowOut(many=True, help_text="People by stage at the start and at the end.")


class OrganizerRowOut(serializers.Serializer):
    user = serializers.IntegerField(source="user.pk")
    name = serializers.SerializerMethodField()
    counts = serializers.DictField(child=serializers.IntegerField())
    conversations = serializers.IntegerField()
    per_week = serializers.FloatField()
    due = serializers.IntegerField()
    on_time = serializers.IntegerField()

    def get_name(self, obj) -> str:
        return obj.user.name or obj.user.email.split("@")[0]


class OrganizersOut(serializers.Serializer):
    period = PeriodOut()
    rows = OrganizerRowOut(many=True)


class HubRowOut(serializers.Serializer):
    hub = serializers.CharField(source="hub.slug")
    name = serializers.CharField(source="hub.name")
    counts = serializers.DictField(child=serializers.IntegerField())
    captains = serializers.IntegerField()
    captains_active = serializers.IntegerField()
    doors = serializers.IntegerField()
    doors_attempted = serializers.IntegerField()
    events_held = serializers.IntegerField()
    rsvps = serializers.IntegerField()


class HubsReportOut(serializers.Serializer):
    period = PeriodOut()
    rows = HubRowOut(many=True)


class RetainedOut(serializers.Serializer):
    offset = serializers.IntegerField(help_text="Months after the first.")
    people = serializers.IntegerField(allow_null=True, help_text="Null: not begun yet.")


class CohortRowOut(serializers.Serializer):
    month = serializers.DateField()
    size = serializers.IntegerField()
    retained = serializers.SerializerMethodField()

    def get_retained(self, obj) -> list[dict]:
        return [{"offset": k, "people": v} for k, v in sorted(obj.retained.items())]


class CohortsOut(serializers.Serializer):
    period = PeriodOut()
    rows = CohortRowOut(many=True)


class HubProgressOut(serializers.Serializer):
    hub = serializers.CharField(source="hub.slug")
    count = serializers.IntegerField()
    pace = PaceOut(allow_null=True)
    trend = serializers.ListField(child=serializers.IntegerField())


class GoalProgressOut(serializers.Serializer):
    campaign = serializers.CharField(source="campaign.slug")
    metric = serializers.ChoiceField(choices=Metric.choices)
    label = serializers.CharField()
    count = serializers.IntegerField()
    pace = PaceOut(allow_null=True)
    days = serializers.ListField(child=serializers.DateField())
    hubs = HubProgressOut(many=True)


class CampaignsReportOut(serializers.Serializer):
    period = PeriodOut()
    goals = GoalProgressOut(many=True)


class WorkplaceReportOut(serializers.Serializer):
    map = WorkplaceMapOut()


class WorkplacesOut(serializers.Serializer):
    period = PeriodOut()
    rows = WorkplaceReportOut(many=True)


class PointOut(serializers.Serializer):
    day = serializers.DateField()
    members = serializers.IntegerField()
    in_top = serializers.IntegerField(help_text="Members in the top 10% of neighborhoods.")
    top_count = serializers.IntegerField()


class ConcentrationOut(serializers.Serializer):
    period = PeriodOut()
    points = PointOut(many=True)


HEADLINE_EXAMPLE = OpenApiExample(
    "The last 90 days in Bushwick",
    value={
        "period": {"start": "2026-09-03", "end": "2026-12-01", "hub": "bushwick"},
        "residents_per_member": 670,
        "members": 212,
        "active_30": 64,
        "moved_up": 19,
        "one_on_ones": 88,
    },
    response_only=True,
)
