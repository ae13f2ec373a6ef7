"""``manage.py send_reminders [--dry-run] [--ignore-hour]``: the beat's reminder run, by hand."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from contacts.services.reminders import (
    chapter_moment,
    reminders_due,
    reminders_preview,
    reminders_run,
)


class Command(BaseCommand):
    help = (
        "Send the follow-up reminders due now (and retry failed ones). "
        "--ignore-hour sends today's reminders even before each organizer's hour."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="print who would get what; write and send nothing",
        )
        parser.add_argument(
            "--ignore-hour", action="store_true", help="do not wait for each organizer's hour"
        )

    def handle(self, *args, dry_run: bool, ignore_hour: bool, **options):
        now = timezone.now()
        day, hour = chapter_moment(now)
        if dry_run:
            return self._preview(now, ignore_hour, day, hour)
        summary = reminders_run(now=now, ignore_hour=ignore_hour)
        outcomes = ", ".join(f"{n} {status}" for status, n in sorted(summary.outcomes.items()))
        self.stdout.write(
            f"{day} {hour:02d}h: planned {summary.planned} new reminder(s); "
            f"{outcomes or 'nothing to send'}."
        )
        if summary.expired:
            self.stdout.write(f"Closed {summary.expired} unsent reminder(s) of past days.")

    def _preview(self, now, ignore_hour: bool, day, hour: int) -> None:
        lines = reminders_preview(now=now, ignore_hour=ignore_hour)
        for line in lines:
            self.stdout.write(
                f"would {'email' if line.channel == 'email' else 'text'} {line.email}: "
                f"{line.due_today} due today, {line.overdue} overdue"
            )
        retries = len(reminders_due(now=now))
        self.stdout.write(
            f"Dry run ({day} {hour:02d}h): {len(lines)} new reminder(s), {retries} planned "
            "reminder(s) waiting to send or retry. Nothing was written or sent."
        )
