"""Campaigns, their goals, events with shifts, RSVPs and sign-in, recruiter links, and the
messages events send.

Nothing here stores a count: a campaign's progress is computed from the records (door results,
interactions, the activity ledger, RSVPs) by ``campaigns.metrics``. A goal holds only the
target. One person has one RSVP per event (``rsvp_one_per_person``); one message goes to a
person per event, kind, channel and revision of the event (``event_message_once``).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GistIndex
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizer.lib.geo import PolygonField

USER = settings.AUTH_USER_MODEL


class Metric(models.TextChoices):
    """What a goal counts. Each has one definition in ``campaigns.metrics``."""

    SIGNATURES = "signatures", _("Petition signatures")
    DOORS_KNOCKED = "doors_knocked", _("Doors knocked")
    CONVERSATIONS = "conversations", _("Conversations at the door")
    ONE_ON_ONES = "one_on_ones", _("One-on-ones")
    NEW_VOLUNTEERS = "new_volunteers", _("New volunteers")
    RSVPS = "rsvps", _("RSVPs")
    ATTENDANCE = "attendance", _("Attendance")
    CALLS_MADE = "calls_made", _("Calls made")
    PHONE_CONVERSATIONS = "phone_conversations", _("Phone bank conversations")
    PRESSURE_ACTIONS = "pressure_actions", _("Pressure actions")


class Campaign(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    hubs = models.ManyToManyField(
        "hubs.Hub", related_name="campaigns", verbose_name=_("hubs taking part")
    )
    turfs = models.ManyToManyField(
        "hubs.Turf", blank=True, related_name="campaigns", verbose_name=_("turf")
    )
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Goal(models.Model):
    """A target for one metric, chapter-wide (``hub`` empty) or for one hub."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="goals")
    metric = models.CharField(_("metric"), max_length=20, choices=Metric.choices)
    hub = models.ForeignKey(
        "hubs.Hub",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("hub"),
    )
    target = models.PositiveIntegerField(
        _("target"), validators=[MinValueValidator(1), MaxValueValidator(10_000_000)]
    )

    class Meta:
        ordering = ["metric", "hub__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "metric", "hub"],
                name="goal_one_per_metric_and_hub",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()}: {self.target}"


class Event(models.Model):
    class Kind(models.TextChoices):
        HUB_MEETING = "hub_meeting", _("Hub meeting")
        POTLUCK = "potluck", _("Potluck")
        CANVASS_LAUNCH = "canvass_launch", _("Canvass launch")
        TRAINING = "training", _("Training")
        ACTION = "action", _("Action")
        SOCIAL = "social", _("Social")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELED = "canceled", _("Canceled")

    title = models.CharField(_("title"), max_length=140)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    hub = models.ForeignKey(
        "hubs.Hub", on_delete=models.PROTECT, related_name="events", verbose_name=_("hub")
    )
    campaign = models.ForeignKey(
        Campaign,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        verbose_name=_("campaign"),
    )
    organizer = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events_led",
        verbose_name=_("organizer responsible"),
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    latitude = models.FloatField(
        _("latitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.FloatField(
        _("longitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    online_url = models.URLField(_("online link"), blank=True, max_length=300)
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, validators=[MaxValueValidator(100_000)]
    )
    is_public = models.BooleanField(_("public page"), default=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    # Bumped whenever the time or place changes: calendar files and "moved" notices follow it.
    revision = models.PositiveIntegerField(default=0)
    led_by = models.ForeignKey(
        "contacts.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("led by"),
        help_text=_("The person (a supporter or leader) who leads it: it counts on their ladder."),
    )
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["hub", "starts_at"]), models.Index(fields=["starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")),
                name="event_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_canceled(self) -> bool:
        return self.status == self.Status.CANCELED


class Shift(models.Model):
    """A time slot of an event with its own capacity (a canvass's 10–12 and 12–2)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="shifts")
    label = models.CharField(_("label"), max_length=80, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, validators=[MaxValueValidator(100_000)]
    )

    class Meta:
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return self.label or f"{timezone.localtime(self.starts_at):%H:%M}"


class RecruiterCode(models.Model):
    """A person's personal code: ``?r=<code>`` on any event or hub page credits them."""

    code = models.CharField(max_length=16, unique=True)
    contact = models.OneToOneField(
        "contacts.Contact", on_delete=models.CASCADE, related_name="recruiter_code"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.code

    @staticmethod
    def new_code() -> str:
        return secrets.token_urlsafe(6)


class Rsvp(models.Model):
    class Status(models.TextChoices):
        GOING = "going", _("Going")
        CANCELED = "canceled", _("Canceled")

    class Source(models.TextChoices):
        PUBLIC = "public", _("Public page")
        KIOSK = "kiosk", _("Walk-in at the door")
        STAFF = "staff", _("Added by an organizer")
        SYNC = "sync", _("Synced from another tool")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rsvps")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="rsvps")
    shift = models.ForeignKey(
        Shift, null=True, blank=True, on_delete=models.SET_NULL, related_name="rsvps"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.GOING)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.PUBLIC)
    recruited_by = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sms_consent = models.BooleanField(default=False)
    consent_text = models.CharField(max_length=400, blank=True)
    consent_at = models.DateTimeField(null=True, blank=True)
    attended_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    walk_in = models.BooleanField(default=False)
    first_time = models.BooleanField(default=False)  # set at sign-in: no earlier attendance
    follow_up = models.ForeignKey(
        "contacts.FollowUp", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    client_token = models.UUIDField(null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "contact"], name="rsvp_one_per_person")
        ]
        indexes = [
            models.Index(fields=["event", "status"]),
            models.Index(fields=["contact", "attended_at"]),
            models.Index(fields=["recruited_by"]),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} → {self.event_id} ({self.status})"


class EventMessage(models.Model):
    """One message to one person about one event: a confirmation, a reminder, a notice.

    ``(event, contact, kind, channel, revision)`` is unique, so planning twice plans once; a
    worker claims the row with a conditional UPDATE before sending (see services/messages.py).
    """

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("Confirmation")
        DAY_BEFORE = "day_before", _("Reminder the day before")
        TWO_HOURS = "two_hours", _("Reminder two hours before")
        CANCELED = "canceled", _("Canceled notice")
        MOVED = "moved", _("Changed time or place notice")

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("Text message")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to send")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="messages")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=14, choices=Kind.choices)
    channel = models.CharField(max_length=6, choices=Channel.choices)
    revision = models.PositiveIntegerField(default=0)
    to = models.CharField(max_length=254)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "contact", "kind", "channel", "revision"],
                name="event_message_once",
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.channel} to {self.contact_id} for {self.event_id}"


class Petition(models.Model):
    """A petition of a campaign, addressed to a target (a name or an office, free text for now).

    Its signatures are :class:`Signature` rows, one per person; the count is never stored."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="petitions", verbose_name=_("campaign")
    )
    title = models.CharField(_("title"), max_length=140)
    text = models.TextField(_("text"), max_length=4000)
    title_es = models.CharField(_("title in Spanish"), max_length=140, blank=True)
    text_es = models.TextField(_("text in Spanish"), max_length=4000, blank=True)
    target_name = models.CharField(
        _("addressed to"),
        max_length=200,
        help_text=_("Who receives it: a name or an office (the mayor, the landlord)."),
    )
    target = models.ForeignKey(
        "campaigns.Target",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="petitions",
        verbose_name=_("target"),
        help_text=_("The official it is addressed to, when they are in the list of targets."),
    )
    goal = models.PositiveIntegerField(
        _("signature goal"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10_000_000)],
    )
    is_public = models.BooleanField(_("public page"), default=True)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def title_for(self, language: str) -> str:
        return self.title_es if language.startswith("es") and self.title_es else self.title

    def text_for(self, language: str) -> str:
        return self.text_es if language.startswith("es") and self.text_es else self.text


class Signature(models.Model):
    """One person's signature on one petition (``signature_one_per_person``), from wherever it
    was gathered: the public page, a door, an event's sign-in or a paper sheet."""

    class Source(models.TextChoices):
        ONLINE = "online", _("Online")
        DOOR = "door", _("At the door")
        EVENT = "event", _("At an event")
        PAPER = "paper", _("Paper sheet")

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="signatures")
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="signatures"
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    signed_at = models.DateTimeField(default=timezone.now)
    collected_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recruited_by = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    consent_text = models.CharField(max_length=400, blank=True)
    consent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["petition", "contact"], name="signature_one_per_person")
        ]
        indexes = [models.Index(fields=["petition", "signed_at"])]

    def __str__(self) -> str:
        return f"{self.contact_id} signed {self.petition_id} ({self.source})"


# --- Targets and pressure -----------------------------------------------------------------------


class District(models.Model):
    """An election district (a state senate seat, an assembly seat, a council district …):
    optionally its shape (a core PostgreSQL ``polygon`` of (longitude, latitude) points, tested
    with ``@>`` like turf), and the ZIP codes in it (:class:`DistrictZip`)."""

    class Kind(models.TextChoices):
        CONGRESS = "congress", _("Congress")
        STATE_SENATE = "state_senate", _("State senate")
        ASSEMBLY = "assembly", _("State assembly")
        COUNCIL = "council", _("City council")
        OTHER = "other", _("Other")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("district"), max_length=60, help_text=_("Its number or name."))
    shape = PolygonField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="district_unique_kind_name")
        ]
        indexes = [GistIndex(fields=["shape"], name="district_shape_gist")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"


class DistrictZip(models.Model):
    """One row of the ZIP → district table. A ZIP that crosses a line is in several districts."""

    zip_code = models.CharField(_("ZIP code"), max_length=5)
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="zips")

    class Meta:
        ordering = ["zip_code", "district"]
        constraints = [
            models.UniqueConstraint(fields=["zip_code", "district"], name="district_zip_unique")
        ]
        indexes = [models.Index(fields=["zip_code"])]

    def __str__(self) -> str:
        return f"{self.zip_code} → {self.district_id}"


class Target(models.Model):
    """An official or decision-maker. With a district, they are shown to the people living in
    it; without one (a governor, a mayor) to everyone."""

    class Level(models.TextChoices):
        FEDERAL = "federal", _("Federal")
        STATE = "state", _("State")
        CITY = "city", _("City")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=120)
    office = models.CharField(
        _("office"), max_length=120, help_text=_("State Senator, Governor, Council Member …")
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    district = models.ForeignKey(
        District,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="targets",
        verbose_name=_("district"),
        help_text=_("Empty for an office the whole state or city elects (the governor)."),
    )
    phone = models.CharField(_("office phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), max_length=254, blank=True)
    office_address = models.CharField(_("office address"), max_length=300, blank=True)
    is_active = models.BooleanField(_("in office"), default=True)
    campaigns = models.ManyToManyField(
        Campaign, blank=True, related_name="targets", verbose_name=_("campaigns")
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["level", "office", "name"]

    def __str__(self) -> str:
        return f"{self.office} {self.name}"


class PressurePage(models.Model):
    """A campaign's public "call your legislator" page: its script (English and Spanish) and
    the email it prefills. The targets are the campaign's (``Target.campaigns``)."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="pressure")
    is_public = models.BooleanField(_("public page"), default=True)
    ask = models.CharField(
        _("the ask"), max_length=200, help_text=_("One line: what to tell them.")
    )
    ask_es = models.CharField(_("the ask in Spanish"), max_length=200, blank=True)
    script = models.TextField(_("call script"), max_length=3000)
    script_es = models.TextField(_("call script in Spanish"), max_length=3000, blank=True)
    email_subject = models.CharField(_("email subject"), max_length=150)
    email_subject_es = models.CharField(_("email subject in Spanish"), max_length=150, blank=True)
    email_body = models.TextField(_("email text"), max_length=3000)
    email_body_es = models.TextField(_("email text in Spanish"), max_length=3000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Pressure page of {self.campaign_id}"

    def for_language(self, language: str) -> dict:
        es = (language or "").startswith("es")

        def pick(name: str) -> str:
            return (es and getattr(self, f"{name}_es")) or getattr(self, name)

        return {k: pick(k) for k in ("ask", "script", "email_subject", "email_body")}


class PressureAction(models.Model):
    """Something a person did toward a target for a campaign. One person, target, kind and
    campaign counts once a day (``pressure_action_once_a_day``): tapping "I called" twice, or
    a flood from one phone number, is one action."""

    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        EMAIL = "email", _("Email")
        LETTER = "letter", _("Letter")
        VISIT = "visit", _("Visit")
        TESTIMONY = "testimony", _("Testimony")

    class Source(models.TextChoices):
        PUBLIC = "public", _("Public page")
        ORGANIZER = "organizer", _("Logged by an organizer")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="pressure_actions"
    )
    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="actions")
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="pressure_actions"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    source = models.CharField(max_length=10, choices=Source.choices)
    notes = models.TextField(_("how it went"), max_length=1000, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    day = models.DateField()  # occurred_at's day in the chapter's time zone
    logged_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recruited_by = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    consent_text = models.CharField(max_length=400, blank=True)
    consent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "target", "contact", "kind", "day"],
                name="pressure_action_once_a_day",
            )
        ]
        indexes = [
            models.Index(fields=["campaign", "occurred_at"]),
            models.Index(fields=["contact", "occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} {self.kind} {self.target_id}"


# --- Phone banks --------------------------------------------------------------------------------
# A call list is a snapshot of people (``CallTarget``, one row per person) built once from a
# source; callers claim one row at a time (``campaigns.services.calls``). A row is worked once:
# its result is final. Survey answers live on the person (``SurveyAnswer``: one per person and
# question), so a second list asking the same question updates the same answer.


class CallList(models.Model):
    class Kind(models.TextChoices):
        CALL = "call", _("Phone bank (calls)")
        TEXT = "text", _("Text bank (texts)")

    class Source(models.TextChoices):
        PEOPLE = "people", _("People matching a filter")
        NO_SHOWS = "no_shows", _("An event's no-shows")
        SIGNERS = "signers", _("A petition's signers")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="call_lists", verbose_name=_("campaign")
    )
    hub = models.ForeignKey(
        "hubs.Hub", on_delete=models.CASCADE, related_name="call_lists", verbose_name=_("hub")
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.CALL)
    script = models.TextField(_("script"), max_length=4000)
    script_es = models.TextField(_("script in Spanish"), max_length=4000, blank=True)
    source = models.CharField(_("who is on it"), max_length=10, choices=Source.choices)
    source_query = models.CharField(_("People filter"), max_length=1000, blank=True)
    source_event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_petition = models.ForeignKey(
        Petition, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    claim_minutes = models.PositiveSmallIntegerField(
        _("minutes a caller holds a person"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    callers = models.ManyToManyField(USER, blank=True, related_name="call_lists")
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    built_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name

    def script_for(self, language: str) -> str:
        return self.script_es if language.startswith("es") and self.script_es else self.script


class SurveyQuestion(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("One choice")
        MULTIPLE = "multiple", _("Several choices")
        TEXT = "text", _("Free text")

    call_list = models.ForeignKey(CallList, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("question"), max_length=300)
    text_es = models.CharField(_("question in Spanish"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    choices = ArrayField(
        models.CharField(max_length=80), verbose_name=_("choices"), default=list, blank=True
    )

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text

    def text_for(self, language: str) -> str:
        return self.text_es if language.startswith("es") and self.text_es else self.text


class CallTarget(models.Model):
    """One person on a call list. Open while ``result`` is empty; a caller holds it while
    ``claimed_until`` is in the future (``claimed_by``)."""

    class Result(models.TextChoices):
        NO_ANSWER = "no_answer", _("No answer")
        LEFT_MESSAGE = "left_message", _("Left a message")
        TALKED = "talked", _("Talked")
        WRONG_NUMBER = "wrong_number", _("Wrong number")
        CALL_BACK = "call_back", _("Call back later")
        DO_NOT_CALL = "do_not_call", _("Do not call")
        TEXTED = "texted", _("Text sent")

    # A claim is an UPDATE that writes an entry into every index whose predicate its row meets
    # (it changes ``claimed_by``, so it is never a HOT update): the list's rows are found
    # through call_target_once (its first column), and the indexes on what only a result sets
    # hold worked rows only.
    call_list = models.ForeignKey(
        CallList, on_delete=models.CASCADE, related_name="targets", db_index=False
    )
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="call_targets"
    )
    phone = models.CharField(max_length=20)  # E.164, the number chosen when the list was built
    # Only the claim's indexes on the two users (call_target_held_idx, _caller_idx): every
    # claim and result writes these columns (each index is one more write per tap).
    claimed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    claimed_until = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=16, choices=Result.choices, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    interaction = models.ForeignKey(
        "contacts.Interaction",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # call_target_interaction_idx: recorded rows only
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["call_list", "contact"], name="call_target_once")
        ]
        indexes = [
            # The claim: the first open row of a list (worked rows leave the index).
            models.Index(
                fields=["call_list", "id"],
                condition=models.Q(result=""),
                name="call_target_open_idx",
            ),
            # The row a caller holds (a handful per caller, whatever their history), in id
            # order: the claim's ORDER BY is the index's, so no plan walks the list for it.
            models.Index(
                fields=["claimed_by", "call_list", "id"],
                condition=models.Q(result=""),
                name="call_target_held_idx",
            ),
            # Where the caller left off (their last row on the list, worked or not): the claim
            # looks for the next open row after it instead of walking from the list's start
            # over every row already worked (and their dead index entries, which a busy
            # database may not clean for a while).
            models.Index(fields=["claimed_by", "call_list", "id"], name="call_target_caller_idx"),
            models.Index(
                fields=["call_list", "completed_at"],
                condition=models.Q(completed_at__isnull=False),
                name="call_target_done_idx",
            ),
            # An interaction's rows, when it is deleted (SET NULL).
            models.Index(
                fields=["interaction"],
                condition=models.Q(interaction__isnull=False),
                name="call_target_interaction_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} on {self.call_list_id} ({self.result or 'open'})"


class SurveyAnswer(models.Model):
    """A person's answer to a survey question (the latest one; answered again, it changes)."""

    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="answers")
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="survey_answers"
    )
    choices = ArrayField(models.CharField(max_length=80), default=list, blank=True)
    text = models.CharField(max_length=1000, blank=True)
    answered_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "contact"], name="survey_answer_once")
        ]

    def __str__(self) -> str:
        return f"{self.contact_id}: {self.question_id}"
