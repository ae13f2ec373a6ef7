"""Reads for petitions: counts, the public page's petition, the delivery list (names and
neighborhoods/ZIP only, never phones or emails)."""

from __future__ import annotations

import functools

from django.db import connection
from django.db.models import Count, QuerySet
from django.http import Http404

from campaigns.models import Campaign, Petition, Signature
from organizer.lib.inserts import model_fields


def public_petition(pk: int) -> Petition:
    petition = Petition.objects.select_related("campaign").filter(pk=pk, is_public=True).first()
    if petition is None:
        raise Http404
    return petition


@functools.cache
def _signup_sql() -> tuple[str, tuple[str, ...]]:
    hubs = Campaign.hubs.through._meta.db_table
    fields = model_fields(Petition, ["id", "campaign", "title", "is_public"])
    sql = (
        f"SELECT {', '.join(f'p.{f.column}' for f in fields)}, "
        f"(SELECT min(h.hub_id) FROM {hubs} h WHERE h.campaign_id = p.campaign_id) "
        f"FROM campaigns_petition p WHERE p.id = %s AND p.is_public"
    )
    return sql, tuple(f.attname for f in fields)


def signup_petition_query(pk: int) -> tuple[str, list]:
    """The statement reading a public petition as a POSTed signature needs it: a few fields
    and ``signer_hub_id``, the hub new signers join (``petition_sign``: the campaign's first).
    Plain SQL, as ``signup_event_query``; ``petition_sign`` sends it in the same message as
    the person's locks and match. A form with errors is shown from :func:`public_petition`."""
    return _signup_sql()[0], [pk]


def signup_petition_from_rows(rows: list[tuple]) -> Petition:
    """The petition of :func:`signup_petition_query`'s rows (404 when there is none)."""
    if not rows:
        raise Http404
    petition = Petition.from_db(connection.alias, _signup_sql()[1], rows[0][:-1])
    petition.signer_hub_id = rows[0][-1]
    return petition


def signature_count(petition: Petition) -> int:
    return Signature.objects.filter(petition=petition).count()


def with_counts(petitions: QuerySet[Petition]) -> QuerySet[Petition]:
    return petitions.annotate(signed=Count("signatures"))


def delivery_rows(petition: Petition) -> QuerySet:
    """One row per signer for the target: name, neighborhood, ZIP, when and how they signed."""
    return (
        Signature.objects.filter(petition=petition)
        .order_by("contact__last_name", "contact__first_name", "pk")
        .values(
            "signed_at",
            "source",
            "contact__first_name",
            "contact__last_name",
            "contact__neighborhood",
            "contact__zip_code",
        )
    )


def count_by_zip(petition: Petition) -> list[dict]:
    return list(
        Signature.objects.filter(petition=petition)
        .values("contact__zip_code")
        .annotate(n=Count("pk"))
        .order_by("-n", "contact__zip_code")
    )


def recent_signatures(petition: Petition, limit: int = 50) -> list[Signature]:
    return list(
        Signature.objects.filter(petition=petition)
        .select_related("contact", "collected_by", "recruited_by")
        .order_by("-signed_at", "-pk")[:limit]
    )


def event_petition(event) -> Petition | None:
    """The petition attendees sign at the door: the campaign's newest."""
    if event.campaign_id is None:
        return None
    return Petition.objects.filter(campaign_id=event.campaign_id).order_by("-created_at").first()
