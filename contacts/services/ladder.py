"""The volunteer ladder: scoring everyone with set-based SQL, manual holds, configuration.

How a person's stage is chosen (documented for staff on the ladder page too):

- score = Σ points(kind) × quantity × 0.5 ^ (age in days / half-life), rounded to 2 decimals;
  a kind of activity with no weight earns nothing (later features add weights, not code);
- milestones are computed in SQL from the same activity ledger (see ``MILESTONE_SQL``);
- the stage is the **highest stage whose own criteria are met** (its minimum score and its
  milestones); lower stages' milestones are not required again, so a stage's criteria say
  everything it takes to be there;
- a stage set by hand holds until its date (inclusive) or until cleared; an expired hold is
  cleared by the next rescore and that is recorded;
- every change of stage writes a ``LadderMove`` (from, to, when, why) in the same statement
  that writes the new stage.

Scoring is a handful of statements over a set of people, never a loop per person:
``ladder_rescore(contact_ids=[...])`` for a few people (the catch-up after something they did),
``ladder_rescore(all=True)`` for everyone (batches by id range, each committed, with progress
on a ``RescoreJob``). Work that must happen is recorded in PostgreSQL first (``needs_rescore``,
a pending ``RescoreJob``); queueing a Celery task after commit only makes it happen sooner.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, transaction
from django.db.models import Count, F, Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import (
    Activity,
    ActivityWeight,
    Contact,
    LadderMove,
    LadderStage,
    Milestone,
    RescoreJob,
    ScoringSettings,
)

logger = logging.getLogger(__name__)

# The ladder that ships (the migration 0004_default_ladder keeps its own copy of these).
DEFAULT_STAGES = [
    (0, "Contact", "Someone the organization knows.", 0, []),
    (1, "Supporter", "Has done something with us: signed, came, talked.", 1, []),
    (2, "Volunteer", "Gives time: shifts, doors, calls.", 8, ["had_one_on_one"]),
    (
        3,
        "Active volunteer",
        "Shows up again and again.",
        20,
        ["had_one_on_one", "attended_2_events_90d"],
    ),
    (4, "Leader", "Moves others: leads actions, brings people in.", 40, ["led_action"]),
    (
        5,
        "Organizer",
        "Cadre: builds the base, organizes organizers.",
        80,
        ["led_action", "recruited_someone"],
    ),
]
DEFAULT_WEIGHTS = [
    ("one_on_one", "Had a one-on-one", 5),
    ("event_attended", "Attended an event", 3),
    ("shift", "Volunteered a shift", 4),
    ("door_knocked", "Knocked a door as a volunteer", 0.25),
    ("signatures", "Gathered a petition signature", 0.1),
    ("recruited", "Recruited someone", 8),
    ("event_led", "Led an event or action", 10),
]
DEFAULT_HALF_LIFE_DAYS = 90

BATCH_SIZE = 50_000  # contacts per committed batch of a full rescore
CATCH_UP_CHUNK = 5_000  # contacts per transaction of the catch-up
EVENTS_WINDOW_DAYS = 90

# One SQL test per milestone over the activity ledger ``a`` (aggregated per contact).
MILESTONE_SQL = {
    Milestone.HAD_ONE_ON_ONE: "bool_or(a.kind = 'one_on_one')",
    Milestone.ATTENDED_2_EVENTS_90D: (
        "count(*) FILTER (WHERE a.kind = 'event_attended' AND a.occurred_at >= %(window)s) >= 2"
    ),
    Milestone.VOLUNTEERED_SHIFT: "bool_or(a.kind IN ('shift', 'door_knocked'))",
    Milestone.LED_ACTION: "bool_or(a.kind = 'event_led')",
    Milestone.RECRUITED_SOMEONE: "bool_or(a.kind = 'recruited')",
}
# Milestones read from the contact row rather than the ledger.
CONTACT_MILESTONE_SQL = {
    Milestone.MEMBER_IN_GOOD_STANDING: "t.membership_status = 'good_standing'",
}
# Float arithmetic throughout (``extract`` returns numeric, whose power() is ~20× slower).
DECAY_SQL = (
    "power(0.5::float8, greatest(0::float8, extract(epoch FROM (%(now)s - a.occurred_at))"
    "::float8) / (86400.0::float8 * %(half_life)s))"
)
SCORE_SQL = (
    f"round(coalesce(sum(coalesce(w.points, 0) * a.quantity * {DECAY_SQL}), 0)::numeric, 2)::float8"
)


def _ms_column(key: str) -> str:
    return f"m_{key}"


def _aggregate_select() -> str:
    """``contact_id, score, m_<milestone>…`` over ``contacts_activity a`` joined to weights."""
    flags = ", ".join(f"{sql} AS {_ms_column(k)}" for k, sql in MILESTONE_SQL.items())
    return (
        f"SELECT a.contact_id, {SCORE_SQL} AS score, {flags} "
        "FROM contacts_activity a LEFT JOIN contacts_activityweight w ON w.kind = a.kind"
    )


def _met_array_sql() -> str:
    """The milestones a contact ``t`` with aggregate ``g`` has met, as a text[]."""
    parts = [f"CASE WHEN g.{_ms_column(k)} THEN '{k}' END" for k in MILESTONE_SQL]
    parts += [f"CASE WHEN {sql} THEN '{k}' END" for k, sql in CONTACT_MILESTONE_SQL.items()]
    return f"array_remove(ARRAY[{', '.join(parts)}]::text[], NULL)"


def milestone_label(key: str) -> str:
    return str(Milestone(key).label) if key in Milestone.values else key


def _number(value: float) -> str:
    return f"{value:g}"


def _stage_sql(stages: list[LadderStage], params: dict) -> tuple[str, str]:
    """CASE expressions (over ``score`` and ``met``) for the computed stage id and the reason.
    Generated from the few configured stages, so 1,000,000 rows need no subquery each."""
    stage_cases, reason_cases = [], []
    for stage in sorted(stages, key=lambda s: s.position, reverse=True):
        key = f"st{stage.pk}"
        params[f"{key}_min"] = stage.min_score
        params[f"{key}_ms"] = list(stage.milestones)
        reason = f" ≥ {_number(stage.min_score)}"
        if stage.milestones:
            labels = ", ".join(milestone_label(m).lower() for m in stage.milestones)
            reason += f" and milestones met: {labels}"
        params[f"{key}_why"] = reason
        condition = f"score >= %({key}_min)s AND met @> %({key}_ms)s::text[]"
        stage_cases.append(f"WHEN {condition} THEN {stage.pk}")
        reason_cases.append(f"WHEN {stage.pk} THEN %({key}_why)s")
    stage_sql = f"CASE {' '.join(stage_cases)} END" if stage_cases else "NULL::bigint"
    reason_sql = (
        f"'score ' || score::text || CASE computed {' '.join(reason_cases)} END"
        if reason_cases
        else "''"
    )
    return stage_sql, reason_sql


@dataclass
class RescoreResult:
    scored: int = 0
    moves: int = 0


def _score_statement(*, target_sql: str, agg_sql: str, stages, params: dict, full: bool) -> str:
    """One statement: compute score, milestones and stage for the target contacts, insert a
    ``LadderMove`` for each change of stage (or expired hold, or forced note), update contacts.

    ``full``: a full-rescore batch — rows scored after the batch's aggregate was taken are left
    alone (a catch-up already wrote something fresher), ``needs_rescore`` is not touched (a
    concurrent write may have set it after our snapshot; the catch-up will see it), and rows
    whose score only decayed keep their stored score and ``scored_at`` (see ``score_now``)."""
    stage_sql, reason_sql = _stage_sql(stages, params)
    if full:
        skip = "AND (c.scored_at IS NULL OR c.scored_at < %(started)s)"
        needs = "c.needs_rescore"
        # Decay multiplies every activity by the same factor, so a stored score decays on read
        # exactly (``score_now``); a row is rewritten only when its stage or hold changes, or
        # its score moved by more than decay (new activity, new weights or half-life).
        changed = (
            "AND ((c.ladder_stage_id, c.stage_hold_id) IS DISTINCT FROM (x.new_stage, x.hold_id)"
            " OR c.scored_at IS NULL OR abs(c.score * power(0.5::float8, greatest(0::float8,"
            " extract(epoch FROM (%(now)s - c.scored_at))::float8)"
            " / (86400.0::float8 * %(half_life)s)) - x.score) > 0.011)"
        )
    else:
        skip, needs, changed = "", "false", ""
    return f"""
WITH target AS (
    SELECT c.id, c.ladder_stage_id, c.stage_hold_id, c.stage_hold_until, c.stage_hold_reason,
           c.stage_hold_by_id, c.membership_status
    FROM contacts_contact c WHERE {target_sql} {skip}
), agg AS ({agg_sql}),
base AS (
    SELECT t.*, coalesce(g.score, 0)::float8 AS score, {_met_array_sql()} AS met
    FROM target t LEFT JOIN agg g ON g.contact_id = t.id
), computed AS (
    SELECT b.*, {stage_sql} AS computed,
           (b.stage_hold_id IS NOT NULL
            AND (b.stage_hold_until IS NULL OR b.stage_hold_until >= %(today)s)) AS held,
           (b.stage_hold_id IS NOT NULL
            AND b.stage_hold_until IS NOT NULL AND b.stage_hold_until < %(today)s) AS expired
    FROM base b
), x AS (
    SELECT computed.*,
           CASE WHEN held THEN stage_hold_id ELSE computed END AS new_stage,
           CASE WHEN held THEN stage_hold_id END AS hold_id,
           CASE
             WHEN held THEN 'stage held by hand'
               || coalesce(' by ' || coalesce(nullif(u.name, ''), u.email), '')
               || coalesce(': ' || nullif(stage_hold_reason, ''), '')
             WHEN computed IS NULL THEN 'score ' || score::text || ': no stage''s criteria met'
             ELSE {reason_sql}
           END AS why,
           CASE WHEN expired THEN 'hold expired'
               || coalesce(' (set by ' || coalesce(nullif(u.name, ''), u.email), '')
               || CASE WHEN u.id IS NULL THEN '' ELSE ')' END
               || coalesce(': ' || nullif(stage_hold_reason, ''), '') || '; '
               ELSE '' END AS why_prefix
    FROM computed LEFT JOIN accounts_user u ON u.id = computed.stage_hold_by_id
), moved AS (
    INSERT INTO contacts_laddermove
        (contact_id, from_stage_id, to_stage_id, at, reason, manual, by_id)
    SELECT id, ladder_stage_id, new_stage, %(now)s,
           left(%(note)s || why_prefix || why, 300), %(manual)s, %(by_id)s
    FROM x
    WHERE new_stage IS DISTINCT FROM ladder_stage_id OR expired OR %(force)s
    RETURNING 1
), updated AS (
    UPDATE contacts_contact c
    SET score = x.score, ladder_stage_id = x.new_stage, scored_at = %(now)s,
        needs_rescore = {needs},
        stage_hold_id = x.hold_id,
        stage_hold_reason = CASE WHEN x.held THEN c.stage_hold_reason ELSE '' END,
        stage_hold_until = CASE WHEN x.held THEN c.stage_hold_until END,
        stage_hold_by_id = CASE WHEN x.held THEN c.stage_hold_by_id END
    FROM x WHERE c.id = x.id AND {target_sql} {changed}
    RETURNING 1
)
SELECT (SELECT count(*) FROM x), (SELECT count(*) FROM moved)
"""


def score_now(*, score: float, scored_at: dt.datetime | None, half_life_days: float, now=None):
    """A stored score decayed to ``now``: the same as rescoring, since decay multiplies every
    activity by the same factor (``0.5 ** (days since scored / half-life)``)."""
    if scored_at is None or not half_life_days:
        return score
    days = max(0.0, ((now or timezone.now()) - scored_at).total_seconds() / 86400.0)
    return round(score * 0.5 ** (days / half_life_days), 2)


def _params(now: dt.datetime, **extra) -> dict:
    half_life = ScoringSettings.load().half_life_days or DEFAULT_HALF_LIFE_DAYS
    return {
        "now": now,
        "today": timezone.localdate(now),
        "half_life": float(half_life),
        "window": now - dt.timedelta(days=EVENTS_WINDOW_DAYS),
        "note": "",
        "force": False,
        "manual": False,
        "by_id": None,
        **extra,
    }


def _rescore_ids(
    ids: list[int], *, note: str = "", force: bool = False, by=None, now: dt.datetime | None = None
) -> RescoreResult:
    """Score ``ids`` now. The caller's transaction holds the rows' locks (or takes them here),
    so ``needs_rescore`` is cleared safely: a concurrent write waits and sets it again."""
    if not ids:
        return RescoreResult()
    now = now or timezone.now()
    params = _params(
        now, ids=ids, note=note, force=force, manual=by is not None, by_id=getattr(by, "pk", None)
    )
    agg = f"{_aggregate_select()} WHERE a.contact_id = ANY(%(ids)s) GROUP BY a.contact_id"
    sql = _score_statement(
        target_sql="c.id = ANY(%(ids)s)",
        agg_sql=agg,
        stages=list(LadderStage.objects.all()),
        params=params,
        full=False,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM contacts_contact WHERE id = ANY(%s) ORDER BY id FOR UPDATE", [ids]
        )
        cursor.execute(sql, params)
        scored, moves = cursor.fetchone()
    return RescoreResult(scored=scored, moves=moves)


def ladder_rescore(
    *,
    contact_ids: list[int] | None = None,
    all: bool = False,
    job: RescoreJob | None = None,
    now: dt.datetime | None = None,
) -> RescoreResult:
    """Rescore some people (``contact_ids``, one transaction) or everyone (``all``: batches
    of ``BATCH_SIZE`` by id range, each committed, progress written to ``job``). ``now`` is
    the moment decay is measured at (default: now)."""
    if all == (contact_ids is not None):
        raise ValueError("Pass contact_ids or all=True.")
    if not all:
        with transaction.atomic():
            return _rescore_ids(sorted(set(contact_ids)), now=now)
    return _rescore_everyone(job, now=now)


def _rescore_everyone(job: RescoreJob | None, *, now: dt.datetime | None = None) -> RescoreResult:
    """Aggregate the whole ledger once (one GROUP BY over every activity, into a temporary
    table), then apply it to contacts in committed id-range batches."""
    started = now or timezone.now()
    params = _params(started, started=started)
    bounds = Contact.objects.aggregate(lo=Min("id"), hi=Max("id"), n=Count("id"))
    total = bounds["n"] or 0
    if job is not None:
        RescoreJob.objects.filter(pk=job.pk).update(total=total, processed=0)
    result = RescoreResult()
    if not total:
        return result
    stages = list(LadderStage.objects.all())
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS ladder_agg")
        cursor.execute(
            f"CREATE TEMPORARY TABLE ladder_agg AS {_aggregate_select()} GROUP BY a.contact_id",
            params,
        )
        cursor.execute("ALTER TABLE ladder_agg ADD PRIMARY KEY (contact_id)")
        cursor.execute("ANALYZE ladder_agg")
    try:
        lo = bounds["lo"]
        while lo <= bounds["hi"]:
            hi = lo + BATCH_SIZE
            batch = _params(started, started=started, lo=lo, hi=hi)
            sql = _score_statement(
                target_sql="c.id >= %(lo)s AND c.id < %(hi)s",
                agg_sql=(
                    "SELECT * FROM ladder_agg WHERE contact_id >= %(lo)s AND contact_id < %(hi)s"
                ),
                stages=stages,
                params=batch,
                full=True,
            )
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(sql, batch)
                    _scored, moves = cursor.fetchone()
                    cursor.execute(
                        "SELECT count(*) FROM contacts_contact WHERE id >= %s AND id < %s",
                        [lo, hi],
                    )
                    in_range = cursor.fetchone()[0]
                result.scored += in_range
                result.moves += moves
                if job is not None:
                    RescoreJob.objects.filter(pk=job.pk).update(
                        processed=F("processed") + in_range, moves=F("moves") + moves
                    )
            lo = hi
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS ladder_agg")
    return result


# --- catch-up: people whose activity changed --------------------------------------------------


def ladder_catch_up(*, limit: int | None = None) -> RescoreResult:
    """Rescore everyone marked ``needs_rescore``, in chunks. Each chunk claims its rows with
    ``FOR UPDATE SKIP LOCKED`` inside the scoring transaction, so two workers never score the
    same person at once and a failed chunk leaves its marks for the next run."""
    result = RescoreResult()
    while limit is None or result.scored < limit:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT id FROM contacts_contact WHERE needs_rescore "
                    "ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED",
                    [CATCH_UP_CHUNK],
                )
                ids = [row[0] for row in cursor.fetchall()]
            if not ids:
                break
            chunk = _rescore_ids(ids)
        result.scored += chunk.scored
        result.moves += chunk.moves
        if len(ids) < CATCH_UP_CHUNK:
            break
    return result


def mark_for_rescore(contact_ids) -> None:
    """Record, in the caller's transaction, that these people must be rescored; then try to
    queue it sooner (after commit, never failing the request when the queue is down)."""
    ids = sorted({i for i in contact_ids if i})
    if not ids:
        return
    Contact.objects.filter(pk__in=ids, needs_rescore=False).update(needs_rescore=True)
    if len(ids) == 1:
        transaction.on_commit(lambda: enqueue_contact(ids[0]))


def activity_record(
    *,
    contact_id: int,
    kind: str,
    source: str,
    source_id: int,
    occurred_at: dt.datetime | None = None,
    quantity: float = 1,
) -> None:
    """Write (or move) one activity; recording the same ``(source, source_id, kind)`` twice
    keeps one row. Marks the person (and a previous holder of the row) for rescoring."""
    occurred_at = occurred_at or timezone.now()
    with transaction.atomic():
        previous = (
            Activity.objects.select_for_update()
            .filter(source=source, source_id=source_id, kind=kind)
            .values_list("contact_id", flat=True)
            .first()
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO contacts_activity "
                "(contact_id, kind, occurred_at, quantity, source, source_id) "
                "VALUES (%s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (source, source_id, kind) DO UPDATE SET "
                "contact_id = EXCLUDED.contact_id, occurred_at = EXCLUDED.occurred_at, "
                "quantity = EXCLUDED.quantity",
                [contact_id, kind, occurred_at, quantity, source, source_id],
            )
        mark_for_rescore([contact_id, previous])


def activity_remove(*, kind: str, source: str, source_id: int) -> None:
    with transaction.atomic():
        gone = list(
            Activity.objects.filter(source=source, source_id=source_id, kind=kind).values_list(
                "contact_id", flat=True
            )
        )
        Activity.objects.filter(source=source, source_id=source_id, kind=kind).delete()
        mark_for_rescore(gone)


def recruitment_record(*, recruit: Contact, recruiter_id: int | None) -> None:
    """``recruit`` was recruited by ``recruiter_id`` (or by nobody now): the recruiter's
    ``recruited`` activity follows the recruit's ``recruited_by``."""
    if recruiter_id is None:
        activity_remove(kind=Activity.Kind.RECRUITED, source="recruitment", source_id=recruit.pk)
        return
    activity_record(
        contact_id=recruiter_id,
        kind=Activity.Kind.RECRUITED,
        source="recruitment",
        source_id=recruit.pk,
    )


# --- queueing (best effort; PostgreSQL holds the truth) ----------------------------------------


def _send(task, *args) -> bool:
    from organizer.lib.tasks import enqueue

    return enqueue(task, *args)


def enqueue_contact(contact_id: int) -> bool:
    from contacts.tasks import ladder_rescore_contact_task

    return _send(ladder_rescore_contact_task, contact_id)


def enqueue_job(job_id: int) -> bool:
    from contacts.tasks import ladder_rescore_job_task

    return _send(ladder_rescore_job_task, job_id)


# --- full rescore jobs --------------------------------------------------------------------------


def rescore_job_request(*, by=None, reason: str) -> RescoreJob:
    """Record a full rescore to run in the background (in the caller's transaction); queue it
    after commit. If the queue is down, the job waits and the every-minute sweep runs it."""
    job = RescoreJob.objects.create(reason=reason[:200], requested_by=by)
    transaction.on_commit(lambda: enqueue_job(job.pk))
    return job


def _claim_job(job_id: int) -> bool:
    """pending → running (or a running job older than the longest task: its worker died)."""
    now = timezone.now()
    stale = now - dt.timedelta(seconds=settings.LONGEST_TASK_SECONDS + 60)
    claimed = (
        RescoreJob.objects.filter(pk=job_id)
        .filter(
            Q(status=RescoreJob.Status.PENDING)
            | Q(status=RescoreJob.Status.RUNNING, started_at__lt=stale)
        )
        .update(status=RescoreJob.Status.RUNNING, started_at=now, error="", moves=0)
    )
    return bool(claimed)


def rescore_job_run(*, job_id: int) -> RescoreJob | None:
    """Run a full-rescore job if it can be claimed; otherwise (already running or done, or
    missing) do nothing. A database outage puts the job back to pending for a retry."""
    if not _claim_job(job_id):
        return None
    job = RescoreJob.objects.get(pk=job_id)
    try:
        ladder_rescore(all=True, job=job)
    except OperationalError:
        RescoreJob.objects.filter(pk=job_id).update(status=RescoreJob.Status.PENDING)
        raise
    except Exception as exc:
        RescoreJob.objects.filter(pk=job_id).update(
            status=RescoreJob.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    RescoreJob.objects.filter(pk=job_id).update(
        status=RescoreJob.Status.DONE, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def rescore_jobs_sweep() -> int:
    """Run every job waiting (or orphaned by a dead worker). Returns how many ran."""
    stale = timezone.now() - dt.timedelta(seconds=settings.LONGEST_TASK_SECONDS + 60)
    ids = list(
        RescoreJob.objects.filter(
            Q(status=RescoreJob.Status.PENDING)
            | Q(status=RescoreJob.Status.RUNNING, started_at__lt=stale)
        )
        .order_by("created_at")
        .values_list("pk", flat=True)
    )
    return sum(1 for job_id in ids if rescore_job_run(job_id=job_id) is not None)


def rescore_nightly() -> RescoreJob | None:
    """The nightly full rescore (decay moves people down over time). Skipped when a full
    rescore is already waiting or running (it will do the same work)."""
    busy = RescoreJob.objects.filter(
        status__in=[RescoreJob.Status.PENDING, RescoreJob.Status.RUNNING]
    )
    if busy.exists():
        return None
    job = RescoreJob.objects.create(reason="Nightly rescore")
    return rescore_job_run(job_id=job.pk)


# --- manual stage -------------------------------------------------------------------------------


def can_set_stage(user, contact: Contact) -> bool:
    """Staff, and captains of one of the person's hubs."""
    from accounts.models import Role
    from hubs.selectors.access import hub_ids_for_user

    if not (user.is_authenticated and user.is_active):
        return False
    if user.role == Role.STAFF:
        return True
    captain_hubs = hub_ids_for_user(user, roles=("captain",))
    return contact.hub_memberships.filter(hub_id__in=captain_hubs).exists()


@transaction.atomic
def ladder_stage_hold(
    *, by, contact: Contact, stage: LadderStage, reason: str, until: dt.date | None = None
) -> Contact:
    """Set ``contact``'s stage by hand; it holds until ``until`` (inclusive) or until cleared."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the stage is set by hand.")})
    if until is not None and until < timezone.localdate():
        raise ValidationError({"until": _("Pick today or a later date.")})
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    previous = contact.ladder_stage_id
    contact.stage_hold = stage
    contact.stage_hold_reason = reason[:300]
    contact.stage_hold_until = until
    contact.stage_hold_by = by
    contact.ladder_stage = stage
    contact.save(
        update_fields=[
            "stage_hold",
            "stage_hold_reason",
            "stage_hold_until",
            "stage_hold_by",
            "ladder_stage",
        ]
    )
    why = f"Set by hand by {by}: {reason}"
    if until:
        why += f" (until {until:%Y-%m-%d})"
    LadderMove.objects.create(
        contact=contact,
        from_stage_id=previous,
        to_stage=stage,
        reason=why[:300],
        manual=True,
        by=by,
    )
    return contact


@transaction.atomic
def ladder_stage_release(*, by, contact: Contact) -> Contact:
    """Clear a hand-set stage: the computed stage applies again at once (recorded)."""
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.stage_hold_id is None:
        return contact
    Contact.objects.filter(pk=contact.pk).update(
        stage_hold=None, stage_hold_reason="", stage_hold_until=None, stage_hold_by=None
    )
    _rescore_ids([contact.pk], note=f"Hold cleared by {by}; ", force=True, by=by)
    contact.refresh_from_db()
    return contact


# --- configuration (each change rescores everyone in the background) ---------------------------


def _config_changed(*, by, what: str) -> RescoreJob:
    return rescore_job_request(by=by, reason=f"{what} (by {by})")


@transaction.atomic
def ladder_stage_save(
    *,
    by,
    stage: LadderStage | None,
    name: str,
    description: str,
    min_score: float,
    milestones: list[str],
) -> tuple[LadderStage, RescoreJob]:
    unknown = set(milestones) - set(Milestone.values)
    if unknown:
        raise ValidationError({"milestones": _("Unknown milestone.")})
    if stage is None:
        top = LadderStage.objects.aggregate(top=Max("position"))["top"]
        stage = LadderStage(position=0 if top is None else top + 1)
    stage.name, stage.description = name.strip(), description.strip()
    stage.min_score, stage.milestones = min_score, list(milestones)
    stage.save()
    return stage, _config_changed(by=by, what=f"Stage “{stage.name}” saved")


@transaction.atomic
def ladder_stage_delete(*, by, stage: LadderStage) -> RescoreJob:
    name = stage.name
    stage.delete()
    return _config_changed(by=by, what=f"Stage “{name}” deleted")


@transaction.atomic
def ladder_stage_move(*, by, stage: LadderStage, up: bool) -> RescoreJob | None:
    """Swap a stage with its neighbour above (``up``) or below."""
    stages = list(LadderStage.objects.select_for_update().order_by("position"))
    index = next(i for i, s in enumerate(stages) if s.pk == stage.pk)
    other_index = index + (1 if up else -1)
    if not 0 <= other_index < len(stages):
        return None
    a, b = stages[index], stages[other_index]
    pa, pb = a.position, b.position
    LadderStage.objects.filter(pk=a.pk).update(position=32767)
    LadderStage.objects.filter(pk=b.pk).update(position=pa)
    LadderStage.objects.filter(pk=a.pk).update(position=pb)
    return _config_changed(by=by, what=f"Stage “{a.name}” moved {'up' if up else 'down'}")


@transaction.atomic
def activity_weights_save(*, by, points: dict[str, float]) -> RescoreJob | None:
    """Set the points per kind of activity (``{kind: points}``)."""
    changed = []
    for weight in ActivityWeight.objects.select_for_update().filter(kind__in=points):
        new = float(points[weight.kind])
        if new < 0:
            raise ValidationError({weight.kind: _("Points cannot be negative.")})
        if weight.points != new:
            weight.points = new
            weight.save(update_fields=["points"])
            changed.append(weight.label)
    if not changed:
        return None
    return _config_changed(by=by, what=f"Points changed: {', '.join(changed)}")


@transaction.atomic
def scoring_settings_save(*, by, half_life_days: int) -> RescoreJob | None:
    if half_life_days < 1:
        raise ValidationError({"half_life_days": _("At least one day.")})
    current = ScoringSettings.load()
    if current.half_life_days == half_life_days:
        return None
    current.half_life_days = half_life_days
    current.updated_by = by
    current.save()
    return _config_changed(by=by, what=f"Half-life set to {half_life_days} days")


def ladder_ensure_defaults() -> None:
    """The ladder that ships (what migration 0004 seeds): idempotent, for fresh databases and
    tests that flush tables."""
    with transaction.atomic():
        if not LadderStage.objects.exists():
            LadderStage.objects.bulk_create(
                LadderStage(position=p, name=n, description=d, min_score=m, milestones=list(ms))
                for p, n, d, m, ms in DEFAULT_STAGES
            )
        for kind, label, points in DEFAULT_WEIGHTS:
            ActivityWeight.objects.get_or_create(
                kind=kind, defaults={"label": label, "points": points}
            )
        ScoringSettings.objects.get_or_create(
            pk=1, defaults={"half_life_days": DEFAULT_HALF_LIFE_DAYS}
        )
