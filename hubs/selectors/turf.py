"""Reads for turf: a hub's turfs, a piece for its assignee, progress in one aggregate query,
and the doors a map shows."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from hubs.models import DoorResult, Hub, Turf, TurfPiece

# The map shows at most this many buildings at once (zoom in for the rest).
MAP_DOORS_CAP = 2000
CONTACT_MADE = (DoorResult.Result.TALKED, DoorResult.Result.SIGNED)


def turfs_for_hub(hub: Hub) -> QuerySet[Turf]:
    return hub.turfs.annotate(door_count=Count("doors", distinct=True))


def turf_for_hub(hub: Hub, pk: int) -> Turf:
    return get_object_or_404(Turf.objects.select_related("hub"), hub=hub, pk=pk)


def piece_for_turf(turf: Turf, pk: int) -> TurfPiece:
    return get_object_or_404(
        TurfPiece.objects.select_related("turf__hub", "assigned_to"), turf=turf, pk=pk
    )


def pieces_for_assignee(user) -> QuerySet[TurfPiece]:
    """The open pieces assigned to ``user`` in hubs they still belong to (not emptied by
    "Move remaining doors"), with door counts."""
    if not (user.is_authenticated and user.is_active):
        return TurfPiece.objects.none()
    return (
        TurfPiece.objects.filter(
            assigned_to_id=user.pk,
            turf__hub__roles__user_id=user.pk,
            emptied_at__isnull=True,
        )
        .select_related("turf__hub")
        .annotate(door_count=Count("doors", distinct=True))
        .order_by("due_on", "turf__name", "number")
    )


# --- Progress -------------------------------------------------------------------------------


@dataclass
class Progress:
    doors: int = 0
    attempted: int = 0
    contacts_made: int = 0
    results: dict[str, int] = field(default_factory=dict)

    @property
    def percent(self) -> int:
        return round(100 * self.attempted / self.doors) if self.doors else 0

    def breakdown(self) -> list[tuple[str, int]]:
        """(label, count) of each latest result, in the order of the choices, non-zero only."""
        return [
            (label, self.results[value])
            for value, label in DoorResult.Result.choices
            if self.results.get(value)
        ]


@dataclass
class PieceProgress:
    piece: TurfPiece
    progress: Progress


@dataclass
class TurfProgress:
    total: Progress
    pieces: list[PieceProgress]
    unpieced: Progress

    @property
    def open_pieces(self) -> list[PieceProgress]:
        return [row for row in self.pieces if row.piece.emptied_at is None]

    @property
    def emptied_pieces(self) -> list[PieceProgress]:
        """Pieces whose remaining doors were moved to others: history, not assignments."""
        return [row for row in self.pieces if row.piece.emptied_at is not None]


def turf_progress(turf: Turf) -> TurfProgress:
    """Doors, doors attempted (≥ 1 result), contacts made (talked or signed) and the latest
    result of each door, per piece and for the turf: one aggregate query, plus the pieces."""
    results = [value for value, _ in DoorResult.Result.choices]
    per_result = ", ".join(f"count(*) FILTER (WHERE l.result = '{value}')" for value in results)
    sql = (
        "WITH latest AS (SELECT DISTINCT ON (r.door_id) r.door_id, r.result "
        "  FROM hubs_doorresult r JOIN hubs_turfdoor d ON d.id = r.door_id "
        "  WHERE d.turf_id = %s ORDER BY r.door_id, r.at DESC, r.id DESC), "
        "made AS (SELECT DISTINCT r.door_id FROM hubs_doorresult r "
        "  JOIN hubs_turfdoor d ON d.id = r.door_id "
        "  WHERE d.turf_id = %s AND r.result = ANY(%s)) "
        "SELECT GROUPING(d.piece_id), d.piece_id, count(*), count(l.door_id), count(m.door_id), "
        f"{per_result} FROM hubs_turfdoor d "
        "LEFT JOIN latest l ON l.door_id = d.id LEFT JOIN made m ON m.door_id = d.id "
        "WHERE d.turf_id = %s GROUP BY ROLLUP (d.piece_id)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [turf.pk, turf.pk, list(CONTACT_MADE), turf.pk])
        rows = cursor.fetchall()
    by_piece: dict[int | None, Progress] = {}
    total = Progress()
    for is_total, piece_id, doors, attempted, made, *counts in rows:
        progress = Progress(doors, attempted, made, dict(zip(results, counts, strict=True)))
        if is_total:
            total = progress
        else:
            by_piece[piece_id] = progress
    pieces = [
        PieceProgress(piece, by_piece.get(piece.pk, Progress()))
        for piece in turf.pieces.select_related("assigned_to").order_by("number")
    ]
    return TurfProgress(total=total, pieces=pieces, unpieced=by_piece.get(None, Progress()))


# --- The map --------------------------------------------------------------------------------


def doors_in_box(west: float, south: float, east: float, north: float, *, by) -> tuple[list, bool]:
    """Buildings inside the box with doors ``by`` may cut, as ``[lng, lat, units]`` (at most
    MAP_DOORS_CAP), and whether there were more. Uses the GiST index (``location <@ box``).
    Only the doors ``by`` may cut count (``hubs.services.turf.cuttable_units_sql``)."""
    from hubs.services.turf import cuttable_units_sql

    scope, scope_params = cuttable_units_sql(by)
    units = "SELECT count(*) FROM hubs_unit u WHERE u.building_id = b.id" + (
        f" AND {scope}" if scope else ""
    )
    sql = (
        f"SELECT * FROM (SELECT b.longitude, b.latitude, ({units}) AS doors "
        "FROM hubs_building b WHERE b.location <@ box(point(%s, %s), point(%s, %s))) found "
        "WHERE doors > 0 LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*scope_params, west, south, east, north, MAP_DOORS_CAP + 1])
        rows = cursor.fetchall()
    return [list(row) for row in rows[:MAP_DOORS_CAP]], len(rows) > MAP_DOORS_CAP


def map_bounds(hub: Hub) -> list[list[float]] | None:
    """[[south, west], [north, east]] to open the map on: the hub's area, else every door."""
    if hub.area:
        lngs = [x for x, _ in hub.area]
        lats = [y for _, y in hub.area]
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT min(longitude), min(latitude), max(longitude), max(latitude) "
                "FROM hubs_building WHERE location IS NOT NULL"
            )
            west, south, east, north = cursor.fetchone()
        if west is None:
            return None
        lngs, lats = [west, east], [south, north]
    return [[min(lats), min(lngs)], [max(lats), max(lngs)]]
