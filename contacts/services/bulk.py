"""Acting on many people at once from the People list: tag them, add them to a hub, or give
them an organizer.

The caller passes people already scoped (``contacts_for_user``, then the list's filters, or the
ticked ids within that scope), so nobody reaches a person they cannot see. Set-based: one read
of the ids, one INSERT or UPDATE, one INSERT of history rows (a ``ContactEvent`` per person
changed), in one transaction. People who already had the tag, hub or organizer are left alone
and get no history entry. At most ``BULK_MAX`` people per action."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Contact, ContactEvent, HubMember
from contacts.services.people import _resolve_tags

BULK_MAX = 5000


@dataclass
class BulkResult:
    matched: int  # people the action was asked for
    changed: int  # of them, those it changed


def _ids(people: QuerySet[Contact]) -> list[int]:
    ids = list(people.order_by("pk").values_list("pk", flat=True)[: BULK_MAX + 1])
    if len(ids) > BULK_MAX:
        raise ValidationError(
            _("That is more than %(max)s people at once. Narrow the list first.")
            % {"max": BULK_MAX}
        )
    return ids


def _history(*, by, ids: list[int], summary: str, changes: dict) -> None:
    ContactEvent.objects.bulk_create(
        ContactEvent(
            contact_id=pk,
            kind=ContactEvent.Kind.EDITED,
            actor=by,
            summary=summary[:300],
            changes=changes,
        )
        for pk in ids
    )


@transaction.atomic
def people_bulk_tag(*, by, people: QuerySet[Contact], tag: str) -> BulkResult:
    """Add ``tag`` (created when new) to everyone in ``people``."""
    names = [tag.strip()[:60]] if tag.strip() else []
    if not names:
        raise ValidationError({"tag": _("Type the tag to add.")})
    ids = _ids(people)
    tag_row = _resolve_tags(names)[0]
    through = Contact.tags.through
    have = set(
        through.objects.filter(tag=tag_row, contact_id__in=ids).values_list("contact_id", flat=True)
    )
    new = [pk for pk in ids if pk not in have]
    through.objects.bulk_create(
        (through(contact_id=pk, tag_id=tag_row.pk) for pk in new), ignore_conflicts=True
    )
    summary = f"Tagged “{tag_row.name}” (with others, from the list)"
    _history(by=by, ids=new, summary=summary, changes={"tags": [None, tag_row.name]})
    return BulkResult(len(ids), len(new))


@transaction.atomic
def people_bulk_add_to_hub(*, by, people: QuerySet[Contact], hub) -> BulkResult:
    """Make everyone in ``people`` a member of ``hub`` (the caller checked that ``by`` runs
    it: staff, or one of its captains)."""
    ids = _ids(people)
    have = set(
        HubMember.objects.filter(hub=hub, contact_id__in=ids).values_list("contact_id", flat=True)
    )
    new = [pk for pk in ids if pk not in have]
    since = timezone.localdate()
    HubMember.objects.bulk_create(
        (HubMember(contact_id=pk, hub=hub, since=since) for pk in new), ignore_conflicts=True
    )
    changes = {"hub": hub.slug, "role": HubMember.Role.MEMBER, "since": since.isoformat()}
    summary = f"Added to hub {hub.name} as member (with others, from the list)"
    _history(by=by, ids=new, summary=summary, changes=changes)
    return BulkResult(len(ids), len(new))


@transaction.atomic
def people_bulk_assign(*, by, people: QuerySet[Contact], owner) -> BulkResult:
    """Give everyone in ``people`` the organizer ``owner`` (the caller checked that ``by`` may
    assign them). The rows are locked first, so the history says who had them before."""
    ids = _ids(people)
    rows = list(
        Contact.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .exclude(owner_id=owner.pk)
        .select_related("owner")
        .order_by("pk")
    )
    changed = [c.pk for c in rows]
    Contact.objects.filter(pk__in=changed).update(
        owner=owner, updated_by=by, updated_at=timezone.now()
    )
    summary = f"Organizer set to {owner} (with others, from the list)"
    ContactEvent.objects.bulk_create(
        ContactEvent(
            contact_id=c.pk,
            kind=ContactEvent.Kind.EDITED,
            actor=by,
            summary=summary[:300],
            changes={"owner": [str(c.owner) if c.owner else None, str(owner)]},
        )
        for c in rows
    )
    return BulkResult(len(ids), len(changed))
