"""``manage.py import_contacts FILE [--dry-run] [--source NAME] [--by EMAIL]``: the same import
as the browser's, run here and now, printing the report."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from contacts.models import ImportJob
from contacts.services.imports import ImportFileError, import_create, import_run


class Command(BaseCommand):
    help = "Import people from a CSV file (Action Network, VAN, Mobilize, Solidarity Tech, …)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file")
        parser.add_argument("--dry-run", action="store_true", help="report only; change nothing")
        parser.add_argument("--source", default="", help="how these people came in")
        parser.add_argument("--by", default="", help="email of the user doing the import")

    def handle(self, *args, file: str, dry_run: bool, source: str, by: str, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        user = None
        if by:
            user = get_user_model()._default_manager.filter(email__iexact=by.strip()).first()
            if user is None:
                raise CommandError(f"No user with the email {by}")
        try:
            job = import_create(
                by=user,
                filename=path.name,
                content=path,
                source=source,
                dry_run=dry_run,
            )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        job = import_run(job_id=job.pk, echo=self._progress)
        if job is None:
            raise CommandError("The import was taken by another process.")
        self._report(job)
        if job.status != ImportJob.Status.DONE:
            raise CommandError(f"The import failed and nothing was changed: {job.error}")

    def _progress(self, processed: int, total: int) -> None:
        if processed % max(total // 10, 1) < max(500, total // 100):  # about every 10 %
            self.stderr.write(f"checked {processed} of {total} rows")

    def _report(self, job: ImportJob) -> None:
        out = self.stdout
        out.write(f"{job.filename}: {job.source_format}, {job.total_rows} rows")
        if job.dry_run:
            out.write("Dry run: nothing was changed.")
        out.write(
            f"created: {job.created_count}  updated: {job.updated_count}  "
            f"unchanged: {job.unchanged_count}  rejected: {job.rejected_count}"
        )
        for rejection in job.rejections.order_by("line").iterator():
            out.write(f"line {rejection.line}: {rejection.reason}")
