"""``manage.py create_api_token EMAIL [--name NAME]``: print a new API token for a script."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from api.services.tokens import token_create


class Command(BaseCommand):
    help = "Create an API token for the user with this email and print the key (shown once)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="Command line")

    def handle(self, *args, email: str, name: str, **options):
        user = get_user_model().objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No user with the email {email!r}.")
        if not user.is_active:
            raise CommandError(f"{email} is deactivated: their tokens would not work.")
        try:
            _token, key = token_create(user=user, name=name)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(key)
