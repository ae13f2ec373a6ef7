from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a user may see. Staff: the whole chapter; captain: their hubs; organizer: their own
    people and their hubs' people; volunteer: only their own assignments."""

    STAFF = "staff", _("Staff")
    CAPTAIN = "captain", _("Hub captain")
    ORGANIZER = "organizer", _("Organizer")
    VOLUNTEER = "volunteer", _("Volunteer")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields):
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.update(is_superuser=True, is_staff=True, role=Role.STAFF)
        return self._create(email, password, **fields)

    def get_by_natural_key(self, username: str):
        return self.get(email__iexact=username.strip())


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email"), max_length=254, unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.VOLUNTEER)
    language = models.CharField(_("language"), max_length=8, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("admin site access"), default=False, help_text=_("May sign in to the Django admin.")
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Follow-up reminders: one digest a day at this hour (chapter time zone); texts only for
    # those who opt in with a valid number.
    reminder_hour = models.PositiveSmallIntegerField(
        _("daily reminder at (hour)"), default=8, validators=[MaxValueValidator(23)]
    )
    reminder_email = models.BooleanField(_("email me my follow-ups"), default=True)
    reminder_sms = models.BooleanField(_("text me my follow-ups"), default=False)
    phone = models.CharField(_("mobile number (E.164)"), max_length=20, blank=True)
    invited_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.name or self.email

    def save(self, *args, **kwargs):
        # Emails are stored lower-cased so that sign-in and uniqueness ignore case.
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return (self.name or self.email).split(" ")[0]

    @property
    def is_chapter_staff(self) -> bool:
        return self.role == Role.STAFF

    @property
    def needs_second_factor(self) -> bool:
        """Staff and captains, and anyone who can reach the Django admin (``is_staff``,
        ``is_superuser``) whatever their role, confirm a second factor."""
        return self.role in (Role.STAFF, Role.CAPTAIN) or self.is_staff or self.is_superuser


class AccountEmail(models.Model):
    """An invitation or password-reset email waiting to go out (the outbox).

    The row is written in the same transaction as its cause; a Celery task sends it after
    commit and the every-minute sweep sends whatever is still waiting (mail server or Redis
    down), so the page that asked never waits on either. The link is made when the email is
    sent, from ``base_url``: no token is stored.
    """

    class Kind(models.TextChoices):
        INVITE = "invite", _("Invitation")
        PASSWORD_RESET = "password_reset", _("Password reset")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to send")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="account_emails")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The site's address as the requester reached it; the link in the email starts with it.
    base_url = models.CharField(max_length=200)
    attempts = models.PositiveSmallIntegerField(default=0)
    # A failed send is retried from this moment on (empty: no more retries).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="account_email_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.user} ({self.get_status_display()})"
