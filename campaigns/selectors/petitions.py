"""Reads for petitions: counts, the public page's petition, the delivery list (names and
neighborhoods/ZIP only, never phones or emails)."""

from __future__ import annotations

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.http import Http404

from campaigns.models import Petition, Signature
from hubs.models import Hub


def public_petition(pk: int) -> Petition:
    hub = Hub.objects.filter(campaigns=OuterRef("campaign_id")).order_by("pk").values("pk")[:1]
    petition = (
        Petition.objects.select_related("campaign")
        .annotate(signer_hub_id=Subquery(hub))  # the hub new signers join (petition_sign)
        .filter(pk=pk, is_public=True)
        .first()
    )
    if petition is None:
        raise Http404
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
