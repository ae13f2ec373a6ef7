"""Redis stopped or hung: a save answers at once, its row is the promise, and the sweep that
beat runs every minute delivers the work later. Nothing in a request waits on the broker for
more than ``organizer.lib.tasks.PUBLISH_TIMEOUT``.

"Stopped" is a port where nothing listens (connections refused); "hung" is a local TCP server
that accepts connections and never answers (a frozen Redis: SIGSTOP, a full disk, a network
partition). Both the broker and the cache point at it, as they would on a real outage.
"""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from accounts.models import AccountEmail
from accounts.services import account_emails_sweep
from contacts.models import Interaction, RescoreJob
from contacts.services.ladder import rescore_job_request, rescore_jobs_sweep
from contacts.tasks import ladder_catch_up_task
from organizer.celery import app as celery_app

# Generous for a shared, loaded machine; the faults this guards against cost 6 s and 30 s.
FAST_ENOUGH = 2.5


def run_timed(callbacks) -> float:
    """Run captured on-commit callbacks (the request's only contact with the broker, which a
    real request runs before it answers); return the seconds they took."""
    started = time.monotonic()
    for callback in callbacks:
        callback()
    return time.monotonic() - started


@contextmanager
def hung_server():
    """A TCP server that accepts every connection and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held, stop = [], threading.Event()

    def accept():
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    finally:
        stop.set()
        thread.join(timeout=2)
        for conn in held:
            conn.close()
        server.close()


def closed_port_url() -> str:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now: connections are refused
    return f"redis://127.0.0.1:{port}/0"


@contextmanager
def redis_at(url: str, settings):
    """Point the Celery broker and the cache at ``url`` for the duration."""
    saved = celery_app.conf.broker_url
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    caches = {"default": {**settings.CACHES["default"], "LOCATION": url}}
    try:
        with override_settings(CELERY_BROKER_URL=url, CACHES=caches):
            yield
    finally:
        celery_app.conf.broker_url = saved
        celery_app._pool = None
        celery_app.amqp._producer_pool = None


@pytest.fixture(params=["stopped", "hung"])
def redis_fault(request, settings):
    if request.param == "stopped":
        with redis_at(closed_port_url(), settings):
            yield request.param
    else:
        with hung_server() as url, redis_at(url, settings):
            yield request.param


@pytest.mark.django_db
def test_a_one_on_one_saves_at_once_and_the_score_catches_up_later(
    cast, client_for, default_ladder, redis_fault, django_capture_on_commit_callbacks
):
    client = client_for(cast.organizer_a)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("contacts:log"), {"contact": cast.person_a.pk})
    elapsed = run_timed(callbacks)

    assert response.status_code == 302 and len(callbacks) == 1
    assert elapsed < FAST_ENOUGH, f"the save waited {elapsed:.1f}s on a {redis_fault} Redis"
    assert Interaction.objects.filter(contact=cast.person_a).count() == 1
    cast.person_a.refresh_from_db()
    assert cast.person_a.needs_rescore

    ladder_catch_up_task()  # beat's every-minute sweep, once Redis is back

    cast.person_a.refresh_from_db()
    assert not cast.person_a.needs_rescore
    assert cast.person_a.ladder_stage == default_ladder["Supporter"]


@pytest.mark.django_db
def test_an_invite_saves_at_once_and_the_sweep_sends_it_later(
    cast, client_for, redis_fault, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_for(cast.staff).post(
            "/accounts/invite/", {"email": "new@example.org", "name": "New", "role": "volunteer"}
        )
    elapsed = run_timed(callbacks)

    assert response.status_code == 302
    assert elapsed < FAST_ENOUGH, f"the invite waited {elapsed:.1f}s on a {redis_fault} Redis"
    row = AccountEmail.objects.get(user__email="new@example.org")
    assert row.status == AccountEmail.Status.PENDING and mailoutbox == []

    assert account_emails_sweep() == 1
    assert [m.to for m in mail.outbox] == [["new@example.org"]]


@pytest.mark.django_db
def test_a_full_rescore_request_saves_at_once_and_the_sweep_runs_it(
    cast, default_ladder, redis_fault, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        job = rescore_job_request(reason="ladder edited")
    assert run_timed(callbacks) < FAST_ENOUGH

    assert RescoreJob.objects.get(pk=job.pk).status == RescoreJob.Status.PENDING
    rescore_jobs_sweep()
    assert RescoreJob.objects.get(pk=job.pk).status == RescoreJob.Status.DONE


@pytest.mark.django_db
def test_queuing_an_import_gives_up_at_once_and_leaves_the_job_pending(redis_fault):
    import uuid

    from contacts.services.imports import enqueue

    started = time.monotonic()
    assert enqueue(str(uuid.uuid4())) is False
    assert time.monotonic() - started < FAST_ENOUGH
