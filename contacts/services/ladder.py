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
  that writes the new stage;
- with it, the **crossing time** (``Contact.stage_due_at``): the last moment the stage holds by
  time alone — the decaying score stays at or above the stage's minimum (score·2^(−Δt/h) ≥
  threshold ⇔ Δt ≤ h·log2(score/threshold)), a time-limited milestone still counts, a hold
  has not ended. The nightly (``ladder_rescore_due``) visits only people past it.

Scoring is a handful of statements over a set of people, never a loop per person:
``ladder_rescore(contact_ids=[...])`` for a few people (the catch-up after something they did),
``ladder_rescore(all=True)`` for everyone (batches by id range, each committed, with progress
on a ``RescoreJob``). Work that must happen is recorded in PostgreSQL first (``needs_rescore``,
a pending ``RescoreJob``); queueing a Celery task after commit only makes it happen sooner.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, transaction
from django.db.models import Count, F, Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts import signals
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
from organizer.lib import prepared as prepared_statements

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
    ("pressure_action", "Called, wrote or visited a decision-maker", 2),
    ("calls_made", "Made a call or sent a text in a phone bank", 0.25),
    ("phone_conversation", "Had a conversation with a phone bank", 1),
]
DEFAULT_HALF_LIFE_DAYS = 90

BATCH_SIZE = 100_000  # contacts per committed batch of a full rescore
# Up to this many people, the scoring statement runs prepared (planned once per connection
# and stage list; ``organizer.lib.prepared``): one person's rescore after a one-on-one costs
# about as much to plan as to run.
PREPARED_MAX_IDS = 50
CATCH_UP_CHUNK = 5_000  # contacts per transaction of the catch-up and the nightly
EVENTS_WINDOW_DAYS = 90
# A running job whose heartbeat is older than this lost its worker: the sweep (every minute)
# takes it up again. Every stage of a run (the aggregate, each batch) beats well within it.
HEARTBEAT_STALE_SECONDS = 90
MAX_JOB_ATTEMPTS = 5  # a job whose worker died this many times is marked failed

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
# Milestones that time alone can take away, with the last moment a person (``computed.id``,
# see ``_score_statement``) who meets one still does: two events in 90 days lapse 90 days
# after the second most recent event.
MILESTONE_LAPSE_SQL = {
    Milestone.ATTENDED_2_EVENTS_90D: (
        "(SELECT e.occurred_at FROM contacts_activity e WHERE e.contact_id = computed.id"
        " AND e.kind = 'event_attended' ORDER BY e.occurred_at DESC OFFSET 1 LIMIT 1)"
        f" + interval '{EVENTS_WINDOW_DAYS} days'"
    ),
}
# Float arithmetic throughout: ``date_part`` returns float8 (``extract`` returns numeric, whose
# arithmetic and power() are many times slower).
DECAY_SQL = (
    "power(0.5::float8, greatest(0::float8, date_part('epoch', %(now)s - a.occurred_at))"
    " / (86400.0::float8 * %(half_life)s))"
)
RAW_SCORE_SQL = f"coalesce(sum(coalesce(w.points, 0) * a.quantity * {DECAY_SQL}), 0)"
# A score rounded to cents, half up, in float arithmetic (a round trip through numeric costs
# more than the rest of a batch's arithmetic together).
ROUND_SQL = "(floor(({}) * 100.0::float8 + 0.5::float8) / 100.0::float8)"


def _ms_column(key: str) -> str:
    return f"m_{key}"


def _aggregate_select() -> str:
    """``contact_id, raw, m_<milestone>…`` over ``contacts_activity a`` joined to weights;
    ``raw`` is the unrounded score (the crossing time is computed from it)."""
    flags = ", ".join(f"{sql} AS {_ms_column(k)}" for k, sql in MILESTONE_SQL.items())
    return (
        f"SELECT a.contact_id, {RAW_SCORE_SQL} AS raw, {flags} "
        "FROM contacts_activity a LEFT JOIN contacts_activityweight w ON w.kind = a.kind"
    )


def _milestone_test(key: str) -> str:
    """SQL true when the contact ``t`` with aggregate ``g`` meets milestone ``key``."""
    if key in MILESTONE_SQL:
        return f"coalesce(g.{_ms_column(key)}, false)"
    return f"({CONTACT_MILESTONE_SQL[key]})" if key in CONTACT_MILESTONE_SQL else "false"


def milestone_label(key: str) -> str:
    return str(Milestone(key).label) if key in Milestone.values else key


def _number(value: float) -> str:
    return f"{value:g}"


def drop_threshold(min_score: float) -> float:
    """The raw score below which the score (rounded to cents) is below ``min_score``:
    ``round(s, 2) < m`` ⇔ ``s < ⌈m⌉₀.₀₁ − 0.005``."""
    return math.ceil(round(min_score * 100, 6)) / 100 - 0.005


def _stage_sql(stages: list[LadderStage], params: dict) -> tuple[str, str, str]:
    """CASE expressions for the computed stage id (over ``score`` and the milestone flags),
    the reason, and the crossing time of the computed stage (over ``raw``, at ``%(now)s``).
    Generated from the few configured stages, so 1,000,000 rows need no subquery each."""
    stage_cases, reason_cases, due_cases = [], [], []
    for stage in sorted(stages, key=lambda s: s.position, reverse=True):
        key = f"st{stage.pk}"
        params[f"{key}_min"] = stage.min_score
        reason = f" ≥ {_number(stage.min_score)}"
        if stage.milestones:
            labels = ", ".join(milestone_label(m).lower() for m in stage.milestones)
            reason += f" and milestones met: {labels}"
        params[f"{key}_why"] = reason
        tests = " AND ".join(_milestone_test(m) for m in dict.fromkeys(stage.milestones))
        condition = f"score >= %({key}_min)s" + (f" AND {tests}" if tests else "")
        stage_cases.append(f"WHEN {condition} THEN {stage.pk}")
        reason_cases.append(f"WHEN {stage.pk} THEN %({key}_why)s")
        # When time alone ends this stage: the decaying score falls below its minimum
        # (s·2^(−Δt/h) < threshold ⇔ Δt > h·log2(s/threshold)), or a milestone lapses.
        ends = []
        threshold = drop_threshold(stage.min_score)
        if threshold > 0:
            params[f"{key}_drop"] = threshold
            ends.append(
                "%(now)s + make_interval(secs => 86400.0::float8 * %(half_life)s"
                f" * greatest(0::float8, ln(raw / %({key}_drop)s)) / ln(2::float8))"
            )
        ends += [MILESTONE_LAPSE_SQL[m] for m in stage.milestones if m in MILESTONE_LAPSE_SQL]
        if ends:
            due_cases.append(f"WHEN {stage.pk} THEN least({', '.join(ends)})")
    stage_sql = f"CASE {' '.join(stage_cases)} END" if stage_cases else "NULL::bigint"
    reason_sql = (
        f"'score ' || score::text || CASE computed {' '.join(reason_cases)} END"
        if reason_cases
        else "''"
    )
    due_sql = f"CASE computed {' '.join(due_cases)} END" if due_cases else "NULL::timestamptz"
    return stage_sql, reason_sql, due_sql


# The stages as last read by this process, keyed by the fingerprint of their row versions.
_stages_cache: tuple[str, list[LadderStage]] | None = None


@dataclass
class _Config:
    stages: list[LadderStage]
    half_life: float


def _owns_transaction() -> bool:
    """Whether an ``atomic`` block entered now is the outermost one (no caller's transaction
    around it whose other writes a transaction-wide setting would touch)."""
    return not connection.in_atomic_block


def _scoring_config(
    lock_ids: list[int] | None = None, *, derived_only: bool = False, generic_plan: bool = False
) -> _Config:
    """The stages and the half-life, in one round trip that also takes the locks a scorer
    needs until its transaction ends: the stages ``FOR KEY SHARE`` (what a foreign key check
    takes per row, taken once — a stage cannot be deleted while stage ids computed from this
    list are being written; ``ladder_stage_delete`` waits for the lock) and, given
    ``lock_ids``, those people ``FOR UPDATE`` (in id order, after the stages).

    The stages are read from PostgreSQL only when they changed: each row version's
    ``(id, xmin, ctid)`` is its fingerprint (any insert, update or delete changes it, even
    within one transaction), and the stage list is kept per process under it.

    ``derived_only``: the transaction writes nothing but what a rescore derives from the
    ledger (scores, stages, crossing times, moves and their webhook rows; the mark or job
    that asked for it was committed durably by its writer), so its commit need not wait for
    the WAL flush (``synchronous_commit = off``, this transaction only): a crash can lose at
    most the last fraction of a second of rescores, all or nothing each, and what asked for
    them is still there (``needs_rescore``, a crossing time past, a job's stale heartbeat) to
    run them again. Only for a transaction the scorer opened itself.

    ``generic_plan``: prepared statements of this transaction use their generic plan (see
    ``organizer.lib.prepared``)."""
    global _stages_cache
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH held AS (SELECT id, xmin, ctid FROM contacts_ladderstage ORDER BY id"
            " FOR KEY SHARE),"
            " locked AS (SELECT id FROM contacts_contact WHERE id = ANY(%s) ORDER BY id"
            " FOR UPDATE)"
            " SELECT (SELECT coalesce(string_agg(id || ':' || xmin || ':' || ctid, ','"
            " ORDER BY id), '') FROM held),"
            " (SELECT half_life_days FROM contacts_scoringsettings WHERE id = 1),"
            " (SELECT count(*) FROM locked),"
            " CASE WHEN %s THEN set_config('synchronous_commit', 'off', true) END,"
            " CASE WHEN %s THEN set_config('plan_cache_mode', 'force_generic_plan', true) END",
            [lock_ids or [], derived_only, generic_plan],
        )
        fingerprint, half_life, _locked, _commit, _plans = cursor.fetchone()
    cached = _stages_cache
    if cached is not None and cached[0] == fingerprint:
        stages = cached[1]
    else:
        stages = list(LadderStage.objects.all())
        _stages_cache = (fingerprint, stages)
    if half_life is None:
        half_life = ScoringSettings.load().half_life_days
    return _Config(stages=stages, half_life=float(half_life or DEFAULT_HALF_LIFE_DAYS))


def _locked_stages(*, derived_only: bool = False) -> list[LadderStage]:
    """The stages, held ``FOR KEY SHARE`` until the caller's transaction ends."""
    return _scoring_config(derived_only=derived_only).stages


@dataclass
class RescoreResult:
    scored: int = 0
    moves: int = 0


def _score_statement(*, target_sql: str, agg_sql: str, stages, params: dict, full: bool) -> str:
    """One statement: compute score, milestones, stage and crossing time for the target
    contacts, insert a ``LadderMove`` for each change of stage (or expired hold, or forced
    note), update contacts.

    The first value returned counts the target rows (every contact of a full-rescore batch's
    range); a move is written only for a row the statement updated (a person deleted meanwhile
    gets none).

    ``full``: a full-rescore batch — rows scored after the batch's aggregate was taken are left
    alone (a catch-up already wrote something fresher), ``needs_rescore`` is not touched (a
    concurrent write may have set it after our snapshot; the catch-up will see it), and rows
    whose score only decayed keep their stored score, ``scored_at`` and crossing time (see
    ``score_now``)."""
    stage_sql, reason_sql, due_sql = _stage_sql(stages, params)
    if full:
        fresh = "coalesce(c.scored_at >= %(started)s, false)"
        needs = "c.needs_rescore"
        # Decay multiplies every activity by the same factor, so a stored score decays on read
        # exactly (``score_now``) and its crossing time stays put; a row is rewritten only when
        # its stage or hold changes, its score moved by more than decay (new activity, new
        # weights or half-life), or its crossing time moved (new minimum scores).
        changed = (
            "AND ((c.ladder_stage_id, c.stage_hold_id) IS DISTINCT FROM (x.new_stage, x.hold_id)"
            " OR c.scored_at IS NULL"
            " OR (c.stage_due_at IS NULL) <> (x.due_at IS NULL)"
            " OR abs(date_part('epoch', c.stage_due_at - x.due_at)) > 1"
            " OR abs(c.score * power(0.5::float8, greatest(0::float8,"
            " date_part('epoch', %(now)s - c.scored_at))"
            " / (86400.0::float8 * %(half_life)s)) - x.score) > 0.011)"
        )
    else:
        fresh, needs, changed = "false", "false", ""
    return f"""
WITH target AS (
    SELECT c.id, c.ladder_stage_id, c.stage_hold_id, c.stage_hold_until, c.stage_hold_reason,
           c.stage_hold_by_id, c.membership_status, {fresh} AS fresh
    FROM contacts_contact c WHERE {target_sql}
), agg AS ({agg_sql}),
computed AS (
    SELECT t.*, s.raw, s.score, {stage_sql} AS computed,
           (t.stage_hold_id IS NOT NULL
            AND (t.stage_hold_until IS NULL OR t.stage_hold_until >= %(today)s)) AS held,
           (t.stage_hold_id IS NOT NULL
            AND t.stage_hold_until IS NOT NULL AND t.stage_hold_until < %(today)s) AS expired
    FROM target t LEFT JOIN agg g ON g.contact_id = t.id,
         LATERAL (SELECT coalesce(g.raw, 0)::float8 AS raw,
                         {ROUND_SQL.format("coalesce(g.raw, 0)")} AS score) s
), x AS (
    SELECT computed.id, computed.ladder_stage_id, computed.stage_hold_reason, computed.score,
           computed.held, computed.expired, computed.fresh,
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
               ELSE '' END AS why_prefix,
           CASE WHEN held THEN (stage_hold_until + 1)::timestamp AT TIME ZONE %(tz)s
                ELSE {due_sql} END AS due_at
    FROM computed LEFT JOIN accounts_user u
         ON u.id = computed.stage_hold_by_id AND computed.stage_hold_id IS NOT NULL
), updated AS (
    UPDATE contacts_contact c
    SET score = x.score, ladder_stage_id = x.new_stage, scored_at = %(now)s,
        stage_due_at = x.due_at,
        needs_rescore = {needs},
        stage_hold_id = x.hold_id,
        stage_hold_reason = CASE WHEN x.held THEN c.stage_hold_reason ELSE '' END,
        stage_hold_until = CASE WHEN x.held THEN c.stage_hold_until END,
        stage_hold_by_id = CASE WHEN x.held THEN c.stage_hold_by_id END
    FROM x WHERE c.id = x.id AND {target_sql} AND NOT x.fresh {changed}
    RETURNING c.id
), moved AS (
    INSERT INTO contacts_laddermove
        (contact_id, from_stage_id, to_stage_id, at, reason, manual, by_id)
    SELECT x.id, x.ladder_stage_id, x.new_stage, %(now)s,
           left(%(note)s || x.why_prefix || x.why, 300), %(manual)s, %(by_id)s
    FROM x JOIN updated u ON u.id = x.id
    WHERE x.new_stage IS DISTINCT FROM x.ladder_stage_id OR x.expired OR %(force)s
    RETURNING id
)
SELECT (SELECT count(*) FROM x), (SELECT count(*) FROM moved),
       (SELECT array_agg(id) FROM moved)
"""


def _moved(move_ids: list[int] | None) -> None:
    """Tell listeners (webhooks) about the moves one scoring statement wrote, in its
    transaction: one signal per statement, never one per person."""
    if move_ids:
        signals.stage_changed.send(sender=LadderMove, move_ids=move_ids)


def score_now(*, score: float, scored_at: dt.datetime | None, half_life_days: float, now=None):
    """A stored score decayed to ``now``: the same as rescoring, since decay multiplies every
    activity by the same factor (``0.5 ** (days since scored / half-life)``)."""
    if scored_at is None or not half_life_days:
        return score
    days = max(0.0, ((now or timezone.now()) - scored_at).total_seconds() / 86400.0)
    return round(score * 0.5 ** (days / half_life_days), 2)


def _params(now: dt.datetime, half_life: float, **extra) -> dict:
    return {
        "now": now,
        "today": timezone.localdate(now),
        "tz": timezone.get_current_timezone_name(),
        "half_life": half_life,
        "window": now - dt.timedelta(days=EVENTS_WINDOW_DAYS),
        "note": "",
        "force": False,
        "manual": False,
        "by_id": None,
        **extra,
    }


def _rescore_ids(
    ids: list[int],
    *,
    note: str = "",
    force: bool = False,
    by=None,
    now: dt.datetime | None = None,
    derived_only: bool = False,
) -> RescoreResult:
    """Score ``ids`` now. The caller's transaction holds the rows' locks (or takes them here),
    so ``needs_rescore`` is cleared safely: a concurrent write waits and sets it again.
    ``derived_only``: see :func:`_scoring_config`."""
    if not ids:
        return RescoreResult()
    now = now or timezone.now()
    prepared = len(ids) <= PREPARED_MAX_IDS
    # One round trip for the stages, the half-life and the people's locks, taken before the
    # scoring statement's snapshot: a write that marked them has committed by then.
    config = _scoring_config(lock_ids=ids, derived_only=derived_only, generic_plan=prepared)
    params = _params(
        now,
        config.half_life,
        ids=ids,
        note=note,
        force=force,
        manual=by is not None,
        by_id=getattr(by, "pk", None),
    )
    agg = f"{_aggregate_select()} WHERE a.contact_id = ANY(%(ids)s) GROUP BY a.contact_id"
    sql = _score_statement(
        target_sql="c.id = ANY(%(ids)s)",
        agg_sql=agg,
        stages=config.stages,
        params=params,
        full=False,
    )
    with connection.cursor() as cursor:
        if prepared:
            types = {key: _param_type(key, value) for key, value in params.items()}
            prepared_statements.execute(cursor, sql, params, types=types, prefix="ladder")
        else:
            cursor.execute(sql, params)
        scored, moves, move_ids = cursor.fetchone()
    _moved(move_ids)
    return RescoreResult(scored=scored, moves=moves)


_PARAM_TYPES = {"ids": "bigint[]", "by_id": "bigint"}


def _param_type(key: str, value) -> str:
    if key in _PARAM_TYPES:
        return _PARAM_TYPES[key]
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, dt.datetime):
        return "timestamptz"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, int | float):
        return "float8"
    if isinstance(value, str):
        return "text"
    raise TypeError(f"no SQL type for parameter {key!r}")


def ladder_rescore(
    *,
    contact_ids: list[int] | None = None,
    all: bool = False,
    job: RescoreJob | None = None,
    now: dt.datetime | None = None,
) -> RescoreResult:
    """Rescore some people (``contact_ids``, one transaction) or everyone (``all``: batches
    of ``BATCH_SIZE`` by id range, each committed, progress and heartbeat written to ``job``).
    ``now`` is the moment decay is measured at (default: now)."""
    if all == (contact_ids is not None):
        raise ValueError("Pass contact_ids or all=True.")
    if not all:
        derived_only = _owns_transaction()
        with transaction.atomic():
            return _rescore_ids(sorted(set(contact_ids)), now=now, derived_only=derived_only)
    return _rescore_everyone(job, now=now)


class JobLost(Exception):
    """The job was taken up by another worker (ours looked dead): stop without writing."""


def _beat(job: RescoreJob | None, **fields) -> None:
    """In the caller's transaction: prove this worker still owns ``job`` (its claim's
    ``attempts``), write the heartbeat and ``fields``. Holding the job row's lock until the
    stage commits keeps the sweep (SKIP LOCKED) away from a job that is busy, however slow."""
    if job is None:
        return
    alive = RescoreJob.objects.filter(
        pk=job.pk, status=RescoreJob.Status.RUNNING, attempts=job.attempts
    ).update(heartbeat_at=timezone.now(), **fields)
    if not alive:
        raise JobLost(job.pk)


def _rescore_everyone(job: RescoreJob | None, *, now: dt.datetime | None = None) -> RescoreResult:
    """Aggregate the whole ledger once (one GROUP BY over every activity, into a temporary
    table), then apply it to contacts in committed id-range batches."""
    started = now or timezone.now()
    derived_only = _owns_transaction()
    bounds = Contact.objects.aggregate(lo=Min("id"), hi=Max("id"), n=Count("id"))
    total = bounds["n"] or 0
    result = RescoreResult()
    with transaction.atomic():
        _beat(job, total=total, processed=0, moves=0)
    if not total:
        return result
    try:
        with transaction.atomic():
            _beat(job)
            # The half-life the aggregate decays with holds for every batch of this run.
            half_life = _scoring_config().half_life
            with connection.cursor() as cursor:
                # Compiling these statements' expressions costs seconds and each runs once:
                # the planner's JIT only loses here.
                cursor.execute("SET LOCAL jit = off")
                cursor.execute("DROP TABLE IF EXISTS ladder_agg")
                cursor.execute(
                    "CREATE TEMPORARY TABLE ladder_agg AS "
                    f"{_aggregate_select()} GROUP BY a.contact_id",
                    _params(started, half_life),
                )
                cursor.execute("ALTER TABLE ladder_agg ADD PRIMARY KEY (contact_id)")
                cursor.execute("ANALYZE ladder_agg")
        lo = bounds["lo"]
        while lo <= bounds["hi"]:
            hi = lo + BATCH_SIZE
            batch = _params(started, half_life, started=started, lo=lo, hi=hi)
            with transaction.atomic():
                _beat(job)
                sql = _score_statement(
                    target_sql="c.id >= %(lo)s AND c.id < %(hi)s",
                    agg_sql=(
                        "SELECT * FROM ladder_agg"
                        " WHERE contact_id >= %(lo)s AND contact_id < %(hi)s"
                    ),
                    stages=_locked_stages(derived_only=derived_only),
                    params=batch,
                    full=True,
                )
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL jit = off")
                    cursor.execute(sql, batch)
                    in_range, moves, move_ids = cursor.fetchone()
                    _moved(move_ids)
                _beat(job, processed=F("processed") + in_range, moves=F("moves") + moves)
            result.scored += in_range
            result.moves += moves
            lo = hi
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS ladder_agg")
    return result


def ladder_rescore_due(*, now: dt.datetime | None = None) -> RescoreResult:
    """The nightly: rescore only the people whose crossing time (``stage_due_at``) has passed
    — those whose decaying score fell below their stage's minimum, whose time-limited
    milestone lapsed or whose hold ended — found through the index on the crossing time.
    Chunks are claimed ``FOR UPDATE SKIP LOCKED`` and committed one by one, so a run cut short
    leaves the rest due for the next one; walking by id, each person is visited once a run."""
    now = now or timezone.now()
    result, after = RescoreResult(), 0
    derived_only = _owns_transaction()
    while True:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT id FROM contacts_contact WHERE stage_due_at < %s AND id > %s "
                    "ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED",
                    [now, after, CATCH_UP_CHUNK],
                )
                ids = [row[0] for row in cursor.fetchall()]
            if not ids:
                break
            chunk = _rescore_ids(ids, now=now, derived_only=derived_only)
        result.scored += chunk.scored
        result.moves += chunk.moves
        after = ids[-1]
    return result


# --- catch-up: people whose activity changed --------------------------------------------------


def ladder_catch_up(*, limit: int | None = None) -> RescoreResult:
    """Rescore everyone marked ``needs_rescore``, in chunks. Each chunk claims its rows with
    ``FOR UPDATE SKIP LOCKED`` inside the scoring transaction, so two workers never score the
    same person at once and a failed chunk leaves its marks for the next run."""
    result = RescoreResult()
    derived_only = _owns_transaction()
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
            chunk = _rescore_ids(ids, derived_only=derived_only)
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
    keeps one row. Marks the person (and a previous holder of the row) for rescoring.

    One statement (no savepoint): the previous holder is read and locked, the row written and
    both people marked, as data-modifying CTEs; the rescore is queued after commit when one
    person is concerned (as :func:`mark_for_rescore`)."""
    occurred_at = occurred_at or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH previous AS ("
            "  SELECT contact_id FROM contacts_activity"
            "  WHERE source = %(source)s AND source_id = %(source_id)s AND kind = %(kind)s"
            "  FOR UPDATE),"
            " written AS ("
            "  INSERT INTO contacts_activity"
            "  (contact_id, kind, occurred_at, quantity, source, source_id)"
            "  VALUES (%(contact)s, %(kind)s, %(at)s, %(quantity)s, %(source)s, %(source_id)s)"
            "  ON CONFLICT (source, source_id, kind) DO UPDATE SET"
            "  contact_id = EXCLUDED.contact_id, occurred_at = EXCLUDED.occurred_at,"
            "  quantity = EXCLUDED.quantity),"
            " marked AS ("
            "  UPDATE contacts_contact SET needs_rescore = true"
            "  WHERE NOT needs_rescore"
            "  AND id IN (SELECT %(contact)s::bigint UNION SELECT contact_id FROM previous))"
            " SELECT contact_id FROM previous",
            {
                "contact": contact_id,
                "kind": kind,
                "at": occurred_at,
                "quantity": quantity,
                "source": source,
                "source_id": source_id,
            },
        )
        previous = [row[0] for row in cursor.fetchall()]
    if all(pk == contact_id for pk in previous):
        transaction.on_commit(lambda: enqueue_contact(contact_id))


def activity_for_new_row(
    *, contact_id: int, kind: str, source: str, occurred_at: dt.datetime, quantity: float = 1
) -> list[tuple[str, list]]:
    """:func:`activity_record` for a row being inserted in the same statement (its source id
    is that row's, read from the CTE ``upserted`` with its ``inserted`` flag:
    ``organizer.lib.inserts.insert_or_update(then=…)``): the activity written and the person
    marked for rescoring, in the row's own round trip. A new row's id was never a source
    before, so there is no previous holder to mark. Call :func:`activity_recorded` after."""
    return [
        (
            "INSERT INTO contacts_activity"
            " (contact_id, kind, occurred_at, quantity, source, source_id)"
            " SELECT %s, %s, %s, %s, %s, r.id FROM upserted r WHERE r.inserted"
            " ON CONFLICT (source, source_id, kind) DO UPDATE SET"
            " contact_id = EXCLUDED.contact_id, occurred_at = EXCLUDED.occurred_at,"
            " quantity = EXCLUDED.quantity RETURNING id",
            [contact_id, kind, occurred_at, quantity, source],
        ),
        (
            "UPDATE contacts_contact SET needs_rescore = true WHERE id = %s"
            " AND NOT needs_rescore AND EXISTS (SELECT 1 FROM upserted WHERE inserted)",
            [contact_id],
        ),
    ]


# The public forms (a signature, a pressure action) mark their person ``needs_rescore`` in
# their own statement; a burst of them shares one catch-up task a second per web process
# instead of one rescore task each (publishing a task cost a signature as much CPU as its
# SQL). A lost task changes nothing: the every-minute catch-up rescores whoever is marked.
CATCH_UP_DELAY = 1.0


def activity_recorded(contact_id: int) -> None:
    """After :func:`activity_for_new_row` wrote an activity (and marked ``contact_id``):
    rescore about a second after commit (one catch-up a process for a burst of them)."""
    from contacts.tasks import ladder_catch_up_task
    from organizer.lib.tasks import enqueue_soon_on_commit

    enqueue_soon_on_commit(ladder_catch_up_task, delay=CATCH_UP_DELAY)


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


def _send(task, *args, **options) -> bool:
    from organizer.lib.tasks import enqueue

    return enqueue(task, *args, **options)


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


def _stale_running_sql() -> str:
    return (
        "status = 'running' AND coalesce(heartbeat_at, started_at) < %(stale)s"
        " AND attempts < %(max_attempts)s"
    )


def _claim_job(job_id: int) -> RescoreJob | None:
    """pending → running, or take up a running job whose heartbeat stopped (its worker died):
    one conditional UPDATE, on a row nobody holds (a live worker holds its job's row while a
    stage runs). Returns the claimed job; its ``attempts`` is this claim's token."""
    now = timezone.now()
    params = {
        "id": job_id,
        "now": now,
        "stale": now - dt.timedelta(seconds=HEARTBEAT_STALE_SECONDS),
        "max_attempts": MAX_JOB_ATTEMPTS,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE contacts_rescorejob SET status = 'running', started_at = %(now)s,"
            " heartbeat_at = %(now)s, attempts = attempts + 1, error = '', processed = 0,"
            " moves = 0, finished_at = NULL "
            "WHERE id = (SELECT id FROM contacts_rescorejob WHERE id = %(id)s AND"
            f" (status = 'pending' OR ({_stale_running_sql()})) FOR UPDATE SKIP LOCKED) "
            "RETURNING id",
            params,
        )
        claimed = cursor.fetchone()
    return RescoreJob.objects.get(pk=job_id) if claimed else None


def _settle(job: RescoreJob, **fields) -> None:
    """Write the outcome, only if this worker still owns the job."""
    RescoreJob.objects.filter(
        pk=job.pk, status=RescoreJob.Status.RUNNING, attempts=job.attempts
    ).update(**fields)


def rescore_job_run(*, job_id: int) -> RescoreJob | None:
    """Run a full-rescore job if it can be claimed; otherwise (already running or done, or
    missing) do nothing. A database outage puts the job back to pending for a retry; a job
    taken up by another worker meanwhile (ours looked dead) stops here, writing nothing."""
    job = _claim_job(job_id)
    if job is None:
        return None
    try:
        ladder_rescore(all=True, job=job)
    except JobLost:
        logger.warning("Rescore job %s was taken up by another worker", job_id)
        return None
    except OperationalError:
        _settle(job, status=RescoreJob.Status.PENDING)
        raise
    except Exception as exc:
        _settle(
            job, status=RescoreJob.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    _settle(job, status=RescoreJob.Status.DONE, finished_at=timezone.now())
    job.refresh_from_db()
    return job


def rescore_jobs_sweep() -> int:
    """Run every job waiting, or orphaned by a dead worker (heartbeat older than
    ``HEARTBEAT_STALE_SECONDS``); fail those orphaned ``MAX_JOB_ATTEMPTS`` times. Returns how
    many ran."""
    now = timezone.now()
    stale = now - dt.timedelta(seconds=HEARTBEAT_STALE_SECONDS)
    RescoreJob.objects.filter(
        status=RescoreJob.Status.RUNNING,
        heartbeat_at__lt=stale,
        attempts__gte=MAX_JOB_ATTEMPTS,
    ).update(
        status=RescoreJob.Status.FAILED,
        error=f"Its worker stopped {MAX_JOB_ATTEMPTS} times.",
        finished_at=now,
    )
    ids = list(
        RescoreJob.objects.filter(
            Q(status=RescoreJob.Status.PENDING)
            | Q(status=RescoreJob.Status.RUNNING, heartbeat_at__lt=stale)
            | Q(status=RescoreJob.Status.RUNNING, heartbeat_at=None, started_at__lt=stale)
        )
        .order_by("created_at")
        .values_list("pk", flat=True)
    )
    return sum(1 for job_id in ids if rescore_job_run(job_id=job_id) is not None)


def rescore_nightly(*, now: dt.datetime | None = None) -> RescoreResult:
    """The nightly: people whose crossing time has passed are rescored (decay, a lapsed
    milestone or an ended hold moves them); nobody else needs it (``ladder_rescore_due``)."""
    return ladder_rescore_due(now=now)


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


def hold_ends_at(until: dt.date | None) -> dt.datetime | None:
    """A hold through ``until`` (inclusive) ends at the next local midnight (the crossing time
    the scorer writes for held people, too)."""
    if until is None:
        return None
    return timezone.make_aware(dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min))


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
    contact.stage_due_at = hold_ends_at(until)
    contact.save(
        update_fields=[
            "stage_hold",
            "stage_hold_reason",
            "stage_hold_until",
            "stage_hold_by",
            "ladder_stage",
            "stage_due_at",
        ]
    )
    why = f"Set by hand by {by}: {reason}"
    if until:
        why += f" (until {until:%Y-%m-%d})"
    move = LadderMove.objects.create(
        contact=contact,
        from_stage_id=previous,
        to_stage=stage,
        reason=why[:300],
        manual=True,
        by=by,
    )
    _moved([move.pk])
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
    # Wait for scorers writing stage ids (they hold the stages FOR KEY SHARE), then delete:
    # the ORM sets every reference to null (stage references carry no per-row constraint).
    stage = LadderStage.objects.select_for_update().get(pk=stage.pk)
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
