"""The apps' FilterSets (one per model, serving pages and API alike), with every typed search
bounded the way the pages bound it (``bound_query``: first 6 words, 100 characters)."""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from contacts.filters import ContactFilter
from contacts.selectors.search import bound_query


class BoundedFilterBackend(DjangoFilterBackend):
    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        data = kwargs["data"]
        if data.get("q"):
            data = data.copy()
            data["q"] = bound_query(data["q"]).text
            kwargs["data"] = data
        return kwargs


# The People filter's hub is a hub id; drf-spectacular cannot tell from its callable queryset
# (and would warn in `check --deploy`). Said here, so contacts' FilterSet stays schema-free.
extend_schema_field(OpenApiTypes.INT)(ContactFilter.base_filters["hub"])
