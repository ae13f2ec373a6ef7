from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse

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


@lru_cache(maxsize=16)
def _people_url(_prefix: str, _urlconf) -> str:
    return reverse("reports:people")


@register.simple_tag
def drill(query: str, report: str, metric: str, key="all", to="") -> str:
    """The address of the people behind a number, keeping the page's filters. A table has a
    link in every cell (1,200 on the hub table of a big chapter), so the address of the list
    is looked up once, not reversed per cell."""
    url = (
        f"{_people_url(get_script_prefix(), get_urlconf())}?report={quote(str(report))}"
        f"&metric={quote(str(metric))}&key={quote(str(key))}"
    )
    if to:
        url += f"&to={quote(str(to))}"
    return url + ("&" + query if query else "")
