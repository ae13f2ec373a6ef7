from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Contact(models.Model):
    """One person the organization knows. One person is one record."""

    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    preferred_name = models.CharField(_("preferred name"), max_length=100, blank=True)
    languages = models.CharField(
        _("languages spoken"), max_length=200, blank=True, help_text=_("e.g. English, Spanish")
    )
    neighborhood = models.CharField(_("neighborhood"), max_length=120, blank=True)
    employer = models.CharField(_("employer / workplace"), max_length=200, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organizer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_contacts",
        help_text=_("The organizer who owns the relationship."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact",
        help_text=_("The user account of this person, if they have one."),
    )
    hubs = models.ManyToManyField("hubs.Hub", through="HubMember", related_name="people")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            models.Index(fields=["owner"]),
            models.Index(Lower("last_name"), "first_name", name="contact_name_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.first_name
        return " ".join(part for part in (first, self.last_name) if part) or _("(no name)")


class HubMember(models.Model):
    """A person's membership in a hub (neighborhood or workplace)."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        LEADER = "leader", _("Leader")

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="hub_memberships")
    hub = models.ForeignKey("hubs.Hub", on_delete=models.CASCADE, related_name="members")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    since = models.DateField(_("since"), default=timezone.localdate)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "hub"], name="hub_member_unique_contact")
        ]
        indexes = [models.Index(fields=["hub", "contact"])]

    def __str__(self) -> str:
        return f"{self.contact} in {self.hub}"


class Phone(models.Model):
    """A phone number as typed, and its E.164 form (parsed with ``phonenumbers``)."""

    class Kind(models.TextChoices):
        MOBILE = "mobile", _("Mobile")
        HOME = "home", _("Home")
        WORK = "work", _("Work")
        OTHER = "other", _("Other")

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="phones")
    raw = models.CharField(_("as typed"), max_length=64)
    e164 = models.CharField(_("number"), max_length=20, db_index=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.MOBILE)
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contact"], condition=models.Q(is_primary=True), name="one_primary_phone"
            ),
            models.UniqueConstraint(fields=["contact", "e164"], name="phone_unique_per_contact"),
        ]

    def __str__(self) -> str:
        return self.e164


class Email(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="emails")
    address = models.EmailField(_("email"), max_length=254)
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contact"], condition=models.Q(is_primary=True), name="one_primary_email"
            ),
            models.UniqueConstraint("contact", Lower("address"), name="email_unique_per_contact"),
        ]
        indexes = [models.Index(Lower("address"), name="email_address_lower_idx")]

    def __str__(self) -> str:
        return self.address

    def save(self, *args, **kwargs):
        self.address = (self.address or "").strip().lower()
        super().save(*args, **kwargs)
