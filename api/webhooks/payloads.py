"""What a delivery's ``data`` holds: the record as staff would see it, without notes.

People appear as the people API shows them (``contacts.api.ContactOut``: no notes, no
sensitive fields) plus their hubs and ladder stage. A one-on-one carries when, how, who and
the assessment, never its notes, ask, answer or commitment (as exports do)."""

from __future__ import annotations

from campaigns.models import Rsvp, Signature
from contacts.api import ContactOut
from contacts.models import Contact, Interaction


def _people(ids: list[int]) -> dict[int, dict]:
    qs = (
        Contact.objects.filter(pk__in=ids)
        .select_related("ladder_stage")
        .prefetch_related("phones", "emails", "tags", "hubs")
    )
    out = {}
    for contact in qs:
        data = dict(ContactOut(contact).data)
        data["hubs"] = [{"id": h.pk, "name": h.name} for h in contact.hubs.all()]
        data["ladder_stage"] = contact.ladder_stage.name if contact.ladder_stage_id else None
        out[contact.pk] = data
    return out


def people(ids: list[int]) -> list[dict]:
    found = _people(ids)
    return [found[pk] for pk in ids if pk in found]


def person(contact_id: int) -> dict | None:
    return _people([contact_id]).get(contact_id)


def one_on_one(interaction_id: int) -> dict | None:
    i = (
        Interaction.objects.select_related("author")
        .prefetch_related("assessments")
        .filter(pk=interaction_id)
        .first()
    )
    if i is None:
        return None
    assessment = next(iter(i.assessments.all()), None)
    return {
        "id": i.pk,
        "person": person(i.contact_id),
        "happened_at": i.happened_at,
        "medium": i.medium,
        "by": _user(i.author),
        "assessment": assessment.level if assessment else None,
        "is_sensitive": i.is_sensitive,
    }


def _user(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.get_full_name() or user.email}


def rsvp(rsvp_id: int) -> dict | None:
    r = Rsvp.objects.select_related("event", "shift").filter(pk=rsvp_id).first()
    if r is None:
        return None
    e = r.event
    return {
        "id": r.pk,
        "person": person(r.contact_id),
        "event": {
            "id": e.pk,
            "title": e.title,
            "starts_at": e.starts_at,
            "hub": e.hub_id,
            "campaign": e.campaign_id,
        },
        "shift": r.shift_id,
        "status": r.status,
        "source": r.source,
        "walk_in": r.walk_in,
        "created_at": r.created_at,
        "attended_at": r.attended_at,
        "first_time": r.first_time,
    }


def signature(signature_id: int) -> dict | None:
    s = Signature.objects.select_related("petition").filter(pk=signature_id).first()
    if s is None:
        return None
    return {
        "id": s.pk,
        "person": person(s.contact_id),
        "petition": {"id": s.petition_id, "title": s.petition.title},
        "campaign": s.petition.campaign_id,
        "source": s.source,
        "signed_at": s.signed_at,
    }


# stage.changed is written set-based in SQL (a rescore moves thousands at once): the person
# is short (id and name); the API has the rest.
STAGE_CHANGED_SQL = """
SELECT jsonb_build_object(
    'id', m.id,
    'person', jsonb_build_object('id', c.id, 'first_name', c.first_name,
                                 'last_name', c.last_name),
    'from_stage', fs.name, 'to_stage', ts.name, 'at', m.at, 'manual', m.manual)
FROM contacts_laddermove m
JOIN contacts_contact c ON c.id = m.contact_id
LEFT JOIN contacts_ladderstage fs ON fs.id = m.from_stage_id
LEFT JOIN contacts_ladderstage ts ON ts.id = m.to_stage_id
WHERE m.id = ANY(%(ids)s)
"""
