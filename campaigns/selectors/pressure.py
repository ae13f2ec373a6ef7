"""Reads for targets and pressure: which districts a ZIP or an address is in, whose targets a
supporter should call, the signers of a petition by district, and a campaign's actions.

District lookup: a point (an address that matches a door with a map point, or a person's own
map point) is tested against the district shapes with core PostgreSQL's ``polygon @> point``
(a GiST index on the shapes, as turf does with doors); for every kind of district no shape
answers, the ZIP table does. A point exactly on a shared border is inside both shapes
(PostgreSQL counts the edge as inside), and a ZIP that crosses a line maps to several districts:
either way the supporter sees every target it could be, never none. The weak spot: a typed
address finds its point only when it matches a known door (number, street and ZIP) — there is
no geocoder; otherwise the ZIP decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import BooleanField, Count, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404

from accounts.models import Role
from campaigns.models import (
    Campaign,
    District,
    Petition,
    PressureAction,
    PressurePage,
    Signature,
    Target,
)
from campaigns.selectors.access import campaigns_for_user
from contacts.selectors.access import contacts_for_user
from hubs.models import Building, street_key
from organizer.lib.geo import Point

MAX_PLACE_CHARS = 200
_ZIP = re.compile(r"(?<!\d)(\d{5})(?:-\d{4})?(?!\d)")
_NUMBER_STREET = re.compile(r"^\s*(\d[\w-]{0,9})\s+([^,]{2,120})")


@dataclass
class Place:
    """What the supporter typed, read: a ZIP and maybe a house number and street."""

    text: str = ""
    zip_code: str = ""
    number: str = ""
    street: str = ""

    @property
    def empty(self) -> bool:
        return not (self.zip_code or self.street)


def parse_place(text: str) -> Place:
    """ "123 Knickerbocker Ave, Brooklyn 11237" → number, street and ZIP; "11237" → the ZIP.
    Bounded: only the first ``MAX_PLACE_CHARS`` characters are read."""
    text = " ".join((text or "").split())[:MAX_PLACE_CHARS]
    place = Place(text=text)
    zips = _ZIP.findall(text)
    if zips:
        place.zip_code = zips[-1]
    match = _NUMBER_STREET.match(text)
    if match and not (place.zip_code and match.group(0).strip() == place.zip_code):
        street = _ZIP.sub("", match.group(2)).strip()
        if street and not street.isdigit():
            place.number, place.street = match.group(1), street
    return place


def place_point(place: Place) -> Point | None:
    """The map point of the door at this address (number, street, and ZIP when given)."""
    if not place.street:
        return None
    doors = Building.objects.filter(
        street_number__iexact=place.number,
        street_key=street_key(place.street),
        location__isnull=False,
    )
    if place.zip_code:
        doors = doors.filter(zip_code__startswith=place.zip_code)
    points = list(doors.order_by("pk").values_list("location", flat=True)[:2])
    return points[0] if len(points) == 1 else None  # two streets of that name: not sure


def districts_at(*, point: Point | None = None, zip_code: str = "") -> list[District]:
    """Districts holding the point; then, for each kind no shape answered, those of the ZIP."""
    found: list[District] = []
    if point is not None:
        inside = RawSQL("shape @> point(%s, %s)", (point[0], point[1]), BooleanField())
        found = list(
            District.objects.filter(shape__isnull=False).alias(inside=inside).filter(inside=True)
        )
    zip_code = (zip_code or "")[:5]
    if zip_code:
        covered = {d.kind for d in found}
        found += list(District.objects.filter(zips__zip_code=zip_code).exclude(kind__in=covered))
    return sorted(found, key=lambda d: (d.kind, d.name))


@dataclass
class Lookup:
    place: Place
    point: Point | None = None
    districts: list[District] = field(default_factory=list)

    @property
    def ambiguous(self) -> bool:
        """Two districts of one kind: the ZIP crosses a line (or the point is on one)."""
        kinds = [d.kind for d in self.districts]
        return len(kinds) != len(set(kinds))


def lookup(text: str) -> Lookup:
    place = parse_place(text)
    result = Lookup(place=place)
    if place.empty:
        return result
    result.point = place_point(place)
    result.districts = districts_at(point=result.point, zip_code=place.zip_code)
    return result


def districts_of_contact(contact) -> list[District]:
    point = None
    if contact.longitude is not None and contact.latitude is not None:
        point = (contact.longitude, contact.latitude)
    return districts_at(point=point, zip_code=(contact.zip_code or "")[:5])


def campaign_targets(campaign: Campaign) -> QuerySet[Target]:
    return (
        Target.objects.filter(campaigns=campaign, is_active=True)
        .select_related("district")
        .order_by("level", "office", "name")
    )


def targets_for(campaign: Campaign, districts: list[District]) -> list[Target]:
    """The campaign's targets for these districts, then those the whole state or city elects."""
    ids = [d.pk for d in districts]
    targets = list(
        campaign_targets(campaign).filter(Q(district__isnull=True) | Q(district_id__in=ids))
    )
    return sorted(targets, key=lambda t: (t.district_id is None, t.level, t.office, t.name))


def public_pressure_page(slug: str) -> PressurePage:
    page = (
        PressurePage.objects.select_related("campaign")
        .filter(campaign__slug=slug[:120], is_public=True)
        .first()
    )
    if page is None:
        raise Http404
    return page


# --- petition delivery by district --------------------------------------------------------------


def district_residents_sql(people: str, kind: str, params=()) -> tuple[str, list]:
    """The one rule for who lives in which district of a kind, as SQL (:func:`districts_at`
    for one kind, for many people at once): the districts of ``kind`` whose shape holds the
    person's map point, else those listing their ZIP code. ``people`` is the SQL of a relation
    with (at least) the columns ``id``, ``longitude``, ``latitude`` and ``zip_code`` (with
    ``params``); the result is its rows, each with a ``district_id`` — a row per district, so
    someone whose ZIP crosses a line (or whose point is on a border) is in both. Set-based: one
    join with the shapes and one with the ZIP table, not a look-up per person. Petition delivery
    and the reach report both read it."""
    on_shape = (
        "d.shape IS NOT NULL AND p.longitude IS NOT NULL AND p.latitude IS NOT NULL"
        " AND d.shape @> point(p.longitude, p.latitude)"
    )
    sql = f"""
      SELECT p.*, d.id AS district_id
      FROM ({people}) p JOIN campaigns_district d ON d.kind = %s AND {on_shape}
      UNION ALL
      SELECT p.*, z.district_id
      FROM ({people}) p
      JOIN campaigns_districtzip z ON z.zip_code = left(p.zip_code, 5)
      JOIN campaigns_district dz ON dz.id = z.district_id AND dz.kind = %s
      WHERE NOT EXISTS (SELECT 1 FROM campaigns_district d WHERE d.kind = %s AND {on_shape})"""
    return sql, [*params, kind, *params, kind, kind]


# The signer's district(s) of one kind, by name: the rule above for the joined person row
# (aliased "contacts_contact" by Django's first join).
_SIGNER = (
    'SELECT "contacts_contact"."id" AS id, "contacts_contact"."longitude" AS longitude,'
    ' "contacts_contact"."latitude" AS latitude, "contacts_contact"."zip_code" AS zip_code'
)


def _district_of_signer(kind: str) -> tuple[str, list]:
    residents, params = district_residents_sql(_SIGNER, kind)
    sql = (
        "COALESCE((SELECT string_agg(d.name, ' / ' ORDER BY d.name) FROM campaigns_district d"
        f" WHERE d.id IN (SELECT r.district_id FROM ({residents}) r)), '')"
    )
    return sql, params


def delivery_kind(petition: Petition, requested: str = "") -> str | None:
    """Which kind of district the delivery list shows: the one asked for, else the target's,
    else the first kind any district is loaded for (None: no districts at all)."""
    if requested in District.Kind.values:
        return requested
    if petition.target_id and petition.target.district_id:
        return petition.target.district.kind
    kinds = set(District.objects.values_list("kind", flat=True).distinct())
    return next((k for k in District.Kind.values if k in kinds), None)


def delivery_rows_with_district(petition: Petition, kind: str | None) -> QuerySet:
    """The delivery rows (names, neighborhood, ZIP — never phones or emails) with each
    signer's district of ``kind``."""
    rows = Signature.objects.filter(petition=petition).order_by(
        "contact__last_name", "contact__first_name", "pk"
    )
    fields = [
        "signed_at",
        "source",
        "contact__first_name",
        "contact__last_name",
        "contact__neighborhood",
        "contact__zip_code",
    ]
    if kind is None:
        return rows.values(*fields)
    # Constant SQL; the kind is bound as a parameter.
    sql, params = _district_of_signer(kind)  # constant SQL; the kind is a parameter
    return rows.values(*fields, district=RawSQL(sql, params))  # noqa: S611


def count_by_district(petition: Petition, kind: str | None) -> list[dict]:
    """Signatures per district of ``kind`` (one statement); "" is "not in any district"."""
    if kind is None:
        return []
    district, params = _district_of_signer(kind)
    sql = (
        f"SELECT district, count(*) AS n FROM (SELECT {district} AS district"
        " FROM campaigns_signature s JOIN contacts_contact ON contacts_contact.id = s.contact_id"
        " WHERE s.petition_id = %s) x GROUP BY district ORDER BY n DESC, district"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, petition.pk])
        return [{"district": d, "n": n} for d, n in cursor.fetchall()]


# --- a campaign's actions -----------------------------------------------------------------------


def action_totals(campaign: Campaign) -> list[dict]:
    """Actions per target and kind (numbers only: everyone who sees the campaign sees them)."""
    rows = list(
        PressureAction.objects.filter(campaign=campaign)
        .values("target_id", "target__name", "target__office", "kind")
        .annotate(n=Count("pk"))
        .order_by("target__office", "target__name", "kind")
    )
    for row in rows:
        row["kind_label"] = PressureAction.Kind(row["kind"]).label
    return rows


def recent_actions(user, campaign: Campaign, limit: int = 50) -> list[PressureAction]:
    """The latest actions of people the user may see (the others are counted, not named)."""
    from contacts.selectors.access import contacts_for_user

    return list(
        PressureAction.objects.filter(
            campaign=campaign, contact__in=contacts_for_user(user).values("pk")
        )
        .select_related("contact", "target", "logged_by")
        .order_by("-occurred_at", "-pk")[:limit]
    )


def actions_of_contact(contact) -> list[PressureAction]:
    return list(
        PressureAction.objects.filter(contact=contact)
        .select_related("campaign", "target")
        .order_by("-occurred_at", "-pk")[:50]
    )


# --- what the API lists: targets and actions in the user's scope ---------------------------------


def targets_for_user(user) -> QuerySet[Target]:
    """Staff: every target (the Targets page). Captains and organizers: the targets of the
    campaigns they see (the campaign's call page names them). Anyone else: none."""
    if not (user.is_authenticated and user.is_active):
        return Target.objects.none()
    if user.role == Role.STAFF:
        return Target.objects.all()
    seen = campaigns_for_user(user).values("pk")
    return Target.objects.filter(
        pk__in=Target.campaigns.through.objects.filter(campaign_id__in=seen).values("target_id")
    )


def target_for_user(user, pk: int) -> Target:
    target = targets_for_user(user).filter(pk=pk).first()
    if target is None:
        raise Http404
    return target


def pressure_actions_for_user(user) -> QuerySet[PressureAction]:
    """Actions for the campaigns the user sees, by people the user may see (as the campaign's
    call page lists them; the others are only counted)."""
    return PressureAction.objects.filter(
        campaign_id__in=campaigns_for_user(user).values("pk"),
        contact_id__in=contacts_for_user(user).values("pk"),
    )
