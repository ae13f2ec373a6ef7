from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GistIndex
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizer.lib.geo import PointField, PolygonField
from organizer.lib.text import fold


class Hub(models.Model):
    class Kind(models.TextChoices):
        NEIGHBORHOOD = "neighborhood", _("Neighborhood hub")
        WORKPLACE = "workplace", _("Workplace hub")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    meeting_time = models.CharField(_("meeting time"), max_length=120, blank=True)
    meeting_place = models.CharField(_("meeting place"), max_length=200, blank=True)
    area = PolygonField(_("area"), null=True, blank=True)
    majority_threshold = models.PositiveSmallIntegerField(
        _("majority threshold (%)"),
        default=50,
        help_text=_("Share of workers at 1–2 the hub needs before it acts."),
    )
    leader_span = models.PositiveSmallIntegerField(
        _("target span"), default=10, help_text=_("Coworkers each leader organizes.")
    )
    headcount = models.PositiveIntegerField(
        _("workers in the unit"),
        null=True,
        blank=True,
        help_text=_("Everyone in the unit, placed or not: the majority is counted against it."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("hub")
        verbose_name_plural = _("hubs")

    def __str__(self) -> str:
        return self.name


class HubRole(models.Model):
    """A user's place in a hub: what their role lets them see and do there."""

    class Role(models.TextChoices):
        CAPTAIN = "captain", _("Captain")
        ORGANIZER = "organizer", _("Organizer")
        VOLUNTEER = "volunteer", _("Volunteer")

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hub_roles"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    since = models.DateField(_("since"), default=timezone.localdate)

    class Meta:
        verbose_name = _("hub role")
        verbose_name_plural = _("hub roles")
        constraints = [models.UniqueConstraint(fields=["hub", "user"], name="hub_role_unique_user")]

    def __str__(self) -> str:
        return f"{self.user} · {self.hub} ({self.get_role_display()})"


# --- Doors and turf -------------------------------------------------------------------------
# Doors are chapter-wide (one building, one record); a hub's turf is a set of them, cut into
# walkable pieces. People live at units (``Residence``). Geometry uses core PostgreSQL types.


class Building(models.Model):
    street_number = models.CharField(_("number"), max_length=20)
    street = models.CharField(_("street"), max_length=120)
    city = models.CharField(_("city"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=40, blank=True)
    zip_code = models.CharField(_("ZIP code"), max_length=10, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    location = PointField(null=True, blank=True, editable=False)  # (longitude, latitude)
    election_district = models.CharField(_("election district"), max_length=20, blank=True)
    building_ref = models.CharField(_("building ID"), max_length=40, blank=True)
    # Walking order: street (folded), side of the street (odd/even), then house number.
    street_key = models.CharField(max_length=120, editable=False, default="")
    number_value = models.IntegerField(editable=False, default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["street_key", "street_number", "zip_code"], name="building_unique_address"
            )
        ]
        indexes = [
            models.Index(fields=["zip_code"]),
            models.Index(fields=["election_district"]),
            models.Index(fields=["street_key", "number_value"]),
            GistIndex(fields=["location"], name="building_location_gist"),
        ]

    def __str__(self) -> str:
        return f"{self.street_number} {self.street}"

    def save(self, *args, **kwargs):
        self.street_key = street_key(self.street)
        self.number_value = house_number_value(self.street_number)
        if self.latitude is not None and self.longitude is not None:
            self.location = (self.longitude, self.latitude)
        super().save(*args, **kwargs)


class Unit(models.Model):
    """A door: a unit in a building ('' for a single-family house)."""

    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="units")
    label = models.CharField(_("unit"), max_length=40, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["building", "label"], name="unit_unique_label")
        ]

    def __str__(self) -> str:
        return f"{self.building} {self.label}".strip()


class Residence(models.Model):
    """A person lives at a unit."""

    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="residences"
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="residences")
    since = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contact", "unit"], name="residence_unique")]
        indexes = [models.Index(fields=["unit"])]

    def __str__(self) -> str:
        return f"{self.contact_id} @ {self.unit}"


class Turf(models.Model):
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="turfs")
    name = models.CharField(_("name"), max_length=120)
    area = PolygonField(null=True, blank=True)  # when cut by drawing
    criteria = models.JSONField(default=dict, blank=True)  # when cut by list
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class TurfPiece(models.Model):
    """A walkable piece of a turf, assigned to one volunteer or organizer at a time."""

    turf = models.ForeignKey(Turf, on_delete=models.CASCADE, related_name="pieces")
    number = models.PositiveIntegerField()
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="turf_pieces",
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Set when "Move remaining doors" left nothing to walk: no longer an open assignment, but
    # its doors with results and its history stay.
    emptied_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["turf", "number"]
        constraints = [
            models.UniqueConstraint(fields=["turf", "number"], name="turf_piece_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.turf} · {self.number}"


class TurfDoor(models.Model):
    """A door in a turf, its piece and its place in walking order."""

    turf = models.ForeignKey(Turf, on_delete=models.CASCADE, related_name="doors")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    piece = models.ForeignKey(
        TurfPiece, null=True, blank=True, on_delete=models.SET_NULL, related_name="doors"
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["turf", "unit"], name="turf_door_unique_unit")
        ]
        indexes = [models.Index(fields=["piece", "position"])]

    def __str__(self) -> str:
        return f"{self.unit} in {self.turf}"


class DoorAssignment(models.Model):
    """History: who had which door of a turf, from when to when (rebalancing keeps it)."""

    door = models.ForeignKey(TurfDoor, on_delete=models.CASCADE, related_name="assignments")
    piece = models.ForeignKey(TurfPiece, on_delete=models.CASCADE, related_name="+")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["door", "started_at"])]

    def __str__(self) -> str:
        return f"{self.door} → {self.assignee}"


class DoorResult(models.Model):
    """What happened at a door. Taps from a phone carry a ``client_token``: replays are no-ops."""

    class Result(models.TextChoices):
        NOT_HOME = "not_home", _("Not home")
        TALKED = "talked", _("Talked")
        SIGNED = "signed", _("Signed")
        REFUSED = "refused", _("Refused")
        MOVED = "moved", _("Moved")
        INACCESSIBLE = "inaccessible", _("Inaccessible")
        COME_BACK = "come_back", _("Come back later")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="results")
    door = models.ForeignKey(
        TurfDoor, null=True, blank=True, on_delete=models.SET_NULL, related_name="results"
    )
    piece = models.ForeignKey(
        TurfPiece, null=True, blank=True, on_delete=models.SET_NULL, related_name="results"
    )
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    result = models.CharField(_("result"), max_length=16, choices=Result.choices)
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    interaction = models.ForeignKey(
        "contacts.Interaction", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    client_token = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["piece", "at"]), models.Index(fields=["door", "at"])]

    def __str__(self) -> str:
        return f"{self.unit}: {self.get_result_display()}"


# --- Workplace map --------------------------------------------------------------------------


class Worksite(models.Model):
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="worksites")
    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    worksite = models.ForeignKey(Worksite, on_delete=models.CASCADE, related_name="departments")
    name = models.CharField(_("name"), max_length=120)
    headcount = models.PositiveIntegerField(
        _("workers in the department"),
        null=True,
        blank=True,
        help_text=_("Everyone in the department, placed or not."),
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["worksite", "name"], name="department_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Shift(models.Model):
    worksite = models.ForeignKey(Worksite, on_delete=models.CASCADE, related_name="shifts")
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["worksite", "name"], name="shift_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Placement(models.Model):
    """A coworker's place on the workplace map, and the leader who organizes them."""

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="placements")
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="placements"
    )
    worksite = models.ForeignKey(Worksite, on_delete=models.CASCADE, related_name="placements")
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="placements"
    )
    shift = models.ForeignKey(
        Shift, null=True, blank=True, on_delete=models.SET_NULL, related_name="placements"
    )
    organized_by = models.ForeignKey(
        "contacts.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organizes",
        help_text=_("The leader responsible for this coworker."),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["hub", "contact"], name="placement_unique_contact")
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} at {self.worksite}"


class StructureTest(models.Model):
    """ "Everyone reached within 24 hours": leaders mark each coworker reached."""

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="structure_tests")
    name = models.CharField(_("what is being tested"), max_length=200)
    started_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField(_("reach everyone by"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return self.name


class StructureTestReach(models.Model):
    test = models.ForeignKey(StructureTest, on_delete=models.CASCADE, related_name="reaches")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    reached_at = models.DateTimeField(default=timezone.now)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["test", "contact"], name="structure_reach_unique")
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} reached {self.reached_at:%Y-%m-%d %H:%M}"


def street_key(street: str) -> str:
    """A street name folded for grouping and sorting ("W. 37th St." → "w 37th st")."""
    return fold(street)


def house_number_value(number: str) -> int:
    """The leading integer of a house number ("123A" → 123, "45-12" → 4512 in Queens style)."""
    digits = ""
    for ch in number.strip():
        if "0" <= ch <= "9":  # ASCII only: "²".isdigit() is true and int("²") fails
            digits += ch
        elif ch == "-" and digits:
            continue
        else:
            break
    return int(digits[:9]) if digits else 0
