"""``{% due_count as n %}``: the signed-in user's follow-ups due today or overdue (one query per
request, shared by every use on the page)."""

from __future__ import annotations

from django import template

from contacts.selectors.reminders import due_count_for_request

register = template.Library()


@register.simple_tag(takes_context=True)
def due_count(context) -> int:
    request = context.get("request")
    if request is None or not getattr(request, "user", None):
        return 0
    return due_count_for_request(request)
