"""``manage.py import_doors FILE [--dry-run]``: import an address list (buildings and units)."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hubs.services.turf import DoorsFileError, doors_import, rejection_rows
from organizer.lib.csvfiles import check_size, write_csv


class Command(BaseCommand):
    help = "Import addresses (doors) from a CSV file: all rows or none; rejected rows reported."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="show what would change")
        parser.add_argument(
            "--rejections", type=Path, help="write the rejected rows (with reasons) to this CSV"
        )

    def handle(self, *args, file: Path, dry_run: bool, rejections: Path | None, **options):
        try:
            check_size(file.stat().st_size)
            report = doors_import(path=file, dry_run=dry_run)
        except (OSError, DoorsFileError) as exc:
            raise CommandError(str(exc)) from None
        verb = "would create" if dry_run else "created"
        self.stdout.write(
            f"{report.rows} rows ({report.encoding}): {verb} {report.buildings_created} "
            f"buildings and {report.units_created} units; {report.unchanged} already there; "
            f"{len(report.rejections)} rejected."
        )
        for rejection in report.rejections[:50]:
            self.stdout.write(f"  line {rejection.line}: {rejection.reason}")
        if rejections and report.rejections:
            with rejections.open("w", newline="", encoding="utf-8") as out:
                write_csv(out, rejection_rows(report))
            self.stdout.write(f"Rejected rows written to {rejections}.")
        elif len(report.rejections) > 50:
            self.stdout.write("  … use --rejections FILE for all of them.", ending="\n")
        sys.stdout.flush()
