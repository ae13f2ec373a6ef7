"""The ladder of engagement and the engagement score.

Everything a person does that earns points is a row in ``Activity`` (one ledger, written by
whichever feature saw it happen: one-on-ones here, door knocks in hubs, events and petitions in
campaigns). The scorer aggregates that one table with set-based SQL, so a new kind of activity
plugs in by writing rows and giving its kind a weight — the scorer does not change.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class Milestone(models.TextChoices):
    """Milestones a stage may require; each is one set-based SQL test in the scorer."""

    HAD_ONE_ON_ONE = "had_one_on_one", _("Has had a one-on-one")
    ATTENDED_2_EVENTS_90D = "attended_2_events_90d", _("Attended 2+ events in 90 days")
    VOLUNTEERED_SHIFT = "volunteered_shift", _("Volunteered a shift")
    LED_ACTION = "led_action", _("Led an action or event")
    RECRUITED_SOMEONE = "recruited_someone", _("Recruited someone")
    MEMBER_IN_GOOD_STANDING = "member_in_good_standing", _("Member in good standing")


class LadderStage(models.Model):
    position = models.PositiveSmallIntegerField(_("order"), unique=True)
    name = models.CharField(_("name"), max_length=60)
    description = models.TextField(_("description"), blank=True)
    min_score = models.FloatField(_("minimum score"), default=0)
    milestones = ArrayField(
        models.CharField(max_length=40, choices=Milestone.choices),
        verbose_name=_("required milestones"),
        default=list,
        blank=True,
    )

    class Meta:
        ordering = ["position"]
        verbose_name = _("ladder stage")
        verbose_name_plural = _("ladder stages")

    def __str__(self) -> str:
        return self.name


class ActivityWeight(models.Model):
    """Points one unit of a kind of activity earns. Kinds are open: later features add rows."""

    kind = models.CharField(_("kind"), max_length=40, unique=True)
    label = models.CharField(_("label"), max_length=80)
    points = models.FloatField(_("points"), default=1)

    class Meta:
        ordering = ["kind"]

    def __str__(self) -> str:
        return f"{self.label}: {self.points}"


class ScoringSettings(models.Model):
    """One row (pk=1): how fast old activity fades."""

    half_life_days = models.PositiveIntegerField(_("half-life (days)"), default=90)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("scoring settings")
        verbose_name_plural = _("scoring settings")

    def __str__(self) -> str:
        return f"half-life {self.half_life_days} days"

    @classmethod
    def load(cls) -> ScoringSettings:
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class Activity(models.Model):
    """Something a person did that counts. ``(source, source_id, kind)`` is unique, so the
    writer that records an activity twice (a retried task, a replayed tap) records it once."""

    class Kind(models.TextChoices):
        ONE_ON_ONE = "one_on_one", _("Had a one-on-one")
        EVENT_ATTENDED = "event_attended", _("Attended an event")
        SHIFT = "shift", _("Volunteered a shift")
        DOOR_KNOCKED = "door_knocked", _("Knocked a door as a volunteer")
        SIGNATURES = "signatures", _("Gathered petition signatures")
        PETITION_SIGNED = "petition_signed", _("Signed a petition")
        RECRUITED = "recruited", _("Recruited someone")
        EVENT_LED = "event_led", _("Led an event or action")
        PRESSURE_ACTION = "pressure_action", _("Called, wrote or visited a decision-maker")

    # (contact, kind, occurred_at) below serves lookups by person: no index of its own to write.
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="activities", db_index=False
    )
    kind = models.CharField(max_length=40)  # Kind values, or a kind a later feature adds
    occurred_at = models.DateTimeField(default=timezone.now)
    quantity = models.FloatField(default=1)
    source = models.CharField(max_length=40)
    source_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id", "kind"], name="activity_unique_source"
            )
        ]
        indexes = [
            models.Index(fields=["contact", "kind", "occurred_at"]),
            # Who was active in a window (reports: "active in the last 90 days"): one range scan
            models.Index(fields=["occurred_at", "contact"], name="activity_time_contact"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} by {self.contact_id} at {self.occurred_at:%Y-%m-%d}"


class LadderMove(models.Model):
    """Every change of stage, computed or by hand: from, to, when, why.

    A full rescore inserts up to one row per person in one statement, so the table keeps only
    the indexes its readers use ((contact, -at) also serves the contact foreign key), and the
    references to stages and to the user are not database constraints: each is checked per
    row at commit (a million checks for a first rescore), while the scorer takes stage ids
    from the stage table in the same statement and deletions go through the ORM, which sets
    them to null (``on_delete``; a scan of this table on the rare stage or user deletion)."""

    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.CASCADE,
        related_name="ladder_moves",
        db_index=False,  # the (contact, -at) index serves it
    )
    from_stage = models.ForeignKey(
        LadderStage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    to_stage = models.ForeignKey(
        LadderStage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=300)
    manual = models.BooleanField(default=False)
    by = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["contact", "-at"]), models.Index(fields=["at"])]

    def __str__(self) -> str:
        return f"{self.contact_id}: {self.from_stage_id} → {self.to_stage_id}"


class RescoreJob(models.Model):
    """A full rescore in the background (after the ladder or the points change), with progress."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed")

    reason = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    moves = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Written by the running worker at every stage (the aggregate, each batch); a running job
    # whose heartbeat is older than ``HEARTBEAT_STALE_SECONDS`` lost its worker and is taken
    # up again. ``attempts`` counts claims and is the token a worker's heartbeats must match.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Rescore ({self.get_status_display()}): {self.reason}"
