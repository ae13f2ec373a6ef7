"""``{% my_pieces %}``: the turf pieces assigned to the signed-in user (My day)."""

from __future__ import annotations

from django import template
from django.urls import reverse

from hubs.selectors.turf import pieces_for_assignee

register = template.Library()


@register.inclusion_tag("hubs/_my_pieces.html", takes_context=True)
def my_pieces(context) -> dict:
    """One query: the user's pieces with their turf, hub and door count."""
    user = context.get("user") or context["request"].user
    pieces = list(pieces_for_assignee(user))
    scope = reverse("hubs:piece_worker").rpartition("/")[0] + "/"
    return {
        "user": user,
        "pieces": pieces,
        "offline_urls": " ".join(reverse("hubs:walk_list", args=[piece.pk]) for piece in pieces),
        "offline_scope": scope,
    }
