"""Our rows as Action Network resources (plain dicts: a page of 100 people is built without a
serializer framework in the way). Each takes the API root URL (``base``)."""

from __future__ import annotations

import datetime as dt
import functools

from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import get_language

from api.osdi.ids import identifier, to_uuid
from campaigns.models import Campaign, Event, Petition, PressureAction, Rsvp, Signature, Target
from contacts.models import Contact, Email, Phone, Tag

PERSON_FIELDS = (
    "id",
    "first_name",
    "last_name",
    "preferred_name",
    "languages",
    "street",
    "unit",
    "city",
    "state",
    "zip_code",
    "latitude",
    "longitude",
    "employer",
    "union",
    "membership_status",
    "email_ok",
    "sms_ok",
    "do_not_contact",
    "created_at",
    "updated_at",
)


def date(value) -> str | None:
    """A timestamp as Action Network writes it: UTC, to the second, ``Z``."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).isoformat(timespec="seconds")[:19] + "Z"


def _href(base: str, path: str) -> dict:
    return {"href": base + path}


def _column(name: str) -> str:
    """A person column of the page query; timestamps already written as ``date`` writes them
    (parsing a timestamp into a datetime and formatting it again cost more than the SQL)."""
    column = f"c.{connection.ops.quote_name(name)}"
    if name in ("created_at", "updated_at"):
        return f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""
    return column


# A page of people in one statement: the ids of the page (``{ids}``: the scoped, filtered,
# paged ORM subquery, compiled by Django) and, for each, their emails and phones as
# two-dimensional text arrays (primary first), which psycopg reads at C speed. Written as SQL
# because Django took longer to compile the same statement from ``ArraySubquery(JSONObject(…))``
# annotations, and Python to decode its JSON, than PostgreSQL took to run it.
_PEOPLE_SQL = f"""
SELECT {", ".join(_column(name) for name in PERSON_FIELDS)},
       ARRAY(SELECT ARRAY[e.address, e.is_primary::text]
             FROM {Email._meta.db_table} e WHERE e.contact_id = c.id
             ORDER BY e.is_primary DESC, e.id),
       ARRAY(SELECT ARRAY[p.e164, p.kind, p.is_primary::text]
             FROM {Phone._meta.db_table} p WHERE p.contact_id = c.id
             ORDER BY p.is_primary DESC, p.id)
FROM {Contact._meta.db_table} c
WHERE c.id IN ({{ids}})
ORDER BY c.id
"""
_PERSON_KEYS = (*PERSON_FIELDS, "emails", "phones")


def person_rows(ids: QuerySet) -> list[dict]:
    """What ``person`` reads, for the people whose ids ``ids`` selects (``values("pk")`` of a
    scoped, filtered, paged queryset), in id order: the columns of ``PERSON_FIELDS`` (the
    timestamps as text, see ``_column``), ``emails`` as ``[address, "true"|"false"]`` and
    ``phones`` as ``[e164, kind, "true"|"false"]`` (the flag: is primary), primary first. One
    query, whatever the count."""
    ids_sql, params = ids.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(_PEOPLE_SQL.format(ids=ids_sql), params)
        rows = cursor.fetchall()
    return [dict(zip(_PERSON_KEYS, row, strict=True)) for row in rows]


PHONE_KINDS = dict(Phone.Kind.choices)


@functools.lru_cache(maxsize=64)
def _phone_kind(kind: str, language: str | None) -> str:
    return str(PHONE_KINDS.get(kind, kind))


def person(c: dict, base: str) -> dict:
    """``c``: a row of ``person_rows``."""
    pid = to_uuid("person", c["id"])
    path = f"{base}people/{pid}"
    stop = c["do_not_contact"]
    email_status = "subscribed" if c["email_ok"] and not stop else "unsubscribed"
    sms_status = "subscribed" if c["sms_ok"] and not stop else "unsubscribed"
    address: dict = {"primary": True, "country": "US"}
    if c["street"] or c["unit"]:
        address["address_lines"] = [line for line in (c["street"], c["unit"]) if line]
    for key, column in (("locality", "city"), ("region", "state"), ("postal_code", "zip_code")):
        if c[column]:
            address[key] = c[column]
    if c["latitude"] is not None and c["longitude"] is not None:
        address["location"] = {
            "latitude": c["latitude"],
            "longitude": c["longitude"],
            "accuracy": "Rooftop",
        }
    custom = {
        key: c[key]
        for key in ("preferred_name", "employer", "union", "membership_status")
        if c[key]
    }
    language = get_language()
    return {
        "identifiers": [f"action_network:{pid}"],
        "created_date": c["created_at"],
        "modified_date": c["updated_at"],
        "given_name": c["first_name"],
        "family_name": c["last_name"],
        "languages_spoken": list(c["languages"] or []),
        "email_addresses": [
            {"primary": primary == "true", "address": email, "status": email_status}
            for email, primary in c["emails"]
        ],
        "phone_numbers": [
            {
                "primary": primary == "true",
                "number": number.lstrip("+"),
                "number_type": _phone_kind(kind, language),
                "status": sms_status,
            }
            for number, kind, primary in c["phones"]
        ],
        "postal_addresses": [address],
        "custom_fields": custom,
        "_links": {
            "self": {"href": path},
            "osdi:attendances": {"href": f"{path}/attendances"},
            "osdi:signatures": {"href": f"{path}/signatures"},
            "osdi:taggings": {"href": f"{path}/taggings"},
            "osdi:outreaches": {"href": f"{path}/outreaches"},
        },
    }


def tag(t: Tag, base: str) -> dict:
    path = f"tags/{to_uuid('tag', t.pk)}"
    return {
        "identifiers": [identifier("tag", t.pk)],
        "name": t.name,
        "_links": {"self": _href(base, path), "osdi:taggings": _href(base, f"{path}/taggings")},
    }


def tagging(row, base: str) -> dict:
    """``row``: a ``Contact.tags.through`` row (the tagging's identity is its primary key)."""
    tag_path = f"tags/{to_uuid('tag', row.tag_id)}"
    return {
        "identifiers": [identifier("tagging", row.pk)],
        "item_type": "osdi:person",
        "_links": {
            "self": _href(base, f"{tag_path}/taggings/{to_uuid('tagging', row.pk)}"),
            "osdi:tag": _href(base, tag_path),
            "osdi:person": _href(base, f"people/{to_uuid('person', row.contact_id)}"),
        },
    }


def event(e: Event, base: str, *, accepted: int | None = None) -> dict:
    path = f"events/{to_uuid('event', e.pk)}"
    location: dict = {"venue": e.place} if e.place else {}
    if e.latitude is not None and e.longitude is not None:
        location["location"] = {"latitude": e.latitude, "longitude": e.longitude}
    body = {
        "identifiers": [identifier("event", e.pk)],
        "created_date": date(e.created_at),
        "modified_date": date(e.updated_at),
        "title": e.title,
        "name": e.title,
        "description": e.description,
        "start_date": date(e.starts_at),
        "end_date": date(e.ends_at),
        "status": "cancelled" if e.status == Event.Status.CANCELED else "confirmed",
        "visibility": "public" if e.is_public else "private",
        "type": "open",
        "location": location,
        "instructions": e.online_url,
        "capacity": e.capacity or 0,
        "action_network:event_type": e.kind,
        "action_network:hub": e.hub.slug,
        "_links": {
            "self": _href(base, path),
            "osdi:attendances": _href(base, f"{path}/attendances"),
            "osdi:record_attendance_helper": _href(base, f"{path}/attendances"),
        },
    }
    if accepted is not None:
        body["total_accepted"] = accepted
    return body


def attendance(r: Rsvp, base: str) -> dict:
    event_uuid = to_uuid("event", r.event_id)
    person_uuid = to_uuid("person", r.contact_id)
    return {
        "identifiers": [identifier("attendance", r.pk)],
        "created_date": date(r.created_at),
        "modified_date": date(r.attended_at or r.created_at),
        "status": "accepted" if r.status == Rsvp.Status.GOING else "cancelled",
        "attended": r.attended_at is not None,
        "action_network:person_id": person_uuid,
        "action_network:event_id": event_uuid,
        "_links": {
            "self": _href(base, f"events/{event_uuid}/attendances/{to_uuid('attendance', r.pk)}"),
            "osdi:event": _href(base, f"events/{event_uuid}"),
            "osdi:person": _href(base, f"people/{person_uuid}"),
        },
    }


def petition(p: Petition, base: str, *, signatures: int | None = None) -> dict:
    path = f"petitions/{to_uuid('petition', p.pk)}"
    body = {
        "identifiers": [identifier("petition", p.pk)],
        "created_date": date(p.created_at),
        "modified_date": date(p.created_at),
        "title": p.title,
        "description": p.text,
        "petition_text": p.text,
        "target": [{"name": p.target_name}],
        "_links": {
            "self": _href(base, path),
            "osdi:signatures": _href(base, f"{path}/signatures"),
            "osdi:record_signature_helper": _href(base, f"{path}/signatures"),
        },
    }
    if signatures is not None:
        body["total_signatures"] = signatures
    return body


def signature(s: Signature, base: str) -> dict:
    petition_uuid = to_uuid("petition", s.petition_id)
    person_uuid = to_uuid("person", s.contact_id)
    return {
        "identifiers": [identifier("signature", s.pk)],
        "created_date": date(s.signed_at),
        "modified_date": date(s.signed_at),
        "action_network:person_id": person_uuid,
        "action_network:petition_id": petition_uuid,
        "action_network:source": s.source,
        "_links": {
            "self": _href(
                base, f"petitions/{petition_uuid}/signatures/{to_uuid('signature', s.pk)}"
            ),
            "osdi:petition": _href(base, f"petitions/{petition_uuid}"),
            "osdi:person": _href(base, f"people/{person_uuid}"),
        },
    }


# --- advocacy campaigns (a campaign with a call page) and outreaches (pressure actions) --------

#: Our kinds of pressure action as Action Network's outreach ``type``.
OUTREACH_TYPES = {
    PressureAction.Kind.CALL: "phone",
    PressureAction.Kind.EMAIL: "email",
    PressureAction.Kind.LETTER: "postal mail",
    PressureAction.Kind.VISIT: "in-person",
    PressureAction.Kind.TESTIMONY: "testimony",
}


def target(t: Target) -> dict:
    """A target as in Action Network's ``targets`` array (title, name) with its identifier,
    which the record-outreach helper accepts."""
    return {
        "identifiers": [identifier("target", t.pk)],
        "title": t.office,
        "name": t.name,
    }


def advocacy_campaign(c: Campaign, base: str, *, targets, outreaches: int | None = None) -> dict:
    path = f"advocacy_campaigns/{to_uuid('advocacy_campaign', c.pk)}"
    page = c.pressure
    body = {
        "identifiers": [identifier("advocacy_campaign", c.pk)],
        "created_date": date(c.created_at),
        "modified_date": date(page.updated_at),
        "title": c.name,
        "description": page.ask,
        "action_network:script": page.script,
        "targets": [target(t) for t in targets],
        "_links": {
            "self": _href(base, path),
            "osdi:outreaches": _href(base, f"{path}/outreaches"),
            "osdi:record_outreach_helper": _href(base, f"{path}/outreaches"),
        },
    }
    if outreaches is not None:
        body["total_outreaches"] = outreaches
    return body


def outreach(a: PressureAction, base: str) -> dict:
    """``a`` with its target loaded (``select_related("target")``)."""
    campaign_uuid = to_uuid("advocacy_campaign", a.campaign_id)
    person_uuid = to_uuid("person", a.contact_id)
    return {
        "identifiers": [identifier("outreach", a.pk)],
        "created_date": date(a.created_at),
        "modified_date": date(a.created_at),
        "action_date": date(a.occurred_at),
        "type": OUTREACH_TYPES.get(a.kind, a.kind),
        "action_network:kind": a.kind,
        "targets": [target(a.target)],
        "action_network:person_id": person_uuid,
        "action_network:advocacy_campaign_id": campaign_uuid,
        "_links": {
            "self": _href(
                base,
                f"advocacy_campaigns/{campaign_uuid}/outreaches/{to_uuid('outreach', a.pk)}",
            ),
            "osdi:advocacy_campaign": _href(base, f"advocacy_campaigns/{campaign_uuid}"),
            "osdi:person": _href(base, f"people/{person_uuid}"),
        },
    }
