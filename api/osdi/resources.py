"""Our rows as Action Network resources (plain dicts: a page of 100 people is built without a
serializer framework in the way). Each takes the API root URL (``base``)."""

from __future__ import annotations

import datetime as dt

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, QuerySet
from django.db.models.functions import JSONObject

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
    if value is None:
        return None
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _href(base: str, path: str) -> dict:
    return {"href": base + path}


def with_person_data(people: QuerySet[Contact]) -> QuerySet[Contact]:
    """What a person resource reads, in the same statement: their emails and phones as JSON
    arrays (one query for a page, whatever its size)."""
    emails = Email.objects.filter(contact_id=OuterRef("pk")).order_by("-is_primary", "pk")
    phones = Phone.objects.filter(contact_id=OuterRef("pk")).order_by("-is_primary", "pk")
    return people.only(*PERSON_FIELDS).annotate(
        email_rows=ArraySubquery(emails.values(json=JSONObject(a="address", p="is_primary"))),
        phone_rows=ArraySubquery(
            phones.values(json=JSONObject(n="e164", k="kind", p="is_primary"))
        ),
    )


PHONE_KINDS = dict(Phone.Kind.choices)


def person(c: Contact, base: str) -> dict:
    pid = to_uuid("person", c.pk)
    path = f"people/{pid}"
    email_status = "subscribed" if c.email_ok and not c.do_not_contact else "unsubscribed"
    sms_status = "subscribed" if c.sms_ok and not c.do_not_contact else "unsubscribed"
    address: dict = {"primary": True, "country": "US"}
    if c.street or c.unit:
        address["address_lines"] = [line for line in (c.street, c.unit) if line]
    for key, value in (("locality", c.city), ("region", c.state), ("postal_code", c.zip_code)):
        if value:
            address[key] = value
    if c.latitude is not None and c.longitude is not None:
        address["location"] = {
            "latitude": c.latitude,
            "longitude": c.longitude,
            "accuracy": "Rooftop",
        }
    custom = {
        key: value
        for key, value in (
            ("preferred_name", c.preferred_name),
            ("employer", c.employer),
            ("union", c.union),
            ("membership_status", c.membership_status),
        )
        if value
    }
    return {
        "identifiers": [f"action_network:{pid}"],
        "created_date": date(c.created_at),
        "modified_date": date(c.updated_at),
        "given_name": c.first_name,
        "family_name": c.last_name,
        "languages_spoken": list(c.languages or []),
        "email_addresses": [
            {"primary": e["p"], "address": e["a"], "status": email_status} for e in c.email_rows
        ],
        "phone_numbers": [
            {
                "primary": p["p"],
                "number": p["n"].lstrip("+"),
                "number_type": str(PHONE_KINDS.get(p["k"], p["k"])),
                "status": sms_status,
            }
            for p in c.phone_rows
        ],
        "postal_addresses": [address],
        "custom_fields": custom,
        "_links": {
            "self": _href(base, path),
            "osdi:attendances": _href(base, f"{path}/attendances"),
            "osdi:signatures": _href(base, f"{path}/signatures"),
            "osdi:taggings": _href(base, f"{path}/taggings"),
            "osdi:outreaches": _href(base, f"{path}/outreaches"),
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
