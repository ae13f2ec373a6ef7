"""Reads for the ladder: a person's explanation (why this stage), the configuration page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from contacts.models import (
    ActivityWeight,
    Contact,
    LadderMove,
    LadderStage,
    Milestone,
    RescoreJob,
    ScoringSettings,
)
from contacts.services.ladder import (
    CONTACT_MILESTONE_SQL,
    DECAY_SQL,
    EVENTS_WINDOW_DAYS,
    MILESTONE_SQL,
    milestone_label,
    score_now,
)


@dataclass
class KindPoints:
    kind: str
    label: str
    count: int
    raw: float
    decayed: float


@dataclass
class Explanation:
    contact: Contact
    stage: LadderStage | None
    score: float
    kinds: list[KindPoints]
    met: list[str]
    next_stage: LadderStage | None
    missing: list[str] = field(default_factory=list)
    score_needed: float = 0
    moves: list[LadderMove] = field(default_factory=list)
    hold_set_at: dt.datetime | None = None
    half_life_days: int = 90


def _points_by_kind(contact_id: int, half_life: float) -> list[KindPoints]:
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.kind, coalesce(w.label, a.kind), count(*), "
            "sum(coalesce(w.points, 0) * a.quantity), "
            f"sum(coalesce(w.points, 0) * a.quantity * {DECAY_SQL}) "
            "FROM contacts_activity a LEFT JOIN contacts_activityweight w ON w.kind = a.kind "
            "WHERE a.contact_id = %(id)s GROUP BY a.kind, w.label ORDER BY 5 DESC, 1",
            {"now": now, "half_life": half_life, "id": contact_id},
        )
        return [
            KindPoints(kind, label, count, round(raw, 2), round(decayed, 2))
            for kind, label, count, raw, decayed in cursor.fetchall()
        ]


def _milestones_met(contact: Contact) -> list[str]:
    """The same SQL tests the scorer runs, for one person."""
    now = timezone.now()
    flags = ", ".join(f"coalesce({sql}, false)" for sql in MILESTONE_SQL.values())
    contact_flags = ", ".join(CONTACT_MILESTONE_SQL.values())
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {flags}, {contact_flags} FROM contacts_contact t "
            "LEFT JOIN contacts_activity a ON a.contact_id = t.id WHERE t.id = %(id)s "
            "GROUP BY t.id",
            {"id": contact.pk, "window": now - dt.timedelta(days=EVENTS_WINDOW_DAYS)},
        )
        row = cursor.fetchone() or ()
    keys = [*MILESTONE_SQL, *CONTACT_MILESTONE_SQL]
    return [str(k) for k, ok in zip(keys, row, strict=False) if ok]


def ladder_explanation(contact: Contact) -> Explanation:
    """Why ``contact`` is where they are: points by kind of activity (count, raw, decayed),
    milestones met and missing for the next stage, the score still needed, recent moves."""
    half_life = ScoringSettings.load().half_life_days
    stages = list(LadderStage.objects.all())
    stage = next((s for s in stages if s.pk == contact.ladder_stage_id), None)
    position = stage.position if stage is not None else -1
    higher = [s for s in stages if s.position > position]
    next_stage = higher[0] if higher else None
    met = _milestones_met(contact)
    score = score_now(
        score=contact.score, scored_at=contact.scored_at, half_life_days=float(half_life)
    )
    explanation = Explanation(
        contact=contact,
        stage=stage,
        score=score,
        kinds=_points_by_kind(contact.pk, float(half_life)),
        met=met,
        next_stage=next_stage,
        half_life_days=half_life,
        moves=list(
            LadderMove.objects.filter(contact=contact).select_related(
                "from_stage", "to_stage", "by"
            )[:10]
        ),
    )
    if next_stage is not None:
        explanation.missing = [m for m in next_stage.milestones if m not in met]
        explanation.score_needed = round(max(0.0, next_stage.min_score - score), 2)
    if contact.stage_hold_id:
        manual = next((m for m in explanation.moves if m.manual), None)
        explanation.hold_set_at = manual.at if manual else None
    return explanation


def milestone_labels(keys: list[str]) -> list[str]:
    return [milestone_label(k) for k in keys]


@dataclass
class LadderConfig:
    stages: list[LadderStage]
    weights: list[ActivityWeight]
    settings: ScoringSettings
    job: RescoreJob | None
    counts: dict[int, int]


def ladder_config() -> LadderConfig:
    """Everything the configuration page shows, with how many people are at each stage."""
    from django.db.models import Count

    counts = dict(
        Contact.objects.values("ladder_stage_id")
        .annotate(n=Count("id"))
        .values_list("ladder_stage_id", "n")
    )
    stages = list(LadderStage.objects.all())
    for stage in stages:
        stage.people_count = counts.get(stage.pk, 0)
        stage.milestone_labels = milestone_labels(stage.milestones)
    return LadderConfig(
        stages=stages,
        weights=list(ActivityWeight.objects.all()),
        settings=ScoringSettings.load(),
        job=RescoreJob.objects.select_related("requested_by").first(),
        counts=counts,
    )


MILESTONE_CHOICES = Milestone.choices
