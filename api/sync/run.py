"""Running a sync: people, then tags and their taggings, events and their attendances,
petitions and their signatures, page by page.

Resumable: each page's writes, the job's counts and its cursor (the step and the next page's
URL) commit together, so a job that stopped continues with the page after the last one saved;
children of a parent page (the taggings of a tag, …) are fetched before that page's
transaction and written idempotently, so a page done twice adds nothing. Incremental: a job
starts from the last finished sync of the same server (``since``): people and the children
lists are asked only for records modified after it (``filter=modified_date gt '…'``); tags,
events and petitions (few) are listed whole and matched to what an earlier sync made.

One job runs at a time per row: the worker claims it with a conditional UPDATE (pending, or
running with a heartbeat older than ``STALE_AFTER``), and each page checks the claim still holds.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from api.models import SyncJob, SyncLink
from api.sync import people as people_sync
from api.sync.client import OsdiClient, SyncError, embedded, id_from_link, link, remote_id
from campaigns.models import Event, Petition, Signature
from campaigns.services.events import event_create
from campaigns.services.petitions import petition_create, signature_record
from campaigns.services.rsvps import rsvp_record
from contacts.models import Contact
from contacts.services.bulk import people_bulk_tag

logger = logging.getLogger(__name__)

STEPS = ["people", "tags", "events", "petitions"]
STALE_AFTER = dt.timedelta(minutes=5)
MAX_ERRORS = 100
SOURCE = "Action Network sync"
CHILDREN = {"tags": "osdi:taggings", "events": "osdi:attendances", "petitions": "osdi:signatures"}
PER_SECOND = 4.0  # Action Network's published limit; tests lower the wait
RUN_SECONDS = settings.LONGEST_TASK_SECONDS - 5 * 60  # then the job queues itself again


class JobLost(Exception):
    """Another worker took the job over (ours looked dead): stop without writing."""


# --- starting --------------------------------------------------------------------------------


def sync_start(*, by, base_url: str, api_key: str, hub=None, campaign=None) -> SyncJob:
    """Record a sync (incremental from the last finished one of this server) and queue it."""
    from api import tasks
    from organizer.lib.tasks import enqueue_on_commit

    base_url = base_url.strip().rstrip("/") + "/"
    last = (
        SyncJob.objects.filter(base_url=base_url, status=SyncJob.Status.DONE)
        .order_by("-started_at")
        .first()
    )
    with transaction.atomic():
        job = SyncJob.objects.create(
            base_url=base_url,
            api_key=api_key.strip(),
            hub=hub,
            campaign=campaign,
            since=last.started_at if last else None,
            created_by=by,
        )
        enqueue_on_commit(tasks.sync_run_task, job.pk)
    return job


def sync_resume(*, job: SyncJob) -> bool:
    """Take a stopped job up again from its cursor (its key is still there)."""
    from api import tasks
    from organizer.lib.tasks import enqueue_on_commit

    with transaction.atomic():
        done = SyncJob.objects.filter(
            pk=job.pk, status=SyncJob.Status.FAILED, api_key__gt=""
        ).update(status=SyncJob.Status.PENDING, error="")
        if done:
            enqueue_on_commit(tasks.sync_run_task, job.pk)
    return bool(done)


# --- running ---------------------------------------------------------------------------------


def _claim(job_id: int, now: dt.datetime) -> SyncJob | None:
    claimed = (
        SyncJob.objects.filter(pk=job_id)
        .filter(
            Q(status=SyncJob.Status.PENDING)
            | Q(status=SyncJob.Status.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
        )
        .update(
            status=SyncJob.Status.RUNNING,
            attempts=F("attempts") + 1,
            heartbeat_at=now,
            started_at=Coalesce(F("started_at"), now),  # the first start: the next ``since``
        )
    )
    return SyncJob.objects.get(pk=job_id) if claimed else None


def _beat(job: SyncJob, **fields) -> None:
    alive = SyncJob.objects.filter(
        pk=job.pk, status=SyncJob.Status.RUNNING, attempts=job.attempts
    ).update(heartbeat_at=timezone.now(), **fields)
    if not alive:
        raise JobLost(job.pk)


def _count(job: SyncJob, step: str, **counts: int) -> None:
    bucket = job.progress.setdefault(step, {})
    for name, n in counts.items():
        bucket[name] = bucket.get(name, 0) + n


def _problems(job: SyncJob, problems: list[str]) -> None:
    room = MAX_ERRORS - len(job.errors)
    job.errors.extend(p[:300] for p in problems[: max(room, 0)])


def sync_run(
    *, job_id: int, client: OsdiClient | None = None, run_seconds: float | None = None
) -> SyncJob | None:
    """Run (or continue) the job; a missing or busy job is a no-op. After ``run_seconds`` (under
    the task time limit) it saves its place and queues itself again: a big first sync (a
    million people is ~11 hours at 4 requests a second) is a chain of tasks, never one."""
    run_seconds = RUN_SECONDS if run_seconds is None else run_seconds
    job = _claim(job_id, timezone.now())
    if job is None:
        return None
    client = client or OsdiClient(job.base_url, job.api_key, per_second=PER_SECOND)
    started = time.monotonic()
    try:
        while job.cursor.get("step") != "done":
            _one_page(job, client)
            if time.monotonic() - started > run_seconds:
                return _hand_over(job)
    except JobLost:
        return None
    except SyncError as exc:
        return _stop(job, str(exc))
    except Exception as exc:  # a bug or a database error: stop with the reason, resumable
        logger.exception("Sync %s stopped", job.pk)
        return _stop(job, f"Unexpected error: {type(exc).__name__}: {exc}")
    SyncJob.objects.filter(pk=job.pk, attempts=job.attempts).update(
        status=SyncJob.Status.DONE, finished_at=timezone.now(), api_key=""
    )
    job.refresh_from_db()
    return job


def _stop(job: SyncJob, reason: str) -> SyncJob:
    """Stop with ``reason``; the cursor stays at the page that was not saved."""
    SyncJob.objects.filter(pk=job.pk, attempts=job.attempts).update(
        status=SyncJob.Status.FAILED, error=reason[:500]
    )
    job.refresh_from_db()
    return job


def _hand_over(job: SyncJob) -> SyncJob:
    from api import tasks
    from organizer.lib.tasks import enqueue_on_commit

    with transaction.atomic():
        SyncJob.objects.filter(pk=job.pk, attempts=job.attempts).update(
            status=SyncJob.Status.PENDING
        )
        enqueue_on_commit(tasks.sync_run_task, job.pk)
    job.refresh_from_db()
    return job


def _first_url(job: SyncJob, client: OsdiClient, step: str) -> str:
    return client.url(step, since=job.since if step == "people" else None)


def _one_page(job: SyncJob, client: OsdiClient) -> None:
    step = job.cursor.get("step") or STEPS[0]
    url = job.cursor.get("next") or _first_url(job, client, step)
    before = client.requests
    page = client.get(url)
    records = embedded(page, f"osdi:{step}")
    children = {}
    if step in CHILDREN and _wanted(job, step):
        children = _fetch_children(job, client, step, records)
    nxt = link(page, "next")
    if nxt:
        cursor = {"step": step, "next": nxt}
    else:
        later = STEPS[STEPS.index(step) + 1 :]
        cursor = {"step": later[0] if later else "done", "next": None}
    with transaction.atomic():
        _beat(job)
        SAVE[step](job, records, children)
        _count(job, step, pages=1)
        job.cursor = cursor
        _beat(
            job,
            cursor=cursor,
            progress=job.progress,
            errors=job.errors,
            requests=F("requests") + client.requests - before,
        )


def _wanted(job: SyncJob, step: str) -> bool:
    return {"events": job.hub_id is not None, "petitions": job.campaign_id is not None}.get(
        step, True
    )


def _fetch_children(job, client, step, records) -> dict[str, list[dict]]:
    """Every child (taggings, attendances, signatures) of each record on the page, fetched
    before the page's transaction (no lock is held while waiting on the server)."""
    key = CHILDREN[step]
    out: dict[str, list[dict]] = {}
    for record in records:
        href = link(record, key)
        rid = remote_id(record)
        if not href or not rid:
            continue
        try:
            out[rid] = _children(job, client, key, client.with_since(href, job.since))
        except SyncError as exc:
            if job.since is None or exc.status != 400:
                raise
            # A list the server cannot filter by date (an Organizer's taggings have no dates):
            # ask for it whole; the writes are idempotent, so nothing arrives twice.
            out[rid] = _children(job, client, key, href)
    return out


def _children(job, client, key, href) -> list[dict]:
    found: list[dict] = []
    for chunk, _next in client.pages(href, key):
        found.extend(chunk)
        _beat(job)  # a tag with 100,000 taggings is minutes of pages: stay alive
    return found


def _people_of(children: list[dict]) -> dict[str, int]:
    ids = [id_from_link(link(c, "osdi:person")) for c in children]
    return people_sync.contacts_by_remote_id([i for i in ids if i])


def _when(value) -> dt.datetime | None:
    parsed = parse_datetime(str(value)) if value else None
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, dt.UTC)
    return parsed


# --- each step's page ------------------------------------------------------------------------


def _save_people(job: SyncJob, records: list[dict], children) -> None:
    counts, problems = people_sync.people_save(by=job.created_by, records=records, source=SOURCE)
    _count(job, "people", **counts)
    _problems(job, problems)


def _save_tags(job: SyncJob, records: list[dict], children) -> None:
    for record in records:
        name = str(record.get("name") or "").strip()[:60]
        taggings = children.get(remote_id(record) or "", [])
        if not name or not taggings:
            continue
        found = _people_of(taggings)
        missing = len(taggings) - len(found)
        if found:
            result = people_bulk_tag(
                by=job.created_by,
                people=Contact.objects.filter(pk__in=list(found.values())),
                tag=name,
            )
            _count(job, "tags", tags=1, taggings=result.changed)
        if missing:
            _count(job, "tags", errors=missing)
            _problems(job, [f"Tag “{name}”: {missing} tagged people were not synced."])


def _local(job: SyncJob, kind: str, rid: str, model, create) -> tuple[object, bool]:
    row = SyncLink.objects.filter(base_url=job.base_url, kind=kind, remote_id=rid).first()
    obj = model.objects.filter(pk=row.local_id).first() if row else None
    if obj is not None:
        return obj, False
    obj = create()
    SyncLink.objects.update_or_create(
        base_url=job.base_url, kind=kind, remote_id=rid, defaults={"local_id": obj.pk}
    )
    return obj, True


def _save_events(job: SyncJob, records: list[dict], children) -> None:
    if not _wanted(job, "events"):
        return
    for record in records:
        rid = remote_id(record)
        starts = _when(record.get("start_date"))
        if not rid or starts is None:
            _problems(job, [f"Event {rid or '?'}: no start date; left out."])
            _count(job, "events", errors=1)
            continue
        ends = _when(record.get("end_date")) or starts + dt.timedelta(hours=2)
        location = record.get("location") or {}
        place = ", ".join(
            str(p) for p in [location.get("venue"), *(location.get("address_lines") or [])] if p
        )

        def create(record=record, starts=starts, ends=ends, place=place):
            return event_create(
                by=job.created_by,
                title=str(record.get("title") or record.get("name") or "Event")[:140],
                description=str(record.get("description") or "")[:4000],
                kind=Event.Kind.ACTION,
                hub=job.hub,
                starts_at=starts,
                ends_at=max(ends, starts),
                place=place[:200],
                is_public=False,
            )

        try:
            event, created = _local(job, SyncLink.Kind.EVENT, rid, Event, create)
        except ValidationError as exc:  # a record our validation refuses: say which, go on
            _problems(job, [f"Event {rid}: {exc}"])
            _count(job, "events", errors=1)
            continue
        _count(job, "events", created=int(created), matched=int(not created))
        attendances = children.get(rid, [])
        found = _people_of(attendances)
        for attendance in attendances:
            pid = id_from_link(link(attendance, "osdi:person"))
            if pid not in found:
                _count(job, "events", errors=1)
                continue
            _rsvp, new = rsvp_record(
                event=event,
                contact=Contact(pk=found[pid]),
                at=_when(attendance.get("created_date")),
            )
            _count(job, "events", attendances=int(new))


def _save_petitions(job: SyncJob, records: list[dict], children) -> None:
    if not _wanted(job, "petitions"):
        return
    for record in records:
        rid = remote_id(record)
        if not rid:
            continue
        targets = [t.get("name") for t in record.get("target") or [] if isinstance(t, dict)]

        def create(record=record, targets=targets):
            return petition_create(
                by=job.created_by,
                campaign=job.campaign,
                title=str(record.get("title") or "Petition")[:140],
                text=str(record.get("petition_text") or record.get("description") or "")[:4000]
                or "—",
                target_name=", ".join(t for t in targets if t)[:200],
                is_public=False,
            )

        try:
            petition, created = _local(job, SyncLink.Kind.PETITION, rid, Petition, create)
        except ValidationError as exc:
            _problems(job, [f"Petition {rid}: {exc}"])
            _count(job, "petitions", errors=1)
            continue
        _count(job, "petitions", created=int(created), matched=int(not created))
        signatures = children.get(rid, [])
        found = _people_of(signatures)
        for sig in signatures:
            pid = id_from_link(link(sig, "osdi:person"))
            if pid not in found:
                _count(job, "petitions", errors=1)
                continue
            _s, new = signature_record(
                petition=petition,
                contact=Contact(pk=found[pid]),
                source=Signature.Source.ONLINE,
                at=_when(sig.get("created_date")),
            )
            _count(job, "petitions", signatures=int(new))


SAVE = {
    "people": _save_people,
    "tags": _save_tags,
    "events": _save_events,
    "petitions": _save_petitions,
}


def sync_sweep(*, now: dt.datetime | None = None) -> int:
    """Every minute: queue jobs left pending (Redis was down) or whose worker died."""
    from api import tasks
    from organizer.lib.tasks import enqueue

    now = now or timezone.now()
    ids = list(
        SyncJob.objects.filter(
            Q(status=SyncJob.Status.PENDING, created_at__lt=now - dt.timedelta(minutes=1))
            | Q(status=SyncJob.Status.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
        ).values_list("pk", flat=True)[:20]
    )
    for job_id in ids:
        enqueue(tasks.sync_run_task, job_id)
    return len(ids)
