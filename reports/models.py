"""What the reports need that no other app holds: the neighborhoods depth is measured against
(residents, ZIP codes, an optional shape) and the weekly summary's delivery rows."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizer.lib.geo import PolygonField


class Neighborhood(models.Model):
    """A place depth is measured in. A person belongs to the first neighborhood (by id) whose
    ZIP codes hold their ZIP, else the first whose shape holds their map point."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    residents = models.PositiveIntegerField(_("residents"))
    zip_codes = ArrayField(
        models.CharField(max_length=5), verbose_name=_("ZIP codes"), default=list, blank=True
    )
    shape = PolygonField(_("shape"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("neighborhood")
        verbose_name_plural = _("neighborhoods")

    def __str__(self) -> str:
        return self.name


class WeeklySummary(models.Model):
    """One weekly report email per recipient and week: the unique constraint is the guarantee."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week = models.DateField()  # the Monday the week starts
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "week"], name="weekly_summary_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.week}: {self.status}"


class Reach(models.Model):
    """Votes or supporters identified in a neighborhood, from an imported election or canvass
    result ("2025 primary: votes for our candidate"). Set against depth in the reports."""

    source = models.CharField(_("result"), max_length=120)
    neighborhood = models.ForeignKey(Neighborhood, on_delete=models.CASCADE, related_name="reach")
    supporters = models.PositiveIntegerField(_("votes or supporters"))
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "neighborhood"], name="reach_once_per_place")
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.neighborhood} {self.supporters}"


class DistrictReach(models.Model):
    """Votes or supporters identified in an election district (``campaigns.District``), from an
    imported election or canvass result. Who lives in the district is the campaigns app's rule
    (``campaigns.selectors.pressure.district_residents_sql``: its shape, else its ZIP codes)."""

    source = models.CharField(_("result"), max_length=120)
    district = models.ForeignKey(
        "campaigns.District", on_delete=models.CASCADE, related_name="reach"
    )
    supporters = models.PositiveIntegerField(_("votes or supporters"))
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "district"], name="reach_once_per_district")
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.district_id} {self.supporters}"


class PersonFact(models.Model):
    """Read only: the materialized view ``reports_personfact``, one row per person with what the
    reports would otherwise recompute for everyone on every page: their neighborhood (the rule
    on :class:`Neighborhood`), their first activity ever, and — as of the refresh — their last
    activity and their ladder stage. Rewritten by
    ``reports.services.person_facts_refresh`` (Celery beat, neighborhood imports, and staff's
    "Refresh now"); :class:`ReportRefresh` says when. People added since are in no neighborhood
    and no cohort until the next refresh, in the counts and their lists alike."""

    contact = models.OneToOneField(
        "contacts.Contact",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        related_name="report_fact",
        db_constraint=False,
    )
    neighborhood = models.ForeignKey(
        Neighborhood, null=True, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    first_active_at = models.DateTimeField(null=True)
    # What depends on "now", as of the refresh: the latest activity and the stage of the latest
    # ladder move before it. Read for periods ending after the refresh (reports.metrics).
    last_active_at = models.DateTimeField(null=True)
    stage = models.ForeignKey(
        "contacts.LadderStage",
        null=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    moved_at = models.DateTimeField(null=True)  # the latest move: when (its stage: ``stage``)
    prev_stage = models.ForeignKey(  # the move before it: to which stage, and when
        "contacts.LadderStage",
        null=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    prev_moved_at = models.DateTimeField(null=True)

    class Meta:
        managed = False
        db_table = "reports_personfact"

    def __str__(self) -> str:
        return f"{self.contact_id}: {self.neighborhood_id} {self.first_active_at}"


class PersonDistrict(models.Model):
    """Who lives in which election district, as of the last refresh of the person facts: a row
    per person and district, written by ``reports.services.person_facts_refresh`` with the
    campaigns app's one rule (``campaigns.selectors.pressure.district_residents_sql``). The
    reach-by-district counts and their lists read these rows, so they agree; people added or
    moved since count from the next refresh."""

    pk = models.CompositePrimaryKey("contact", "district")
    contact = models.ForeignKey(  # the key's index serves look-ups by person
        "contacts.Contact",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    district = models.ForeignKey(
        "campaigns.District", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )

    def __str__(self) -> str:
        return f"{self.contact_id} in {self.district_id}"


class ReportRefresh(models.Model):
    """When a precomputed report table was last rewritten (the pages' "as of" line)."""

    name = models.CharField(max_length=40, unique=True)
    refreshed_at = models.DateTimeField()  # the moment the data was read (the refresh's start)
    seconds = models.FloatField(default=0)
    rows = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} as of {self.refreshed_at:%Y-%m-%d %H:%M}"
