from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

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


def _cell(query: str, hub_id: int, metric: str, n) -> SafeString:
    return format_html(
        '<td><a href="{}">{}</a></td>', drill(query, "hubs", metric, hub_id), localize(n)
    )


@register.simple_tag
def hub_health_rows(rows, query: str) -> SafeString:
    """The hub health table's rows, written here rather than by the template: a chapter's 200
    hubs are 2,000 cells, which took the template engine a quarter of a second to fill."""
    out = []
    for r in rows:
        hub, counts = r.hub, r.counts
        no_shows = format_html(
            '<td><a href="{}">{}</a>{}</td>',
            drill(query, "hubs", "no_shows", hub.pk),
            localize(counts["no_shows"]),
            format_html(' <span class="muted">({} %)</span>', localize(r.no_show_pct))
            if r.no_show_pct is not None
            else "",
        )
        out.append(
            format_html(
                '<tr><th scope="row"><a href="{}">{}</a></th>{}{}{}<td>{}/{}</td><td>{}</td>'
                "<td>{}</td>{}{}{}</tr>",
                reverse("hubs:detail", args=[hub.slug]),
                hub.name,
                _cell(query, hub.pk, "members", counts["members"]),
                _cell(query, hub.pk, "new", counts["new"]),
                _cell(query, hub.pk, "quiet", counts["quiet"]),
                localize(r.captains_active),
                localize(r.captains),
                f"{localize(r.turf_pct)} %" if r.turf_pct is not None else "–",
                localize(r.events_held),
                _cell(query, hub.pk, "attended", counts["attended"]),
                no_shows,
                _cell(query, hub.pk, "one_on_ones", counts["one_on_ones"]),
            )
        )
    return format_html_join("\n", "{}", ((row,) for row in out))
