"""People and everything the organization records about them.

One person is one record (``Contact``). Phones and emails are rows of their own, normalized
(E.164, lower-case) so that duplicates are found by matching them. What happened with a person
is kept as rows too — interactions (one-on-ones and lighter touches), assessments, follow-ups,
and ``ContactEvent`` for edits, merges and imports — so the person's page is a timeline and
nothing is overwritten.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import OpClass
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower, Reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizer.lib.text import fold

USER = settings.AUTH_USER_MODEL


def display_name(first_name: str, preferred_name: str, last_name: str) -> str:
    """How a person is named on every page and in the API: the name they go by, then the
    family name. A function of the three columns, so that a ``values()`` row names a person
    the same way as a ``Contact``."""
    first = preferred_name or first_name
    return " ".join(part for part in (first, last_name) if part) or str(_("(no name)"))


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class Issue(models.Model):
    """An issue people care about (childcare, housing, transit, …): an editable list."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    is_active = models.BooleanField(_("offered in forms"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("issue")
        verbose_name_plural = _("issues")

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """One person the organization knows. One person is one record."""

    class Membership(models.TextChoices):
        GOOD_STANDING = "good_standing", _("In good standing")
        LAPSED = "lapsed", _("Lapsed")
        NOT_MEMBER = "not_member", _("Not a member")

    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    preferred_name = models.CharField(_("preferred name"), max_length=100, blank=True)
    pronouns = models.CharField(_("pronouns"), max_length=40, blank=True)
    languages = ArrayField(
        models.CharField(max_length=40),
        verbose_name=_("languages spoken"),
        default=list,
        blank=True,
    )

    street = models.CharField(_("street address"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=40, blank=True)
    zip_code = models.CharField(_("ZIP code"), max_length=10, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    neighborhood = models.CharField(_("neighborhood"), max_length=120, blank=True)

    employer = models.CharField(_("employer / workplace"), max_length=200, blank=True)
    union = models.CharField(_("union"), max_length=120, blank=True)

    membership_status = models.CharField(
        _("membership"), max_length=16, choices=Membership.choices, default=Membership.NOT_MEMBER
    )
    member_since = models.DateField(_("member since"), null=True, blank=True)
    dues = models.DecimalField(
        _("monthly dues"), max_digits=8, decimal_places=2, null=True, blank=True
    )

    email_ok = models.BooleanField(_("email OK"), default=True)
    sms_ok = models.BooleanField(_("texts OK"), default=False)
    do_not_contact = models.BooleanField(_("do not contact"), default=False)
    # Asked not to be called (a phone bank's "do not call"): no call or text list includes them.
    do_not_call = models.BooleanField(_("do not call"), default=False)

    tags = models.ManyToManyField(Tag, blank=True, related_name="contacts", verbose_name=_("tags"))
    issues = models.ManyToManyField(
        Issue, blank=True, related_name="contacts", verbose_name=_("issues they care about")
    )
    hubs = models.ManyToManyField("hubs.Hub", through="HubMember", related_name="people")

    owner = models.ForeignKey(
        USER,
        verbose_name=_("organizer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_contacts",
        help_text=_("The organizer who owns the relationship."),
        db_index=False,  # (owner, last_contacted_at) below serves it: one index less to write
    )
    user = models.OneToOneField(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact",
        help_text=_("The user account of this person, if they have one."),
    )
    recruited_by = models.ForeignKey(
        "self",
        verbose_name=_("recruited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recruits",
    )
    source = models.CharField(_("source"), max_length=120, blank=True)

    # Derived, kept in step by the services in the same transaction as their cause.
    assessment = models.PositiveSmallIntegerField(
        _("latest assessment"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    last_contacted_at = models.DateTimeField(_("last contacted"), null=True, blank=True)
    # The ladder (contacts.models.ladder): computed score and stage, an optional hold set by
    # hand, and the "needs rescoring" mark written in the same transaction as the activity.
    score = models.FloatField(_("engagement score"), default=0)
    ladder_stage = models.ForeignKey(
        "contacts.LadderStage",
        verbose_name=_("ladder stage"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
        # Written by the scorer for up to every person at once: instead of a check per row at
        # commit, the scorer holds the stages FOR KEY SHARE (contacts.services.ladder).
        db_constraint=False,
    )
    scored_at = models.DateTimeField(null=True, blank=True)
    # The crossing time: the last moment the stored stage holds by time alone (the decaying
    # score stays at or above the stage's minimum, a time-limited milestone still counts, a
    # hold has not ended). The nightly visits only people past it; null: time cannot move them.
    stage_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    needs_rescore = models.BooleanField(default=False)
    stage_hold = models.ForeignKey(
        "contacts.LadderStage",
        verbose_name=_("stage set by hand"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # rarely queried; fewer indexes to write
    )
    stage_hold_reason = models.CharField(_("why"), max_length=300, blank=True)
    stage_hold_until = models.DateField(_("holds until"), null=True, blank=True)
    stage_hold_by = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # rarely queried; fewer indexes to write
    )
    # Every word of the name folded (accents and case gone): duplicate finding compares it, and
    # the search index (``contacts.models.search``) is built from it.
    name_search = models.TextField(editable=False, default="")

    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # rarely queried; fewer indexes to write
    )
    updated_by = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # rarely queried; fewer indexes to write
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            models.Index(fields=["owner", "last_contacted_at"]),
            models.Index(Lower("last_name"), Lower("first_name"), "id", name="contact_sort_idx"),
            models.Index(fields=["zip_code"]),
            models.Index(
                fields=["id"], condition=models.Q(needs_rescore=True), name="contact_needs_rescore"
            ),
            models.Index(
                fields=["stage_due_at"],
                condition=models.Q(stage_due_at__isnull=False),
                name="contact_stage_due_at",
            ),
            # The reports read everyone's membership, when they were added and when someone
            # last talked to them (hub health's "gone quiet") from this index alone rather than
            # from the wide rows: a third to a half of a report page's time on a big chapter.
            # Membership and the date added rarely change; last_contacted_at is already in the
            # (owner, last_contacted_at) index, so its updates were never HOT anyway.
            models.Index(
                fields=["id"],
                include=["membership_status", "created_at", "last_contacted_at"],
                name="contact_report_cover",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs):
        self.name_search = self.build_name_search()
        super().save(*args, **kwargs)

    def build_name_search(self) -> str:
        return fold(" ".join((self.first_name, self.preferred_name, self.last_name)))

    @property
    def display_name(self) -> str:
        return display_name(self.first_name, self.preferred_name, self.last_name)


class HubMember(models.Model):
    """A person's membership in a hub (neighborhood or workplace)."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        LEADER = "leader", _("Leader")

    # Each is the first column of an index below ((contact, hub) unique, (hub, contact)): no
    # index of its own to write with every member.
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="hub_memberships", db_index=False
    )
    hub = models.ForeignKey(
        "hubs.Hub", on_delete=models.CASCADE, related_name="members", db_index=False
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    since = models.DateField(_("since"), default=timezone.localdate)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "hub"], name="hub_member_unique_contact")
        ]
        indexes = [
            models.Index(fields=["hub", "contact"]),
            # Hub health reads every membership with its hub and date in person order from
            # this index alone, merged with the people read in the same order
            # (contact_report_cover): no million-row hash on a big chapter.
            models.Index(
                fields=["contact"], include=["hub", "since"], name="hub_member_report_cover"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact} in {self.hub}"


class Phone(models.Model):
    """A phone number as typed, and its E.164 form (parsed with ``phonenumbers``)."""

    class Kind(models.TextChoices):
        MOBILE = "mobile", _("Mobile")
        HOME = "home", _("Home")
        WORK = "work", _("Work")
        OTHER = "other", _("Other")

    # (contact, e164) unique below serves lookups by person: no index of its own to write.
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="phones", db_index=False
    )
    raw = models.CharField(_("as typed"), max_length=64)
    e164 = models.CharField(_("number"), max_length=20)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.MOBILE)
    is_primary = models.BooleanField(_("primary"), default=False)
    # Set when a caller reached someone else on this number: call lists skip it from then on.
    wrong_number_at = models.DateTimeField(_("marked wrong number"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contact"], condition=models.Q(is_primary=True), name="one_primary_phone"
            ),
            models.UniqueConstraint(fields=["contact", "e164"], name="phone_unique_per_contact"),
        ]
        indexes = [
            models.Index(
                fields=["e164"], name="phone_e164_pattern_idx", opclasses=["text_pattern_ops"]
            ),
            # The person-finder's "last 4 / last 7 digits": a prefix of the reversed number.
            models.Index(
                OpClass(Reverse("e164"), name="text_pattern_ops"), name="phone_e164_reversed_idx"
            ),
            # A phone bank's "next person" skips numbers marked wrong: few rows, one probe.
            models.Index(
                fields=["contact", "e164"],
                condition=models.Q(wrong_number_at__isnull=False),
                name="phone_wrong_number_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.e164


class Email(models.Model):
    # (contact, address) unique below serves lookups by person: no index of its own to write.
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="emails", db_index=False
    )
    address = models.EmailField(_("email"), max_length=254)
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contact"], condition=models.Q(is_primary=True), name="one_primary_email"
            ),
            models.UniqueConstraint(fields=["contact", "address"], name="email_unique_per_contact"),
        ]
        indexes = [
            models.Index(
                fields=["address"], name="email_address_pattern_idx", opclasses=["text_pattern_ops"]
            )
        ]

    def __str__(self) -> str:
        return self.address

    def save(self, *args, **kwargs):
        # Stored trimmed and lower-cased: matching is case-insensitive by construction.
        self.address = (self.address or "").strip().lower()
        super().save(*args, **kwargs)


class ExternalId(models.Model):
    """An identifier another tool gave this person; imports match on these first."""

    class System(models.TextChoices):
        VAN = "van", _("VAN ID")
        ACTION_NETWORK = "action_network", _("Action Network")
        MOBILIZE = "mobilize", _("Mobilize")
        SOLIDARITY_TECH = "solidarity_tech", _("Solidarity Tech")
        MEMBER_NUMBER = "member_number", _("Member number")
        OTHER = "other", _("Other")

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="external_ids")
    system = models.CharField(_("system"), max_length=20, choices=System.choices)
    value = models.CharField(_("identifier"), max_length=120)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["system", "value"], name="external_id_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_system_display()} {self.value}"


class Relationship(models.Model):
    """Who knows whom (recruitment is ``Contact.recruited_by``)."""

    class Kind(models.TextChoices):
        FAMILY = "family", _("Family")
        COWORKER = "coworker", _("Coworker")
        NEIGHBOR = "neighbor", _("Neighbor")
        FRIEND = "friend", _("Friend")

    from_contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="relationships_from"
    )
    to_contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="relationships_to"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["from_contact", "to_contact", "kind"], name="relationship_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(from_contact=models.F("to_contact")),
                name="relationship_not_self",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_contact} — {self.get_kind_display()} — {self.to_contact}"


class Interaction(models.Model):
    """A conversation or touch: a one-on-one, or a lighter call/text/door knock/meeting."""

    class Kind(models.TextChoices):
        ONE_ON_ONE = "one_on_one", _("One-on-one")
        CALL = "call", _("Call")
        TEXT = "text", _("Text")
        DOOR_KNOCK = "door_knock", _("Door knock")
        MEETING = "meeting", _("Meeting")
        OTHER = "other", _("Other")

    class Medium(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        PHONE = "phone", _("Phone")
        VIDEO = "video", _("Video")

    class Answer(models.TextChoices):
        YES = "yes", _("Yes")
        MAYBE = "maybe", _("Maybe")
        NO = "no", _("No")

    class Outcome(models.TextChoices):  # of a call: the one tap after coming back from it
        TALKED = "talked", _("Talked")
        NO_ANSWER = "no_answer", _("No answer")
        LEFT_MESSAGE = "left_message", _("Left a message")
        WRONG_NUMBER = "wrong_number", _("Wrong number")

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="interactions")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    happened_at = models.DateTimeField(_("when"), default=timezone.now)
    medium = models.CharField(_("how"), max_length=12, choices=Medium.choices, blank=True)
    notes = models.TextField(_("their story / notes"), blank=True)
    issues = models.ManyToManyField(Issue, blank=True, related_name="interactions")
    ask = models.CharField(_("the ask"), max_length=300, blank=True)
    answer = models.CharField(_("their answer"), max_length=8, choices=Answer.choices, blank=True)
    commitment = models.CharField(_("what they committed to"), max_length=300, blank=True)
    outcome = models.CharField(
        _("call outcome"), max_length=16, choices=Outcome.choices, blank=True
    )
    is_sensitive = models.BooleanField(
        _("sensitive"), default=False, help_text=_("Visible only to its author and staff.")
    )
    author = models.ForeignKey(
        USER, null=True, on_delete=models.SET_NULL, related_name="interactions"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Sent by the form; a second submit with the same token returns the first record.
    client_token = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-happened_at", "-pk"]
        indexes = [
            models.Index(fields=["contact", "-happened_at"]),
            models.Index(fields=["author", "-happened_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} with {self.contact} on {self.happened_at:%Y-%m-%d}"


class Assessment(models.Model):
    """The union-organizing 1–5 scale (1 strongest). Dated and by someone; the latest counts."""

    class Level(models.IntegerChoices):
        LEADER = 1, _("1 · Leader")
        SUPPORTER = 2, _("2 · Supporter who takes action")
        UNDECIDED = 3, _("3 · Undecided")
        LEANING_AGAINST = 4, _("4 · Leaning against")
        OPPOSED = 5, _("5 · Opposed")

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="assessments")
    level = models.PositiveSmallIntegerField(_("assessment"), choices=Level.choices)
    assessed_at = models.DateTimeField(default=timezone.now)
    assessed_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    interaction = models.ForeignKey(
        Interaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="assessments"
    )

    class Meta:
        ordering = ["-assessed_at", "-pk"]
        indexes = [models.Index(fields=["contact", "-assessed_at"])]

    def __str__(self) -> str:
        return f"{self.contact}: {self.level}"


class FollowUp(models.Model):
    """A dated task for an organizer about a person ("call Ana back about the potluck")."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="follow_ups")
    assigned_to = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="follow_ups")
    due_on = models.DateField(_("due"))
    what = models.CharField(_("what"), max_length=300)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    interaction = models.ForeignKey(
        Interaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(
                fields=["assigned_to", "due_on"],
                condition=models.Q(status="open"),
                name="followup_open_due_idx",
            ),
            models.Index(fields=["contact", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.what} ({self.contact}, {self.due_on})"


class ContactEvent(models.Model):
    """The history of a person: who changed what and when (edits, merges, imports, exports)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        EDITED = "edited", _("Edited")
        MERGED = "merged", _("Merged")
        IMPORTED = "imported", _("Imported")
        FOLLOW_UP = "follow_up", _("Follow-up")
        OTHER = "other", _("Other")

    # (contact, -at) below serves lookups by person: no index of its own to write.
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # never looked up by actor; one line per person per import to write
    )
    summary = models.CharField(max_length=300)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["contact", "-at"])]

    def __str__(self) -> str:
        return self.summary


class ImportJob(models.Model):
    """A CSV import: the file, the column mapping, its progress and its report."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed — nothing was changed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    filename = models.CharField(max_length=255)
    # The uploaded file, under settings.IMPORT_UPLOAD_DIR (removed once imported).
    path = models.CharField(max_length=255, blank=True)
    size = models.BigIntegerField(default=0)
    encoding = models.CharField(max_length=20, blank=True)
    source_format = models.CharField(max_length=40, blank=True)
    mapping = models.JSONField(default=dict)
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Last sign of life: set when the job is queued, then every few seconds by its worker. A
    # running job whose heartbeat stops is taken up again by the sweep (see ``attempts``).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["heartbeat_at"],
                name="importjob_waiting",
                condition=models.Q(status__in=["pending", "running"]),
            )
        ]

    def __str__(self) -> str:
        return f"Import {self.filename} ({self.get_status_display()})"


class ImportRejection(models.Model):
    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rejections")
    line = models.PositiveIntegerField()
    reason = models.CharField(max_length=300)
    row = models.JSONField(default=dict)

    class Meta:
        ordering = ["line"]

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


class ExportLog(models.Model):
    """Every export is recorded: who, when, what filter, how many rows."""

    user = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    what = models.CharField(max_length=60)
    query = models.CharField(max_length=1000, blank=True)
    row_count = models.PositiveIntegerField()

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.what} by {self.user} ({self.row_count} rows)"
