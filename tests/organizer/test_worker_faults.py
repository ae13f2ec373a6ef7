"""A Celery worker killed mid-task, and two beat schedulers at once: nothing is lost and
nothing is done twice."""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
import time
from urllib.parse import urlsplit

import psutil
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.models import AccountEmail, Role
from accounts.services import SENDING_TIMEOUT, account_emails_sweep, user_invite
from accounts.tasks import account_email_send_task
from tests.factories import UserFactory
from tests.workers import celery_worker

SLOW = "tests.organizer.fault_backends.SlowFileBackend"


def _test_database_url() -> str:
    name = connection.settings_dict["NAME"]
    return urlsplit(settings.DATABASE_URL)._replace(path="/" + name).geturl()


def _wait(predicate, timeout, what, log):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            log.seek(0)
            pytest.fail(f"timed out waiting for {what}:\n{log.read()[-3000:]}")
        time.sleep(0.1)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_runs_the_task_again_and_the_email_goes_out_once(
    tmp_path, settings
):
    sent_file = tmp_path / "sent.txt"
    sent_file.touch()
    env = {
        "DATABASE_URL": _test_database_url(),
        "EMAIL_BACKEND": SLOW,
        "SLOW_MAIL_FILE": str(sent_file),
        "SLOW_MAIL_SECONDS": "4",
    }
    staff = UserFactory(email="staff@example.org", role=Role.STAFF)
    user = user_invite(invited_by=staff, email="x@example.org", name="X", role="volunteer")
    row = AccountEmail.objects.get(user=user)

    with celery_worker(tmp_path, prefix="test-killed", pool="prefork", **env) as (q, proc, log):
        account_email_send_task.apply_async(args=[row.pk], queue=q)
        _wait(lambda: AccountEmail.objects.get(pk=row.pk).status == "sending", 60, "claim", log)
        children = psutil.Process(proc.pid).children()
        assert len(children) == 1
        children[0].kill()  # the pool process dies in the middle of talking to the mail server

        # acks_late + reject_on_worker_lost: the message goes back and runs again; the row's
        # claim (still "sending") makes the second run a no-op rather than a second email.
        pattern = r"Task accounts.tasks.account_email_send_task\[[^\]]+\] succeeded"
        _wait(lambda: re.search(pattern, _read(log)), 60, "the task to run again", log)
        text = _read(log)
        assert "WorkerLostError" in text
        assert len(re.findall(r"account_email_send_task\[[^\]]+\] received", text)) == 2
        assert proc.poll() is None

    row.refresh_from_db()
    assert row.status == "sending" and row.attempts == 1
    assert sent_file.read_text() == ""  # killed before the mail server accepted it

    # Nothing is lost: once the claim is stale, beat's sweep sends it, once.
    settings.EMAIL_BACKEND = SLOW
    os.environ["SLOW_MAIL_FILE"] = str(sent_file)
    try:
        later = timezone.now() + SENDING_TIMEOUT + dt.timedelta(seconds=1)
        assert account_emails_sweep(now=later) == 1
        assert account_emails_sweep(now=later + dt.timedelta(hours=1)) == 0
    finally:
        del os.environ["SLOW_MAIL_FILE"]
    assert sent_file.read_text() == "x@example.org\n"


def _read(log) -> str:
    log.seek(0)
    return log.read()


@pytest.mark.django_db(transaction=True)
def test_two_beat_schedulers_at_once_do_the_periodic_work_once(default_ladder, mailoutbox):
    """Two beats send every periodic task twice at the same moment; the workers run both copies
    side by side. Claims (conditional UPDATE, SKIP LOCKED) make each effect happen once."""
    from celery.utils.imports import symbol_by_name

    from contacts.models import Activity, LadderMove, RescoreJob
    from contacts.services.ladder import rescore_job_request
    from tests.factories import ContactFactory

    staff = UserFactory(email="staff@example.org", role=Role.STAFF)
    for n in range(5):
        user_invite(invited_by=staff, email=f"x{n}@example.org", name="X", role="volunteer")
    people = [ContactFactory() for _ in range(6)]
    for n, person in enumerate(people):
        Activity.objects.create(contact=person, kind="event_led", source="t", source_id=n)
    job = rescore_job_request(by=staff, reason="two beats")

    periodic = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    tasks = [symbol_by_name(name) for name in periodic if "nightly" not in name]
    barrier = threading.Barrier(2)
    errors = []

    def beat():
        try:
            barrier.wait()
            for task in tasks:
                task.apply()  # runs in this thread, as a worker would
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    invitations = sorted(m.to[0] for m in mailoutbox if m.to[0] != "staff@example.org")
    assert invitations == [f"x{n}@example.org" for n in range(5)]
    # The staff member may get the weekly report summary (a periodic task too): at most once.
    assert [m.to[0] for m in mailoutbox].count("staff@example.org") <= 1
    assert set(AccountEmail.objects.values_list("status", flat=True)) == {"sent"}
    assert RescoreJob.objects.get(pk=job.pk).status == "done"
    for person in people:
        assert LadderMove.objects.filter(contact=person).count() == 1
