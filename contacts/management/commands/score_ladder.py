"""``manage.py score_ladder [--all | --contact ID]``: rescore by hand (the same service)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from contacts.models import Contact, LadderMove
from contacts.services.ladder import ladder_catch_up, ladder_rescore


class Command(BaseCommand):
    help = "Rescore the ladder: everyone (--all), one person (--contact ID), or those waiting."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--all", action="store_true", help="rescore everyone")
        group.add_argument("--contact", type=int, metavar="ID", help="rescore one person")

    def handle(self, *args, **options):
        started = timezone.now()
        if options["contact"] is not None:
            if not Contact.objects.filter(pk=options["contact"]).exists():
                raise CommandError(f"No person with id {options['contact']}.")
            result = ladder_rescore(contact_ids=[options["contact"]])
        elif options["all"]:
            result = ladder_rescore(all=True)
        else:
            result = ladder_catch_up()
        self.stdout.write(f"Scored {result.scored} people; {result.moves} changed stage.")
        moves = LadderMove.objects.filter(at__gte=started).select_related(
            "contact", "from_stage", "to_stage"
        )
        for move in moves.order_by("contact_id")[:200]:
            self.stdout.write(
                f"  #{move.contact_id} {move.contact.display_name}: "
                f"{move.from_stage or '—'} → {move.to_stage or '—'} ({move.reason})"
            )
        if result.moves > 200:
            self.stdout.write(f"  … and {result.moves - 200} more.")
