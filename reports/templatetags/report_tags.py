from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import reverse

register = template.Library()


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def pct(value, top) -> float:
    """``value`` as a share of ``top`` in % (for bar lengths), 0 when either is missing."""
    try:
        return round(100 * float(value) / float(top), 1) if value and top else 0
    except (TypeError, ValueError):
        return 0


@register.simple_tag
def drill(query: str, report: str, metric: str, key="all", to="") -> str:
    """The address of the people behind a number, keeping the page's filters."""
    params = {"report": report, "metric": metric, "key": key}
    if to:
        params["to"] = to
    url = reverse("reports:people") + "?" + urlencode(params)
    return url + ("&" + query if query else "")
