"""``{% my_pieces %}``: the turf pieces assigned to the signed-in user (My day)."""

from __future__ import annotations

from django import template

from hubs.selectors.turf import pieces_for_assignee

register = template.Library()


@register.inclusion_tag("hubs/_my_pieces.html", takes_context=True)
def my_pieces(context) -> dict:
    """One query: the user's pieces with their turf, hub and door count."""
    user = context.get("user") or context["request"].user
    return {"pieces": list(pieces_for_assignee(user))}
